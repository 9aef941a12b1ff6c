// The run-sheet page (templates/dashboard/runsheet.html). Every action works without this
// file: the move buttons are plain form posts. It adds
// - drag and drop (SortableJS, static/vendor/sortablejs): questions within and across
//   segments, segments by their handle; the clock is recomputed from the data-* attributes
//   while dragging, with the same sums as runsheet/timing.py, and the whole order is posted
//   with the sheet's version after a drop (409: someone else changed it; the order goes back);
// - focus kept on the move button a keyboard user pressed, across the page reload;
// - the Print button, and long questions unfolded on paper.
(function () {
  "use strict";

  var sheet = document.querySelector("[data-runsheet]");
  if (!sheet) return;

  var FOCUS_KEY = "mailbag-runsheet-focus";
  var status = sheet.querySelector("[data-role=status]");
  var summary = sheet.querySelector("[data-role=summary]");
  var segmentList = sheet.querySelector("[data-segment-list]");
  var target = parseInt(sheet.dataset.target, 10) || 0;
  var version = parseInt(sheet.dataset.version, 10);

  // --- Print ------------------------------------------------------------------------------
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  var unfolded = [];
  window.addEventListener("beforeprint", function () {
    unfolded = Array.prototype.filter.call(sheet.querySelectorAll("details.entry-long"), function (d) {
      return !d.open;
    });
    unfolded.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    unfolded.forEach(function (d) { d.open = false; });
    unfolded = [];
  });

  // --- Keyboard: after a move button's post and reload, focus that same button again ------
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.hasAttribute("data-keep-focus") && button.id) {
      try { sessionStorage.setItem(FOCUS_KEY, button.id); } catch (e) { /* private mode */ }
    }
  });
  // After "load": the browser has focused the #entry-N row the redirect pointed at by then
  // (which is where a keyboard user lands without this script); move on to the button.
  window.addEventListener("load", function restoreFocus() {
    var id = null;
    try {
      id = sessionStorage.getItem(FOCUS_KEY);
      sessionStorage.removeItem(FOCUS_KEY);
    } catch (e) { return; }
    var button = id && document.getElementById(id);
    if (!button) return;
    if (button.disabled) {
      // At the very top or bottom now: focus its row instead.
      var row = button.closest("[tabindex='-1']");
      if (row) row.focus();
    } else {
      button.focus();
    }
  });

  // --- The clock: runsheet/timing.py's sheet_clock, in the page ----------------------------
  var clock = window.mailbagClock; // static/dashboard/clock.js

  function sheetClock(segments, targetSeconds) {
    // segments: [{extra, durations: [...]}] -> the same figures as timing.sheet_clock().
    var totals = segments.map(function (s) {
      return s.extra + s.durations.reduce(function (a, b) { return a + b; }, 0);
    });
    var planned = totals.reduce(function (a, b) { return a + b; }, 0);
    var elapsed = 0;
    var remaining = planned;
    var clocks = segments.map(function (s, index) {
      var at = elapsed + s.extra;
      var starts = s.durations.map(function (d) { var start = at; at += d; return start; });
      var c = { startsAt: elapsed, total: totals[index], latestStart: targetSeconds - remaining, entryStarts: starts };
      elapsed += totals[index];
      remaining -= totals[index];
      return c;
    });
    return { planned: planned, target: targetSeconds, over: planned - targetSeconds, segments: clocks };
  }

  // For tests (tests/browser/test_runsheet_browser.py pins these to the Python).
  window.mailbagRunsheetClock = { clock: clock, sheetClock: sheetClock };

  // --- Reading the order from the page ----------------------------------------------------
  function live(el) {
    // Sortable's floating copy of the dragged row is not part of the order.
    return !el.classList.contains("sortable-fallback") && el.style.display !== "none";
  }
  function segmentEls() {
    return segmentList ? Array.prototype.filter.call(segmentList.children, function (el) {
      return el.hasAttribute("data-segment-id") && live(el);
    }) : [];
  }
  function entryList(segmentEl) {
    return segmentEl.querySelector("[data-entry-list]");
  }
  function entryEls(segmentEl) {
    return Array.prototype.filter.call(entryList(segmentEl).children, function (el) {
      return el.hasAttribute("data-entry-id") && live(el);
    });
  }
  function currentOrder() {
    return segmentEls().map(function (segmentEl) {
      return {
        id: parseInt(segmentEl.dataset.segmentId, 10),
        entries: entryEls(segmentEl).map(function (el) { return parseInt(el.dataset.entryId, 10); }),
      };
    });
  }
  function sameOrder(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function setText(root, role, text) {
    var el = root.querySelector("[data-role=" + role + "]");
    if (el && el.textContent !== text) el.textContent = text;
  }

  // Show the clock and numbering of the page as it is now (while dragging, too).
  function recompute() {
    var segments = segmentEls();
    var rows = segments.map(function (segmentEl) {
      var entries = entryEls(segmentEl);
      return {
        el: segmentEl,
        entries: entries,
        extra: parseInt(segmentEl.dataset.extra, 10) || 0,
        durations: entries.map(function (el) { return parseInt(el.dataset.seconds, 10) || 0; }),
      };
    });
    var result = sheetClock(rows, target);
    var count = 0;
    rows.forEach(function (row, index) {
      var c = result.segments[index];
      var late = c.startsAt > c.latestStart;
      setText(row.el, "segment-number", String(index + 1));
      setText(row.el, "segment-starts", clock(c.startsAt));
      setText(row.el, "segment-total", clock(c.total));
      setText(row.el, "segment-latest", clock(c.latestStart));
      row.el.classList.toggle("is-late", late);
      var flag = row.el.querySelector("[data-role=late-flag]");
      if (flag) flag.hidden = !late;
      var list = entryList(row.el);
      list.classList.toggle("is-empty", row.entries.length === 0);
      var empty = row.el.querySelector("[data-role=segment-empty]");
      if (empty) empty.hidden = row.entries.length > 0;
      var up = row.el.querySelector("[data-move=segment-up]");
      var down = row.el.querySelector("[data-move=segment-down]");
      if (up) up.disabled = index === 0;
      if (down) down.disabled = index === rows.length - 1;
      row.entries.forEach(function (entryEl, position) {
        count += 1;
        setText(entryEl, "entry-starts", clock(c.entryStarts[position]));
        setText(entryEl, "entry-number", (index + 1) + "." + (position + 1));
        var entryUp = entryEl.querySelector("[data-move=entry-up]");
        var entryDown = entryEl.querySelector("[data-move=entry-down]");
        if (entryUp) entryUp.disabled = index === 0 && position === 0;
        if (entryDown) entryDown.disabled = index === rows.length - 1 && position === row.entries.length - 1;
        var select = entryEl.querySelector("[data-role=move-to]");
        if (select) select.value = row.el.dataset.segmentId;
      });
    });
    setText(sheet, "planned", clock(result.planned));
    setText(sheet, "entry-count", String(count));
    var over = result.over;
    setText(
      sheet,
      "over",
      over > 0 ? clock(over) + " over the target" : over < 0 ? clock(-over) + " under the target" : "right on target"
    );
    if (summary) summary.classList.toggle("is-over", over > 0);
    return result;
  }

  // --- Status line (aria-live) ------------------------------------------------------------
  var clearTimer = null;
  function say(message, options) {
    options = options || {};
    window.clearTimeout(clearTimer);
    status.classList.toggle("is-error", !!options.error);
    status.textContent = message;
    if (options.reload) {
      status.appendChild(document.createTextNode(" "));
      var link = document.createElement("a");
      link.href = window.location.pathname;
      link.textContent = "Reload the page";
      status.appendChild(link);
    }
    if (options.fade) {
      clearTimer = window.setTimeout(function () { status.textContent = ""; }, 4000);
    }
  }

  if (typeof window.Sortable === "undefined" || !segmentList) return;

  // --- Drag and drop ----------------------------------------------------------------------
  var saved = currentOrder();
  var sortables = [];
  var saving = false;
  var locked = false;

  function setDisabled(disabled) {
    sortables.forEach(function (s) { s.option("disabled", disabled); });
  }

  // Put the rows back in `order` (after a refused save).
  function restore(order) {
    order.forEach(function (segment) {
      var segmentEl = segmentList.querySelector("[data-segment-id='" + segment.id + "']");
      if (!segmentEl) return;
      segmentList.appendChild(segmentEl);
      var list = entryList(segmentEl);
      segment.entries.forEach(function (id) {
        var entryEl = sheet.querySelector("[data-entry-id='" + id + "']");
        if (entryEl) list.appendChild(entryEl);
      });
    });
    recompute();
  }

  // The server's clock is the truth: take its figures (they match unless the page is old).
  function applyServer(body) {
    (body.segments || []).forEach(function (segment) {
      var segmentEl = segmentList.querySelector("[data-segment-id='" + segment.id + "']");
      if (!segmentEl) return;
      segment.entries.forEach(function (entry) {
        var entryEl = segmentEl.querySelector("[data-entry-id='" + entry.id + "']");
        if (entryEl) entryEl.dataset.seconds = entry.seconds;
      });
    });
    if (typeof body.target === "number") target = body.target;
    recompute();
  }

  function save() {
    var order = currentOrder();
    if (locked || saving || sameOrder(order, saved)) return;
    saving = true;
    setDisabled(true);
    sheet.setAttribute("aria-busy", "true");
    say("Saving the new order…");
    fetch(sheet.dataset.reorderUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": sheet.dataset.csrf,
      },
      body: JSON.stringify({ version: version, segments: order }),
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return { response: response, body: body };
        });
      })
      .then(function (result) {
        var response = result.response;
        var body = result.body;
        if (response.ok) {
          version = body.version;
          sheet.dataset.version = String(version);
          saved = order;
          applyServer(body);
          say("Saved.", { fade: true });
        } else if (response.status === 409) {
          restore(saved);
          locked = true;
          sheet.classList.add("is-locked");
          say(
            (body.error || "Someone else changed the run-sheet since you loaded it.") +
              " Your move was not saved and is undone.",
            { error: true, reload: true }
          );
        } else {
          restore(saved);
          say((body.error || "The new order could not be saved.") + " It is back as it was.", {
            error: true,
            reload: response.status === 400,
          });
        }
      })
      .catch(function () {
        restore(saved);
        say("Could not reach Mailbag to save the new order; it is back as it was. Try again.", {
          error: true,
        });
      })
      .then(function () {
        saving = false;
        sheet.removeAttribute("aria-busy");
        setDisabled(locked);
      });
  }

  var common = {
    animation: 150,
    forceFallback: true, // pointer events rather than native drag and drop: same on every browser
    fallbackOnBody: true,
    fallbackTolerance: 3,
    scroll: true,
    bubbleScroll: true,
    ghostClass: "is-ghost",
    chosenClass: "is-chosen",
    dragClass: "is-dragging",
    onChange: recompute,
    onSort: recompute,
    onEnd: function () {
      recompute();
      save();
    },
  };
  function options(extra) {
    var merged = {};
    Object.keys(common).forEach(function (key) { merged[key] = common[key]; });
    Object.keys(extra).forEach(function (key) { merged[key] = extra[key]; });
    return merged;
  }

  sortables.push(
    new window.Sortable(segmentList, options({ handle: ".segment-handle", draggable: "[data-segment-id]" }))
  );
  sheet.querySelectorAll("[data-entry-list]").forEach(function (list) {
    sortables.push(
      new window.Sortable(
        list,
        options({ group: "entries", handle: ".entry-handle", draggable: "[data-entry-id]", emptyInsertThreshold: 24 })
      )
    );
  });
  sheet.classList.add("is-sortable");
})();
