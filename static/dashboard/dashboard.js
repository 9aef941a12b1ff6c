// Host dashboard enhancements. Every action works without this file; it only adds
// keyboard shortcuts and click-to-seek on transcript lines.
(function () {
  "use strict";

  document.documentElement.classList.add("has-js");
  var player = document.getElementById("player");

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function timeLabel(seconds) {
    var whole = Math.floor(seconds);
    return Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
  }

  // Transcript lines become buttons that play the recording from their start; again whenever
  // a live update (live.js) puts a new transcript on the page ("mailbag:content").
  function seekLines() {
    return player ? document.querySelectorAll("[data-seek-list] li[data-start]") : [];
  }
  var lines = seekLines();
  function bindSeekLine(line) {
    if (line.dataset.seekBound) return;
    line.dataset.seekBound = "1";
    var start = parseFloat(line.dataset.start);
    line.setAttribute("role", "button");
    line.setAttribute("tabindex", "0");
    line.setAttribute("aria-label", "Play from " + timeLabel(start) + ": " + line.textContent.trim());
    function seek() {
      player.currentTime = start;
      player.play();
    }
    line.addEventListener("click", seek);
    line.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        seek();
      }
    });
  }
  lines.forEach(bindSeekLine);
  document.addEventListener("mailbag:content", function () {
    lines = seekLines();
    lines.forEach(bindSeekLine);
  });
  if (player) {
    player.addEventListener("timeupdate", function () {
      var now = player.currentTime;
      lines.forEach(function (line) {
        var on = now >= parseFloat(line.dataset.start) && now < parseFloat(line.dataset.end);
        if (on) line.setAttribute("aria-current", "true");
        else line.removeAttribute("aria-current");
      });
    });
  }

  // Single-key shortcuts, shown as <kbd> on the buttons they press.
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    if (event.key === "/") {
      var search = document.querySelector("[data-shortcut-focus='/']");
      if (search) {
        event.preventDefault();
        search.focus();
      }
      return;
    }
    if (player && (event.key === " " || event.key === "ArrowLeft" || event.key === "ArrowRight")) {
      // Leave space alone on focused buttons and links: it activates them.
      if (event.key === " " && event.target.closest("button, a, [role=button], audio")) return;
      event.preventDefault();
      if (event.key === " ") {
        if (player.paused) player.play(); else player.pause();
      } else {
        var step = event.key === "ArrowLeft" ? -5 : 5;
        player.currentTime = Math.max(0, player.currentTime + step);
      }
      return;
    }
    var target = document.querySelector("[data-shortcut='" + event.key + "']");
    if (target) {
      event.preventDefault();
      target.click();
    }
  });
})();
