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
  var consentInput = form.querySelector('input[name="consent"]');
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
      ["consent", hasAudio && consentInput && !consentInput.checked ? messages.needs_consent : ""],
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

  var state = "idle"; // idle | starting | recording | recorded
  var stream = null;
  var recorder = null;
  var chunks = [];
  var startedAt = 0;
  var ticker = null;
  var stopTimer = null;
  var autoStopped = false;
  var warned = false;
  var previewUrl = null;

  var el = root && {
    record: root.querySelector('[data-action="record"]'),
    recordLabel: root.querySelector("[data-record-label]"),
    stop: root.querySelector('[data-action="stop"]'),
    rerecord: root.querySelector('[data-action="rerecord"]'),
    discard: root.querySelector('[data-action="discard"]'),
    clock: root.querySelector("[data-clock]"),
    elapsed: root.querySelector("[data-elapsed]"),
    remaining: root.querySelector("[data-remaining]"),
    progress: root.querySelector("[data-progress]"),
    review: root.querySelector("[data-review]"),
    preview: root.querySelector("[data-preview]"),
    status: root.querySelector("[data-status]"),
  };

  function say(message) {
    el.status.textContent = message;
  }

  function render() {
    el.record.hidden = state === "recording" || state === "recorded";
    el.record.disabled = state === "starting";
    el.recordLabel.textContent = state === "starting" ? "Starting…" : "Record";
    el.stop.hidden = state !== "recording";
    el.clock.hidden = state !== "recording";
    el.review.hidden = state !== "recorded";
    root.classList.toggle("is-recording", state === "recording");
    // A recording replaces the upload; discard it to upload a file instead.
    if (upload) upload.hidden = state === "recording" || state === "recorded";
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
    micProblem.textContent = message;
    micProblem.hidden = false;
    say("");
  }

  function releaseMicrophone() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
  }

  function clearTimers() {
    if (ticker) clearInterval(ticker);
    if (stopTimer) clearTimeout(stopTimer);
    ticker = stopTimer = null;
  }

  function tick() {
    var elapsed = Math.min(maxSeconds, (performance.now() - startedAt) / 1000);
    var left = maxSeconds - elapsed;
    el.elapsed.textContent = clock(elapsed);
    el.remaining.textContent = clock(Math.ceil(left)) + " left";
    el.progress.value = elapsed;
    if (!warned && maxSeconds > 20 && left <= 10) {
      warned = true;
      say("10 seconds left.");
    }
  }

  function forget() {
    recording = null;
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = null;
    el.preview.removeAttribute("src");
    el.preview.load();
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
      recorder.addEventListener("dataavailable", function (event) {
        if (event.data && event.data.size) chunks.push(event.data);
      });
      recorder.addEventListener("stop", finish);
      recorder.start(1000);
      startedAt = performance.now();
      state = "recording";
      render();
      tick();
      ticker = setInterval(tick, 250);
      stopTimer = setTimeout(function () {
        autoStopped = true;
        stop();
      }, maxSeconds * 1000);
      say("Recording. It stops by itself after " + spoken(maxSeconds) + ".");
      el.stop.focus();
    }, function (error) {
      state = "idle";
      render();
      micFailed(error);
      el.record.focus();
    });
  }

  function stop() {
    clearTimers();
    if (recorder && recorder.state !== "inactive") recorder.stop();
    releaseMicrophone();
  }

  function finish() {
    var seconds = Math.min(maxSeconds, (performance.now() - startedAt) / 1000);
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
    recording = { blob: blob, seconds: seconds };
    previewUrl = URL.createObjectURL(blob);
    el.preview.src = previewUrl;
    if (fileInput) fileInput.value = "";
    showError("audio", "");
    state = "recorded";
    render();
    say(
      (autoStopped ? "Stopped at the " + spoken(maxSeconds) + " limit. " : "Recorded " + spoken(seconds) + ". ") +
      "Play it back, record again, or send it."
    );
    el.preview.focus();
  }

  function discard() {
    forget();
    state = "idle";
    render();
    say("Recording discarded.");
    el.record.focus();
  }

  if (canRecord) {
    root.hidden = false;
    if (upload) {
      var label = upload.querySelector("[data-upload-label]");
      if (label) label.textContent = "Or upload a recording";
    }
    el.record.addEventListener("click", start);
    el.stop.addEventListener("click", stop);
    el.rerecord.addEventListener("click", start);
    el.discard.addEventListener("click", discard);
    render();
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
    if (state === "recording" || state === "starting") {
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
