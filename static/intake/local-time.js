// The question page names its times in the show's zone ("Sunday 1 December, 23:59 UTC").
// Listeners elsewhere also get their own local time next to it: each empty
// <time data-local-time> (episodes.formatting.local_time_html) is filled in and shown, unless
// the reader's clock already reads the same as the page's.
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) return;
  var options = { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" };

  function format(when, zone) {
    var chosen = {};
    for (var key in options) chosen[key] = options[key];
    if (zone) chosen.timeZone = zone;
    return new Intl.DateTimeFormat(undefined, chosen).format(when);
  }

  document.querySelectorAll("time[data-local-time]").forEach(function (element) {
    var when = new Date(element.getAttribute("datetime"));
    if (isNaN(when.getTime())) return;
    var mine = format(when);
    var pageZone = element.getAttribute("data-page-zone");
    try {
      if (pageZone && format(when, pageZone) === mine) return;
    } catch (unknownZone) {
      // The browser does not know the page's zone: show the local time anyway.
    }
    element.textContent = "(" + mine + " your time)";
    element.hidden = false;
  });
})();
