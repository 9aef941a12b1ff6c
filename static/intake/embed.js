// On the show's own site, next to the Mailbag iframe (the snippet on the dashboard's episode
// page): resize each Mailbag frame to the height its page reports (static/intake/embed-frame.js).
// Only messages from Mailbag's own origin, and from that very frame, are believed.
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = new URL(script ? script.src : window.location.href).origin;
  window.addEventListener("message", function (event) {
    if (event.origin !== origin) return;
    var data = event.data;
    if (!data || data.mailbag !== "resize" || typeof data.height !== "number") return;
    var frames = document.querySelectorAll("iframe[data-mailbag]");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.height = Math.max(200, Math.min(data.height, 10000)) + "px";
      }
    }
  });
})();
