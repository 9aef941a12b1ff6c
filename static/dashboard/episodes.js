// The episode page's "Copy link" button. Without JavaScript the link is still there to
// select and copy by hand (the button stays hidden).
(function () {
  "use strict";

  function copyBySelection(input) {
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  document.querySelectorAll("[data-copy-link]").forEach(function (box) {
    var input = box.querySelector("[data-copy-source]");
    var button = box.querySelector("[data-copy-button]");
    var status = box.querySelector("[data-copy-status]");
    if (!input || !button) return;
    button.hidden = false;
    input.addEventListener("focus", function () { input.select(); });

    function done(copied) {
      if (status) {
        status.textContent = copied ? "Copied." : "Press Ctrl+C (or \u2318C) to copy the selected link.";
      }
      if (!copied) { input.focus(); input.select(); }
    }

    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(
          function () { done(true); },
          function () { done(copyBySelection(input)); }
        );
      } else {
        done(copyBySelection(input));
      }
    });
  });
})();
