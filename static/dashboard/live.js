// Live inbox and detail pages, plus the inbox's selection and inline clips. Plain JavaScript,
// no WebSocket: the pages ask small JSON views (dashboard/views/live.py) every few seconds,
// only while the tab is visible. Every action still works without this file.
(function () {
  "use strict";

  // --- Polling while visible ---------------------------------------------------------------

  function poller(everyMs, tick) {
    var timer = null;
    var busy = false;
    var stopped = false;

    function schedule() {
      clearTimeout(timer);
      if (!stopped && !document.hidden) timer = setTimeout(run, everyMs);
    }
    function run() {
      if (stopped || busy || document.hidden) return;
      busy = true;
      tick()
        .catch(function () { /* a lost answer: ask again next time */ })
        .then(function (keepGoing) {
          busy = false;
          if (keepGoing === false) stopped = true;
          schedule();
        });
    }
    document.addEventListener("visibilitychange", function () {
      clearTimeout(timer);
      if (!document.hidden) run(); // back on the tab: catch up at once
    });
    schedule();
    return { now: run, stop: function () { stopped = true; clearTimeout(timer); } };
  }

  function getJSON(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      // Logged out (the login page) or gone: stop asking.
      if (!response.ok || type.indexOf("application/json") !== 0) return null;
      return response.json();
    });
  }

  function fromHTML(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  // --- The inbox ---------------------------------------------------------------------------

  var inbox = document.querySelector("[data-live-inbox]");
  var baseTitle = document.title;

  function rowsList() {
    var list = document.querySelector("ol.submission-rows");
    if (!list) {
      // The empty inbox: make room for the first row.
      var empty = document.querySelector(".card.empty");
      list = document.createElement("ol");
      list.className = "submission-rows";
      if (empty) empty.replaceWith(list);
      else inbox.parentNode.appendChild(list);
    }
    return list;
  }

  function keepSelection(oldRow, newRow) {
    var was = oldRow.querySelector("input[name=ids]");
    var now = newRow.querySelector("input[name=ids]");
    if (was && now) now.checked = was.checked;
    var focused = document.activeElement;
    var label = oldRow.contains(focused) && focused.getAttribute("aria-label");
    if (label) {
      var same = newRow.querySelector('[aria-label="' + CSS.escape(label) + '"]');
      if (same) setTimeout(function () { same.focus(); }, 0);
    }
  }

  if (inbox) {
    var cfg = inbox.dataset;
    var since = cfg.since;
    var loaded = cfg.since;
    var insert = cfg.insert === "1";
    var waiting = {}; // new rows not shown here, by id
    var banner = document.querySelector("[data-live-banner]");
    var bannerLink = document.querySelector("[data-live-banner-link]");

    var updateBanner = function (more) {
      var n = Object.keys(waiting).length;
      if (!banner || (!n && !more)) return;
      bannerLink.textContent = n
        ? n + " new submission" + (n === 1 ? "" : "s") + ", show them"
        : "More changes than fit here, show them";
      banner.hidden = false;
    };

    var apply = function (data) {
      if (!data) return false;
      since = data.now;
      var fresh = [];
      data.rows.forEach(function (row) {
        var current = document.getElementById("submission-" + row.id);
        if (current) {
          if (current.dataset.updated === row.updated_at) return;
          var replacement = fromHTML(row.html);
          keepSelection(current, replacement);
          current.replaceWith(replacement);
          enhanceClips(replacement);
        } else if (row.new) {
          if (insert) fresh.push(row);
          else waiting[row.id] = true;
        }
      });
      // Newest on top: put the oldest first, each above the one before.
      fresh.sort(function (a, b) { return a.id - b.id; }).forEach(function (row) {
        var element = fromHTML(row.html);
        element.classList.add("is-live-new");
        var list = rowsList();
        list.insertBefore(element, list.firstElementChild);
        enhanceClips(element);
      });
      Object.keys(data.counts || {}).forEach(function (status) {
        document.querySelectorAll("[data-count='" + status + "']").forEach(function (badge) {
          badge.textContent = data.counts[status];
        });
      });
      document.title = data.new_count > 0 ? "(" + data.new_count + ") " + baseTitle : baseTitle;
      updateBanner(data.more);
      updateSelection();
      return true;
    };

    poller(parseInt(cfg.pollMs, 10) || 4000, function () {
      var query = "?since=" + encodeURIComponent(since) + "&loaded=" + encodeURIComponent(loaded) +
        "&here=" + encodeURIComponent(cfg.here || "");
      return getJSON(cfg.url + query).then(apply);
    });
  }

  // --- The selection and the action bar ------------------------------------------------------

  var bulkForm = document.getElementById("bulk-form");
  var selectAll = document.querySelector("[data-select-all]");
  var bulkCount = document.querySelector("[data-bulk-count]");

  function ticks() {
    return Array.prototype.slice.call(document.querySelectorAll("input[name=ids][form=bulk-form]"));
  }

  function updateSelection() {
    if (!bulkForm) return;
    var all = ticks();
    var chosen = all.filter(function (box) { return box.checked; });
    all.forEach(function (box) {
      var row = box.closest(".submission-row");
      if (row) row.classList.toggle("is-selected", box.checked);
    });
    if (bulkCount) {
      bulkCount.textContent = chosen.length
        ? chosen.length + " selected:"
        : "Tick submissions, then:";
    }
    if (selectAll) {
      selectAll.checked = all.length > 0 && chosen.length === all.length;
      selectAll.indeterminate = chosen.length > 0 && chosen.length < all.length;
    }
  }

  if (bulkForm) {
    document.addEventListener("change", function (event) {
      if (event.target.matches("input[name=ids][form=bulk-form]")) updateSelection();
    });
    if (selectAll) {
      selectAll.addEventListener("change", function () {
        ticks().forEach(function (box) { box.checked = selectAll.checked; });
        updateSelection();
      });
    }
    bulkForm.addEventListener("submit", function (event) {
      if (!ticks().some(function (box) { return box.checked; })) {
        event.preventDefault();
        if (bulkCount) bulkCount.textContent = "Tick at least one submission first:";
      }
    });
    updateSelection();
  }

  // --- Inline clips: one shared <audio>, a play/pause button per row ---------------------------

  var clipPlayer = document.querySelector("[data-clip-player]");
  var playing = null;

  function setPressed(link, on) {
    link.setAttribute("aria-pressed", on ? "true" : "false");
    var icon = link.querySelector(".play-icon");
    if (icon) icon.textContent = on ? "\u275a\u275a" : "\u25b6";
  }

  function enhanceClips(root) {
    if (!clipPlayer) return;
    root.querySelectorAll("[data-play-clip]").forEach(function (link) {
      link.setAttribute("role", "button");
      setPressed(link, false);
    });
  }

  function toggleClip(link) {
    var src = link.getAttribute("href");
    if (playing === link && !clipPlayer.paused) {
      clipPlayer.pause();
      return;
    }
    if (playing && playing !== link) setPressed(playing, false);
    if (clipPlayer.getAttribute("src") !== src) clipPlayer.setAttribute("src", src);
    playing = link;
    setPressed(link, true);
    var started = clipPlayer.play();
    if (started && started.catch) {
      started.catch(function () {
        setPressed(link, false);
        window.location.href = src; // cannot play here: open the recording instead
      });
    }
  }

  if (clipPlayer) {
    enhanceClips(document);
    document.addEventListener("click", function (event) {
      var link = event.target.closest("[data-play-clip]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      toggleClip(link);
    });
    document.addEventListener("keydown", function (event) {
      var link = event.target.closest && event.target.closest("[data-play-clip]");
      if (link && event.key === " ") {
        event.preventDefault();
        toggleClip(link);
      }
    });
    ["pause", "ended"].forEach(function (name) {
      clipPlayer.addEventListener(name, function () { if (playing) setPressed(playing, false); });
    });
    clipPlayer.addEventListener("play", function () { if (playing) setPressed(playing, true); });
  }

  // --- The detail page: the transcript as soon as it is ready ---------------------------------

  var detail = document.querySelector("[data-live-detail]");
  var WAITING = ["pending", "running"];

  if (detail) {
    var state = detail.dataset.state;
    var status = detail.dataset.status;
    var showState = function (data) {
      var badges = document.querySelector("[data-live-badges]");
      if (badges && data.badges_html) badges.innerHTML = data.badges_html;
      var fact = document.querySelector("#transcription .facts .badge");
      if (fact) {
        fact.className = "badge badge-" + data.transcription_state;
        fact.textContent = data.transcription_label;
      }
    };
    var follow = poller(parseInt(detail.dataset.pollMs, 10) || 4000, function () {
      return getJSON(detail.dataset.url).then(function (data) {
        if (!data) return false;
        if (data.transcription_state !== state || data.status !== status) showState(data);
        if (data.transcription_state !== state && data.transcript_html) {
          var card = document.getElementById("transcript");
          if (card) card.replaceWith(fromHTML(data.transcript_html));
          document.dispatchEvent(new CustomEvent("mailbag:content"));
        }
        state = data.transcription_state;
        status = data.status;
        return WAITING.indexOf(state) !== -1;
      });
    });
    if (WAITING.indexOf(state) === -1) follow.stop();
  }
})();
