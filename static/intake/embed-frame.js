// Inside the embeddable widget's frame (/ask/<slug>/embed/): tell the embedding page how
// tall this page is, so static/intake/embed.js can size the iframe to fit without a scroll
// bar. The height is no secret, so any parent may read it ("*"); which sites may frame the
// page at all is decided by the CSP frame-ancestors header (intake/embed.py).
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function report() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ mailbag: "resize", height: height }, "*");
  }
  function start() {
    report();
    // The form grows with errors, the recorder's review and the preview player.
    if ("ResizeObserver" in window) new ResizeObserver(report).observe(document.documentElement);
    window.addEventListener("load", report);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
