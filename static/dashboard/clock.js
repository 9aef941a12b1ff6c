// A running time as the host pages show it, shared by the run-sheet's and recording mode's
// scripts (load it before them): episodes/formatting.py's clock(), in the page.
// 222 -> "3:42", 3723 -> "1:02:03", -90 -> "-1:30".
(function () {
  "use strict";
  function clock(seconds) {
    var sign = seconds < 0 ? "-" : "";
    var whole = Math.abs(Math.round(seconds));
    var hours = Math.floor(whole / 3600);
    var minutes = Math.floor((whole % 3600) / 60);
    var secs = whole % 60;
    var two = function (n) { return String(n).padStart(2, "0"); };
    return hours ? sign + hours + ":" + two(minutes) + ":" + two(secs) : sign + minutes + ":" + two(secs);
  }
  window.mailbagClock = clock;
})();
