// The merge target's search box on a submission's page. Without this file the host types the
// number of the question to keep ("#123") or uses the buttons of the similar list; with it, a
// search over the episode (dashboard:submission_search, at most ten answers) fills the field.
(function () {
  "use strict";

  var form = document.querySelector("form.merge-form[data-search-url]");
  if (!form || !window.fetch) return;
  var box = form.querySelector(".merge-search");
  var input = box.querySelector("input[type=search]");
  var status = box.querySelector("[role=status]");
  var list = box.querySelector(".merge-results");
  var field = form.querySelector("input[name=primary]");
  var url = form.dataset.searchUrl;
  var exclude = form.dataset.exclude;
  var timer = null;
  var asked = 0;
  box.hidden = false;

  function show(results, query) {
    list.textContent = "";
    results.forEach(function (result) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = result.label + " (" + result.status_label + ")";
      button.dataset.ref = result.ref;
      button.setAttribute("aria-pressed", field.value.trim() === result.ref ? "true" : "false");
      button.addEventListener("click", function () {
        field.value = result.ref;
        list.querySelectorAll("button").forEach(function (other) {
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
        status.textContent = "Merge into " + result.ref + " chosen; press Merge to confirm.";
        field.focus();
      });
      item.appendChild(button);
      list.appendChild(item);
    });
    if (!query) {
      status.textContent = "";
    } else if (!results.length) {
      status.textContent = "No question matches \u201c" + query + "\u201d.";
    } else {
      status.textContent = results.length + " match" + (results.length === 1 ? "" : "es") +
        (results.length === 10 ? " (the ten newest; type more words to narrow it)" : "") + ".";
    }
  }

  function search() {
    var query = input.value.trim();
    var mine = ++asked;
    if (!query) {
      show([], "");
      return;
    }
    var params = new URLSearchParams({ q: query, exclude: exclude });
    fetch(url + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        if (mine === asked) show(data.results, query);
      })
      .catch(function () {
        if (mine === asked) status.textContent = "Search is not answering; type the number instead.";
      });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  input.addEventListener("keydown", function (event) {
    // Enter searches now instead of submitting the merge with whatever the field holds.
    if (event.key === "Enter") {
      event.preventDefault();
      clearTimeout(timer);
      search();
    } else if (event.key === "ArrowDown") {
      var first = list.querySelector("button");
      if (first) {
        event.preventDefault();
        first.focus();
      }
    }
  });
  list.addEventListener("keydown", function (event) {
    var buttons = Array.prototype.slice.call(list.querySelectorAll("button"));
    var index = buttons.indexOf(document.activeElement);
    if (index < 0) return;
    if (event.key === "ArrowDown" && index < buttons.length - 1) {
      event.preventDefault();
      buttons[index + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (index > 0 ? buttons[index - 1] : input).focus();
    }
  });
})();
