// Recording mode (templates/dashboard/recording_live.html). Every button works without this
// file: each is a plain form post that comes back to the page. It adds
// - keys: space or → next, S skip, ← back, P pause or resume (not while typing, not with
//   Ctrl/Alt/Meta held); the forms are posted with fetch (Accept: application/json);
// - clocks that tick every second from the server's numbers, with runsheet/show_clock.py's
//   sums and thresholds (read from the page's data attributes);
// - a poll of the small state endpoint while the tab is visible: when the recording or the
//   run-sheet changed (another laptop pressed Next), the page's region is fetched again and
//   swapped in, so every rendering stays in the templates;
// - the Full screen and Play clip buttons.
(function () {
  "use strict";

  var root = document.querySelector("[data-recording]");
  if (!root) return;

  var POLL_MS = 1500;
  var stateUrl = root.dataset.stateUrl;
  var status = root.querySelector("[data-role=status]");
  var limits = {
    warnShare: parseFloat(root.dataset.warnShare),
    warnMin: parseFloat(root.dataset.warnMin),
    showAmberShare: parseFloat(root.dataset.showAmberShare),
    showAmberMin: parseFloat(root.dataset.showAmberMin)
  };
  var busy = false;
  var base = null; // the server's numbers, and when (performance.now()) the page got them

  function region() { return root.querySelector("[data-region]"); }

  // --- The sums: runsheet/show_clock.py and dashboard/views/recording.py, in the page ------
  var clock = window.mailbagClock; // static/dashboard/clock.js
  function itemLevel(elapsed, planned) {
    var remaining = planned - elapsed;
    if (remaining < 0) return "red";
    if (remaining <= Math.max(limits.warnMin, limits.warnShare * planned)) return "amber";
    return "ok";
  }
  function showLevel(over, target) {
    if (over <= 0) return "ok";
    if (over <= Math.max(limits.showAmberMin, limits.showAmberShare * target)) return "amber";
    return "red";
  }
  function projectedEnd(nowShow, currentElapsed, currentPlanned, plannedAfter) {
    var left = currentElapsed === null ? 0 : Math.max(0, currentPlanned - currentElapsed);
    return nowShow + left + plannedAfter;
  }
  function itemWords(left) {
    return clock(Math.abs(left)) + (Math.round(left) < 0 ? " over" : " left");
  }
  function overWords(over) {
    if (Math.round(over) === 0) return "on target";
    return clock(Math.abs(over)) + (over > 0 ? " over" : " under");
  }
  window.mailbagRecordingClock = {
    clock: clock, itemLevel: itemLevel, showLevel: showLevel, projectedEnd: projectedEnd,
    itemWords: itemWords, overWords: overWords
  };

  function number(value) {
    return value === "" || value === undefined || value === null ? null : parseFloat(value);
  }
  function baseFromRegion() {
    var data = region().dataset;
    base = {
      at: performance.now(),
      phase: data.phase,
      clock: number(data.clock) || 0,
      elapsed: number(data.currentElapsed),
      planned: number(data.currentPlanned) || 0,
      plannedTotal: number(data.planned) || 0,
      plannedAfter: number(data.plannedAfter) || 0,
      target: number(data.target) || 0
    };
  }
  function baseFromState(state) {
    base = {
      at: performance.now(),
      phase: state.phase,
      clock: state.clock,
      elapsed: state.current_elapsed,
      planned: state.current_planned,
      plannedTotal: state.planned,
      plannedAfter: state.planned_after,
      target: state.target
    };
  }

  function setLevel(element, level) {
    if (!element) return;
    ["ok", "amber", "red"].forEach(function (name) {
      element.classList.toggle("level-" + name, name === level);
    });
  }
  function setText(role, text) {
    var element = region().querySelector("[data-role='" + role + "']");
    if (element && element.textContent !== text) element.textContent = text;
  }

  function tick() {
    if (!base) return;
    var running = base.phase === "recording";
    var passed = running ? (performance.now() - base.at) / 1000 : 0;
    var now = base.clock + passed;
    var elapsed = base.elapsed === null ? null : base.elapsed + passed;
    var here = region();
    setText("show-clock", clock(now));
    if (elapsed !== null) {
      setText("item-left", itemWords(base.planned - elapsed));
      setLevel(here.querySelector("[data-level=item]"), itemLevel(elapsed, base.planned));
    }
    var projected;
    if (base.phase === "ended") projected = now;
    else if (base.phase === "ready") projected = base.plannedTotal;
    else projected = projectedEnd(now, elapsed, base.planned, base.plannedAfter);
    var over = projected - base.target;
    setText("projected", clock(projected));
    setText("over", overWords(over));
    setLevel(here.querySelector("[data-level=show]"), showLevel(over, base.target));
  }

  // --- Redrawing: the page again, its region swapped in ------------------------------------
  function say(text, isError) {
    status.textContent = text || "";
    status.classList.toggle("is-error", !!isError);
  }
  function stampOf(state) {
    return (state.recording || 0) + ":" + state.recording_version + ":" + state.sheet_version;
  }
  function clipPlaying() {
    var clip = region().querySelector("[data-clip]");
    return !!(clip && !clip.paused && !clip.ended);
  }

  var drawing = 0; // only the newest redraw lands: an older answer never overwrites a newer
  function redraw() {
    var mine = ++drawing;
    return fetch(window.location.pathname, {
      headers: { Accept: "text/html" }, credentials: "same-origin", cache: "no-store"
    }).then(function (response) {
      if (!response.ok || response.redirected) throw new Error("page " + response.status);
      return response.text();
    }).then(function (html) {
      if (mine !== drawing) return;
      var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-region]");
      if (!fresh) throw new Error("no region");
      var old = region();
      // Keep a keyboard user's place: the same action's button, if it is still there.
      var focused = old.contains(document.activeElement) && document.activeElement.closest("[data-action]");
      var action = focused ? focused.dataset.action : null;
      old.replaceWith(document.importNode(fresh, true));
      baseFromRegion();
      tick();
      if (action) {
        var button = region().querySelector("[data-action='" + action + "'] button");
        if (button && !button.disabled) button.focus();
      }
    });
  }

  function poll() {
    if (busy || document.visibilityState !== "visible") return;
    fetch(stateUrl, {
      headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store"
    }).then(function (response) {
      if (!response.ok || response.redirected) throw new Error("state " + response.status);
      return response.json();
    }).then(function (state) {
      if (busy) return;
      var here = region().dataset;
      if (stampOf(state) === here.stamp) {
        baseFromState(state);
        return;
      }
      // A clip on air is not cut off by a redraw, unless the show moved to another step.
      if (clipPlaying() && state.current === here.current) return;
      return redraw();
    }).catch(function () {
      // Offline for a moment (or logged out): the next poll tries again.
    });
  }

  // --- Actions: the forms, posted with fetch -----------------------------------------------
  function send(form) {
    if (busy) return;
    busy = true;
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json", "X-CSRFToken": token ? token.value : "" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.ok) {
          say("");
        } else if (response.status === 409) {
          say(body.error || "Someone else moved the show on; here is where it is now.", false);
        } else {
          say(body.error || "That did not work; try again.", true);
          return null;
        }
        return redraw();
      });
    }).catch(function () {
      say("Could not reach Mailbag; nothing changed. Try again.", true);
    }).then(function () {
      busy = false;
    });
  }

  root.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-action]");
    if (!form) return;
    event.preventDefault();
    send(form);
  });

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || tag === "AUDIO" ||
      (target && target.isContentEditable);
  }
  var KEYS = { " ": ["next"], ArrowRight: ["next"], s: ["skip"], S: ["skip"], ArrowLeft: ["back"],
               p: ["pause", "resume"], P: ["pause", "resume"] };
  var spaceTaken = false;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var actions = KEYS[event.key];
    if (!actions) return;
    // Space never scrolls the page, nor presses the focused button as well.
    event.preventDefault();
    if (event.key === " ") spaceTaken = true;
    if (event.repeat) return; // a held key is one press
    for (var i = 0; i < actions.length; i++) {
      var form = region().querySelector("[data-action='" + actions[i] + "']");
      if (form) {
        send(form);
        return;
      }
    }
  });
  document.addEventListener("keyup", function (event) {
    if (event.key === " " && spaceTaken) {
      spaceTaken = false;
      event.preventDefault();
    }
  });

  // --- Play clip and Full screen -----------------------------------------------------------
  root.addEventListener("click", function (event) {
    var play = event.target.closest("[data-play-clip]");
    if (play) {
      var clip = region().querySelector("[data-clip]");
      if (!clip) return;
      if (clip.paused) clip.play(); else clip.pause();
      return;
    }
    if (event.target.closest("[data-fullscreen]")) {
      if (document.fullscreenElement) document.exitFullscreen();
      else if (root.requestFullscreen) root.requestFullscreen();
    }
  });
  // The clip's button says what it does next.
  ["play", "pause", "ended"].forEach(function (name) {
    root.addEventListener(name, function (event) {
      if (!event.target.matches || !event.target.matches("[data-clip]")) return;
      var button = region().querySelector("[data-play-clip]");
      if (!button) return;
      button.textContent = name === "play" ? "Pause clip" : "Play clip";
    }, true);
  });
  var fullscreenButton = root.querySelector("[data-fullscreen]");
  if (fullscreenButton && !root.requestFullscreen) fullscreenButton.hidden = true;
  document.addEventListener("fullscreenchange", function () {
    if (fullscreenButton) {
      fullscreenButton.textContent = document.fullscreenElement ? "Exit full screen" : "Full screen";
    }
  });

  baseFromRegion();
  tick();
  window.setInterval(tick, 1000);
  window.setInterval(poll, POLL_MS);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") poll();
  });
})();
