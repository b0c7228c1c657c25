// One scan component for every scan step: keyboard-wedge bursts, the camera (static/camera.js, loaded
// when first used), and a sound and vibration on each answer. The page's current scan field is the element
// marked [data-scan-field]; every way of scanning ends by submitting that field's form.
(function () {
  "use strict";

  var BURST_GAP_MS = 35;      // a handheld scanner types faster than any person
  var MIN_BURST = 4;

  function scanField() {
    var fields = document.querySelectorAll("[data-scan-field]");
    for (var i = fields.length - 1; i >= 0; i--) {
      if (!fields[i].disabled && fields[i].offsetParent !== null) return fields[i];
    }
    return null;
  }

  function submitScan(value) {
    var field = scanField();
    if (!field) return false;
    field.value = value;
    if (field.form.requestSubmit) field.form.requestSubmit(); else field.form.submit();
    return true;
  }
  window.comptoirSubmitScan = submitScan;
  window.comptoirScanField = scanField;

  // --- Feedback: a short sound and a vibration, different for success and refusal -------------
  var audio = null;
  function tone(freq, start, length) {
    var osc = audio.createOscillator(), gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.2, audio.currentTime + start);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + start + length);
    osc.connect(gain).connect(audio.destination);
    osc.start(audio.currentTime + start);
    osc.stop(audio.currentTime + start + length);
  }
  function feedback(kind) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (kind === "ok") { tone(1320, 0, 0.12); } else { tone(220, 0, 0.18); tone(220, 0.25, 0.18); }
    } catch (e) { /* no sound on this device */ }
    if (navigator.vibrate) navigator.vibrate(kind === "ok" ? 60 : [120, 80, 120]);
    document.documentElement.dataset.lastFeedback = kind;
  }
  // Read out by screen readers: the live region stays on the page while the screens swap under it, so
  // the answer is announced, not only shown in colour, sound and vibration.
  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region) return;
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 50);
  }
  function answered() {
    var marker = document.querySelector("[data-feedback]:not([data-fed])");
    if (!marker) return;
    marker.dataset.fed = "1";
    feedback(marker.dataset.feedback);
    announce(marker.textContent.trim());
    if (window.comptoirCamera) window.comptoirCamera.show(marker);  // over the camera's view too
  }
  document.addEventListener("htmx:afterSettle", answered);
  document.addEventListener("comptoir:offline", answered);  // the device answered (static/offline.js shows it first)

  // --- A scan on a screen with no scan field: the server (or the device, offline) says what it is --------
  function atRest(text) {
    var box = document.querySelector("[data-scan-answer]");
    if (!box || !window.htmx) return;
    box.textContent = "";
    window.htmx.ajax("POST", box.dataset.url, { source: box, target: box, swap: "innerHTML", values: { texte: text } });
  }
  document.addEventListener("htmx:beforeOnLoad", function (evt) {
    var xhr = evt.detail.xhr;
    if (!evt.detail.elt || !evt.detail.elt.matches || !evt.detail.elt.matches("[data-scan-answer]")) return;
    if (xhr && xhr.getResponseHeader("HX-Redirect")) {  // it names something: it opens
      feedback("ok");
      announce(evt.detail.elt.dataset.opening || "");
    }
  });

  // --- Keyboard wedge: catch a burst even when the focus is elsewhere ------------------------
  var burst = "", lastKey = 0;
  function typingTarget(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  document.addEventListener("keydown", function (evt) {
    var field = scanField();
    if (evt.target === field || evt.ctrlKey || evt.metaKey || evt.altKey) return;
    // When the key was pressed (not when this handler ran): a busy page must not cut a burst in two.
    var now = evt.timeStamp || performance.now(), fast = now - lastKey < BURST_GAP_MS;
    if (evt.key === "Enter") {
      // A field being typed in keeps its Enter too: it sends its own form, with everything typed in it
      // (a burst counted from a pause would be only the end of what was typed).
      if (burst.length >= MIN_BURST && fast && !typingTarget(evt.target)) {
        evt.preventDefault();
        if (field) submitScan(burst); else atRest(burst);
      }
      burst = "";
      return;
    }
    // The space bar presses the button with the focus (keyboard use); labels and notices hold no space.
    if (evt.key.length !== 1 || evt.key === " ") return;
    if (!fast) burst = "";
    burst += evt.key;
    lastKey = now;
    // Someone typing in another field keeps their keys; a page with nothing focused hands them over.
    if (field && !typingTarget(evt.target)) {
      // Move the burst into the scan field: this key by hand, the next ones land there by themselves.
      evt.preventDefault();
      if (burst.length === 1) field.value = "";
      field.value += evt.key;
      field.focus();
    }
  }, true);

  // --- Camera: static/camera.js, loaded when first used ------------------------------------
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src; s.onload = resolve; s.onerror = reject;
      document.head.appendChild(s);
    });
  }
  window.comptoirLoadScript = loadScript;
  var cameraScript = null;  // loaded once, however many taps come while it loads
  function openCamera() {
    var template = document.getElementById("camera-template");
    if (!template) return;
    cameraScript = cameraScript || loadScript(template.dataset.cameraSrc);
    cameraScript.then(function () { window.comptoirCamera.open(); }, function () {
      cameraScript = null;  // tried again at the next tap; meanwhile, typing works
      var box = document.querySelector("[data-scan-answer]"), message = document.createElement("p");
      message.className = "error";
      message.setAttribute("role", "alert");
      message.textContent = template.dataset.noCamera;
      if (box) box.replaceChildren(message);
    });
  }
  document.addEventListener("click", function (evt) {
    if (evt.target.closest("[data-camera]")) { evt.preventDefault(); openCamera(); }
  });
  // A camera the associate opened stays on across the screens of a workflow (static/camera.js).
  document.addEventListener("DOMContentLoaded", function () {
    try { if (sessionStorage.getItem("comptoir.camera") === "1" && scanField()) openCamera(); } catch (e) { /* private mode */ }
  });
})();
