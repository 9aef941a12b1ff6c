// Voice recorder for the ask page. Progressive enhancement: without this script (or without
// MediaRecorder) the page is a plain form with a text box and a file upload, and the server
// checks everything again whatever happens here.
(function () {
  "use strict";

  var form = document.getElementById("ask-form");
  if (!form) return;

  var root = form.querySelector("[data-recorder]");
  var upload = form.querySelector("[data-upload]");
  var fileInput = form.querySelector('input[type="file"][name="audio"]');
  var textInput = form.querySelector('textarea[name="text"]');
  var emailInput = form.querySelector('input[name="email"]');
  var sendButton = form.querySelector("[data-send]");
  var micProblem = form.querySelector("[data-mic-problem]");
  var messages = JSON.parse(document.getElementById("ask-messages").textContent);
  var maxSeconds = Number(form.dataset.maxSeconds) || 90;
  var maxBytes = Number(form.dataset.maxBytes) || Infinity;
  var sendLabel = sendButton.textContent;

  // Preferred first: Chrome and Firefox record Opus in WebM (Firefox also in Ogg), Safari AAC in MP4.
  var CANDIDATE_TYPES = [
    "audio/webm;codecs=opus",
    "audio/ogg;codecs=opus",
    "audio/mp4;codecs=mp4a.40.2",
    "audio/mp4",
    "audio/webm",
  ];

  function clock(seconds) {
    var whole = Math.max(0, Math.floor(seconds));
    return Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
  }

  function spoken(seconds) {
    // Worded like the server's limits: "90 seconds", "2 minutes", "1 second".
    var whole = Math.max(0, Math.round(seconds));
    if (whole >= 120 && whole % 60 === 0) return whole / 60 + " minutes";
    return whole + (whole === 1 ? " second" : " seconds");
  }

  function showError(field, message) {
    var slot = form.querySelector('[data-errors-for="' + field + '"]');
    var control = form.querySelector('[name="' + field + '"]');
    if (!slot) return;
    slot.textContent = "";
    var holder = slot.closest(".field");
    if (message) {
      var list = document.createElement("ul");
      var item = document.createElement("li");
      list.className = "errorlist";
      item.textContent = message;
      list.appendChild(item);
      slot.appendChild(list);
    }
    if (holder) holder.classList.toggle("has-error", !!message);
    if (control) {
      if (message) control.setAttribute("aria-invalid", "true");
      else control.removeAttribute("aria-invalid");
    }
  }

  // --- Checks before sending, so a recording is not lost to a round trip --------------------

  var recording = null; // {blob, seconds} once something has been recorded

  function chosenFile() {
    return fileInput && fileInput.files && fileInput.files.length ? fileInput.files[0] : null;
  }

  function validate() {
    var file = chosenFile();
    var hasAudio = !!recording || !!file;
    var problems = [];
    var text = textInput ? textInput.value.trim() : "";
    var checks = [
      ["text", !text && !hasAudio ? messages.needs_text_or_audio : ""],
      ["audio", file && file.size > maxBytes ? messages.too_large : ""],
      ["email", emailInput && emailInput.value && !emailInput.validity.valid ? messages.email : ""],
    ];
    checks.forEach(function (check) {
      showError(check[0], check[1]);
      if (check[1]) problems.push(check[0]);
    });
    return problems;
  }

  if (fileInput) {
    fileInput.addEventListener("change", function () {
      var file = chosenFile();
      showError("audio", file && file.size > maxBytes ? messages.too_large : "");
    });
  }

  // --- The recorder ---------------------------------------------------------------------------

  var canRecord = !!(
    root &&
    navigator.mediaDevices &&
    navigator.mediaDevices.getUserMedia &&
    window.MediaRecorder
  );
  var store = window.MailbagRecordingStore || null;

  // About -50 dBFS: a muted or dead microphone reads near zero, while even a quiet room
  // (the pauses in tests/fixtures/audio/jfk.wav) stays around 0.01.
  var SILENCE_RMS = 0.003;
  var SILENCE_HINT_MS = 3000;
  var KEEP_FOR_MS = 7 * 24 * 3600 * 1000; // an unsent recording kept in IndexedDB

  var state = "idle"; // idle | starting | recording | paused | recorded
  var stream = null;
  var recorder = null;
  var chunks = [];
  var recordedBefore = 0; // seconds recorded before the latest resume
  var resumedAt = 0;
  var ticker = null;
  var stopTimer = null;
  var autoStopped = false;
  var warned = false;
  var previewUrl = null;
  var audioContext = null;
  var analyser = null;
  var samples = null;
  var quietSince = 0;

  var el = root && {
    record: root.querySelector('[data-action="record"]'),
    recordLabel: root.querySelector("[data-record-label]"),
    pause: root.querySelector('[data-action="pause"]'),
    stop: root.querySelector('[data-action="stop"]'),
    rerecord: root.querySelector('[data-action="rerecord"]'),
    discard: root.querySelector('[data-action="discard"]'),
    clock: root.querySelector("[data-clock]"),
    elapsed: root.querySelector("[data-elapsed]"),
    remaining: root.querySelector("[data-remaining]"),
    progress: root.querySelector("[data-progress]"),
    level: root.querySelector("[data-level]"),
    silentHint: root.querySelector("[data-silent-hint]"),
    review: root.querySelector("[data-review]"),
    preview: root.querySelector("[data-preview]"),
    length: root.querySelector("[data-length]"),
    status: root.querySelector("[data-status]"),
  };

  function say(message) {
    el.status.textContent = message;
  }

  function render() {
    var live = state === "recording" || state === "paused";
    el.record.hidden = live || state === "recorded";
    el.record.disabled = state === "starting";
    el.recordLabel.textContent = state === "starting" ? "Starting…" : "Record";
    el.pause.hidden = !live || typeof recorder.pause !== "function";
    el.pause.textContent = state === "paused" ? "Resume" : "Pause";
    el.stop.hidden = !live;
    el.clock.hidden = !live;
    el.review.hidden = state !== "recorded";
    if (state !== "recording") el.silentHint.hidden = true;
    root.classList.toggle("is-recording", state === "recording");
    root.classList.toggle("is-paused", state === "paused");
    // A recording replaces the upload; discard it to upload a file instead.
    if (upload) upload.hidden = live || state === "recorded";
  }

  function pickType() {
    if (typeof MediaRecorder.isTypeSupported !== "function") return "";
    for (var i = 0; i < CANDIDATE_TYPES.length; i++) {
      if (MediaRecorder.isTypeSupported(CANDIDATE_TYPES[i])) return CANDIDATE_TYPES[i];
    }
    return "";
  }

  function extensionFor(type) {
    if (type.indexOf("ogg") !== -1) return "ogg";
    if (type.indexOf("mp4") !== -1 || type.indexOf("aac") !== -1) return "m4a";
    return "webm";
  }

  function showMicProblem(message) {
    micProblem.textContent = message;
    micProblem.hidden = false;
  }

  function micFailed(error) {
    var name = error && error.name;
    var message;
    if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
      message = messages.mic_denied;
    } else if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") {
      message = messages.mic_missing;
    } else if (name === "NotReadableError" || name === "TrackStartError" || name === "AbortError") {
      message = messages.mic_busy;
    } else {
      message = messages.mic_unsupported;
    }
    showMicProblem(message);
    say("");
  }

  function releaseMicrophone() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    if (audioContext) audioContext.close();
    audioContext = analyser = null;
    el.level.value = 0;
  }

  function clearTimers() {
    if (ticker) clearInterval(ticker);
    if (stopTimer) clearTimeout(stopTimer);
    ticker = stopTimer = null;
  }

  // Seconds actually recorded, pauses left out: the recorder's own clock. A WebM from
  // MediaRecorder carries no duration, so this is the length the listener is shown.
  function recordedSeconds() {
    var running = state === "recording" ? (performance.now() - resumedAt) / 1000 : 0;
    return Math.min(maxSeconds, recordedBefore + running);
  }

  function listen() {
    // The level meter and the silence hint. Without Web Audio the recorder still records.
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      audioContext = new Context();
      analyser = audioContext.createAnalyser();
      analyser.fftSize = 2048;
      audioContext.createMediaStreamSource(stream).connect(analyser);
      samples = new Float32Array(analyser.fftSize);
    } catch (error) {
      audioContext = analyser = null;
    }
  }

  function measure() {
    if (!analyser || state !== "recording") return;
    analyser.getFloatTimeDomainData(samples);
    var sum = 0;
    for (var i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
    var rms = Math.sqrt(sum / samples.length);
    // Speech sits around 0.02-0.3 RMS; a square root spreads that over the meter.
    el.level.value = Math.min(1, Math.sqrt(rms * 3));
    var now = performance.now();
    if (rms >= SILENCE_RMS) {
      quietSince = now;
      if (!el.silentHint.hidden) {
        el.silentHint.hidden = true;
        say("We can hear you now.");
      }
    } else if (el.silentHint.hidden && now - quietSince >= SILENCE_HINT_MS) {
      el.silentHint.hidden = false;
      say(el.silentHint.textContent);
    }
  }

  function tick() {
    var elapsed = recordedSeconds();
    var left = maxSeconds - elapsed;
    el.elapsed.textContent = clock(elapsed);
    el.remaining.textContent = clock(Math.ceil(left)) + " left";
    el.progress.value = elapsed;
    if (state === "recording" && !warned && maxSeconds > 20 && left <= 10) {
      warned = true;
      say("10 seconds left.");
    }
    measure();
  }

  function runClock() {
    // The limit counts recorded time only, so a pause moves it back.
    ticker = setInterval(tick, 100);
    stopTimer = setTimeout(function () {
      autoStopped = true;
      stop();
    }, Math.max(0, (maxSeconds - recordedBefore) * 1000));
  }

  function forget() {
    recording = null;
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = null;
    el.preview.removeAttribute("src");
    el.preview.load();
    delete root.dataset.restored;
  }

  function start() {
    forget();
    micProblem.hidden = true;
    state = "starting";
    render();
    say("Asking for your microphone…");
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (granted) {
      stream = granted;
      var type = pickType();
      try {
        recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
      } catch (error) {
        releaseMicrophone();
        state = "idle";
        render();
        micFailed(error);
        return;
      }
      chunks = [];
      autoStopped = false;
      warned = false;
      recordedBefore = 0;
      recorder.addEventListener("dataavailable", function (event) {
        if (event.data && event.data.size) chunks.push(event.data);
      });
      recorder.addEventListener("stop", finish);
      listen();
      recorder.start(1000);
      resumedAt = quietSince = performance.now();
      state = "recording";
      render();
      tick();
      runClock();
      say("Recording. It stops by itself after " + spoken(maxSeconds) + ".");
      el.stop.focus();
    }, function (error) {
      state = "idle";
      render();
      micFailed(error);
      el.record.focus();
    });
  }

  function pauseOrResume() {
    if (state === "recording") {
      recordedBefore = recordedSeconds();
      clearTimers();
      recorder.pause();
      el.level.value = 0; // nothing is being heard while paused
      state = "paused";
      render();
      tick();
      say("Paused at " + clock(recordedBefore) + ". Resume when you are ready.");
    } else if (state === "paused") {
      recorder.resume();
      resumedAt = quietSince = performance.now();
      state = "recording";
      render();
      runClock();
      say("Recording again.");
    }
  }

  function stop() {
    if (state === "recording") recordedBefore = recordedSeconds();
    clearTimers();
    if (recorder && recorder.state !== "inactive") recorder.stop();
    releaseMicrophone();
  }

  function fixPreviewDuration() {
    // Chromium's WebM from MediaRecorder has no duration, so the player shows an endless
    // track that cannot be scrubbed. Seeking far past the end makes it read the whole file
    // and learn the real duration; then go back to the start.
    var audio = el.preview;
    audio.addEventListener("loadedmetadata", function () {
      if (isFinite(audio.duration)) return;
      audio.addEventListener("durationchange", function back() {
        if (!isFinite(audio.duration)) return;
        audio.removeEventListener("durationchange", back);
        audio.currentTime = 0;
      });
      audio.currentTime = 1e101;
    }, { once: true });
  }

  function showRecording(blob, seconds) {
    recording = { blob: blob, seconds: seconds };
    previewUrl = URL.createObjectURL(blob);
    fixPreviewDuration();
    el.preview.src = previewUrl;
    el.length.textContent = clock(Math.round(seconds));
    if (fileInput) fileInput.value = "";
    showError("audio", "");
    state = "recorded";
    render();
  }

  function finish() {
    var seconds = Math.min(maxSeconds, recordedBefore);
    var type = recorder.mimeType || (chunks[0] && chunks[0].type) || "audio/webm";
    var blob = new Blob(chunks, { type: type });
    recorder = null;
    chunks = [];
    if (!blob.size) {
      state = "idle";
      render();
      say("Nothing was recorded. Please try again.");
      el.record.focus();
      return;
    }
    showRecording(blob, seconds);
    if (store) store.save(recording);
    say(
      (autoStopped ? "Stopped at the " + spoken(maxSeconds) + " limit. " : "Recorded " + spoken(seconds) + ". ") +
      "Play it back, record again, or send it."
    );
    el.preview.focus();
  }

  function discard() {
    forget();
    if (store) store.clear();
    state = "idle";
    render();
    say("Recording discarded.");
    el.record.focus();
  }

  function restore() {
    // A recording kept from an earlier visit that never reached the hosts (a reload, Back,
    // a refused send). Other scripts (and tests) can wait for the "mailbag:recording-restored"
    // event or root's data-restored attribute.
    if (!store) return;
    store.load().then(function (kept) {
      if (!kept || !kept.blob || !kept.blob.size || state !== "idle") return;
      // On a shared computer the next person should not find it: keep a week, no longer.
      if (!(Date.now() - kept.savedAt < KEEP_FOR_MS)) {
        store.clear();
        return;
      }
      showRecording(kept.blob, Number(kept.seconds) || 0);
      root.dataset.restored = "true";
      say("We kept your recording from before (" + spoken(kept.seconds) + "). Play it back, record again, or send it.");
      root.dispatchEvent(new CustomEvent("mailbag:recording-restored", { bubbles: true }));
    });
  }

  if (canRecord) {
    root.hidden = false;
    if (upload) {
      var label = upload.querySelector("[data-upload-label]");
      if (label) label.textContent = "Or upload a recording";
    }
    el.record.addEventListener("click", start);
    el.pause.addEventListener("click", pauseOrResume);
    el.stop.addEventListener("click", stop);
    el.rerecord.addEventListener("click", start);
    el.discard.addEventListener("click", discard);
    render();
    restore();
  } else if (root && (!window.isSecureContext || !navigator.mediaDevices)) {
    // Browsers hide the microphone from pages not served over https (localhost excepted).
    showMicProblem(messages.mic_insecure || messages.mic_unsupported);
  }

  // --- Sending -------------------------------------------------------------------------------

  function attachRecording(file) {
    // Put the recording into the ordinary file field, so the form posts as it would without JS.
    try {
      var transfer = new DataTransfer();
      transfer.items.add(file);
      fileInput.files = transfer.files;
      return fileInput.files.length === 1;
    } catch (error) {
      return false;
    }
  }

  function sendWithFetch(file) {
    // Older browsers cannot set a file input's files: post the same fields ourselves.
    var data = new FormData(form);
    data.set("audio", file);
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        if (response.redirected) {
          window.location.assign(response.url);
          return null;
        }
        return response.text().then(function (html) {
          document.open();
          document.write(html);
          document.close();
        });
      })
      .catch(function () {
        sendButton.disabled = false;
        sendButton.textContent = sendLabel;
        say("Sending failed. Check your connection and try again: your recording is still here.");
      });
  }

  form.addEventListener("submit", function (event) {
    if (state === "recording" || state === "paused" || state === "starting") {
      event.preventDefault();
      say("Stop the recording first, then send it.");
      el.stop.focus();
      return;
    }
    var problems = validate();
    if (problems.length) {
      event.preventDefault();
      var first = form.querySelector('[name="' + problems[0] + '"]');
      if (first && first.offsetParent !== null) first.focus();
      else if (problems[0] === "audio" && el) el.record.focus();
      return;
    }
    sendButton.disabled = true;
    sendButton.textContent = "Sending…";
    if (!recording) return;
    var file = new File([recording.blob], "recording." + extensionFor(recording.blob.type), {
      type: recording.blob.type,
    });
    if (!attachRecording(file)) {
      event.preventDefault();
      sendWithFetch(file);
    }
  });

  // Coming back with the Back button restores the page from cache with the button still busy.
  window.addEventListener("pageshow", function () {
    sendButton.disabled = false;
    sendButton.textContent = sendLabel;
  });
})();
