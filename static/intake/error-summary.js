// The ask page's error summary (templates/intake/_error_summary.html, GOV.UK pattern). The server
// fills it after a refused send; this script focuses it so a phone's screen and a screen reader
// start at the list of problems, refills it from the browser's own checks (recorder.js writes
// those into each field's [data-errors-for] slot), and makes each link focus its control.
(function () {
  "use strict";

  var summary = document.querySelector("[data-error-summary]");
  var form = document.getElementById("ask-form");
  if (!summary || !form) return;
  var list = summary.querySelector("[data-error-summary-list]");

  function show() {
    summary.hidden = false;
    summary.focus();
  }

  // The control a link lands on; a hidden file input (recording instead) hands over to the recorder.
  function controlFor(id) {
    var control = document.getElementById(id);
    if (control && control.offsetParent === null) {
      control = form.querySelector('[data-action="record"]') || control;
    }
    return control;
  }

  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var control = controlFor(link.getAttribute("href").slice(1));
    if (!control) return;
    event.preventDefault();
    // Scroll to the field's label or legend too, so the question is seen along with the box.
    var holder = control.closest("fieldset, .field") || control;
    holder.scrollIntoView({ block: "start" });
    control.focus({ preventScroll: true });
  });

  function rebuild() {
    list.textContent = "";
    form.querySelectorAll("[data-errors-for]").forEach(function (slot) {
      var field = slot.getAttribute("data-errors-for");
      var control = form.querySelector('[name="' + field + '"]');
      slot.querySelectorAll("li").forEach(function (problem) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = "#" + (control && control.id ? control.id : slot.id);
        link.textContent = problem.textContent;
        item.appendChild(link);
        list.appendChild(item);
      });
    });
    return list.children.length;
  }

  // Registered after recorder.js's listener (this script comes later on the page), so its checks
  // have run: a send it stopped for problems shows them here; one stopped for another reason
  // (still recording, sending by fetch) leaves the summary alone.
  form.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) return;
    if (rebuild()) show();
  });

  if (!summary.hidden) show();
})();
