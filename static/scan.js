// One scan component for every scan step: keyboard-wedge bursts, the camera with live decoding,
// the torch, and a sound and vibration on each answer. The page's current scan field is the element
// marked [data-scan-field]; every way of scanning ends by submitting that field's form.
(function () {
  "use strict";

  var BURST_GAP_MS = 35;      // a handheld scanner types faster than any person
  var MIN_BURST = 4;
  var SAME_CODE_PAUSE_MS = 2500;

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
    if (camera) {  // the answer shows over the camera view too
      var result = camera.overlay.querySelector("[data-camera-result]");
      result.textContent = marker.textContent.trim();
      result.className = "camera-result " + marker.dataset.feedback;
    }
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

  // --- Camera --------------------------------------------------------------------------------
  var camera = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src; s.onload = resolve; s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  var FORMATS = ["qr_code", "code_128", "ean_13", "ean_8", "data_matrix"];
  function detector(template) {
    // The browser's own detector where it has one (Android); else the polyfill, loaded now, not before.
    if ("BarcodeDetector" in window) {
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        var usable = FORMATS.filter(function (f) { return formats.indexOf(f) >= 0; });
        if (usable.indexOf("code_128") >= 0 && usable.indexOf("qr_code") >= 0) {
          return new window.BarcodeDetector({ formats: usable });
        }
        return polyfill(template);
      });
    }
    return polyfill(template);
  }
  function polyfill(template) {
    var ready = window.BarcodeDetectionAPI ? Promise.resolve() : loadScript(template.dataset.decoderSrc);
    return ready.then(function () {
      var api = window.BarcodeDetectionAPI, wasm = template.dataset.wasmSrc;
      api.setZXingModuleOverrides({
        locateFile: function (path, prefix) { return path.endsWith(".wasm") ? wasm : prefix + path; }
      });
      return new api.BarcodeDetector({ formats: FORMATS });
    });
  }

  function showMessage(overlay, text) {
    var box = overlay.querySelector("[data-camera-message]");
    box.textContent = text;
    box.hidden = false;
  }

  // A camera the associate opened stays on across the screens of a workflow (a pickup opens on a new
  // page) until they close it themselves.
  var KEEP = "comptoir.camera";
  function remember(on) {
    try { if (on) sessionStorage.setItem(KEEP, "1"); else sessionStorage.removeItem(KEEP); } catch (e) { /* private mode */ }
  }
  function remembered() {
    try { return sessionStorage.getItem(KEEP) === "1"; } catch (e) { return false; }
  }

  function closeCamera() {
    if (!camera) return;
    camera.stopped = true;
    if (camera.stream) camera.stream.getTracks().forEach(function (t) { t.stop(); });
    camera.overlay.remove();
    camera = null;
    var field = scanField();
    if (field) field.focus();
  }
  window.comptoirCloseCamera = closeCamera;

  function setupTorch(overlay, track) {
    var button = overlay.querySelector("[data-torch]");
    var caps = track.getCapabilities ? track.getCapabilities() : {};
    if (!caps.torch) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var on = button.getAttribute("aria-pressed") !== "true";
      track.applyConstraints({ advanced: [{ torch: on }] }).then(function () {
        button.setAttribute("aria-pressed", on ? "true" : "false");
      }).catch(function () { button.hidden = true; });
    });
  }

  function decodeLoop(video, found) {
    var last = "", lastAt = 0;
    function tick() {
      if (!camera || camera.stopped) return;
      var run = video.readyState >= 2 ? camera.detector.detect(video) : Promise.resolve([]);
      run.then(function (codes) {
        var value = codes.length ? codes[0].rawValue : "";
        var now = performance.now();
        if (value && (value !== last || now - lastAt > SAME_CODE_PAUSE_MS)) {
          last = value; lastAt = now;
          found(value);
        }
      }).catch(function () {}).then(function () { setTimeout(tick, 120); });
    }
    tick();
  }

  function openCamera() {
    var template = document.getElementById("camera-template");
    if (!template || camera) return;
    var overlay = template.content.firstElementChild.cloneNode(true);
    document.body.appendChild(overlay);
    camera = { overlay: overlay, stopped: false };
    overlay.querySelector("[data-camera-close]").addEventListener("click", function () { remember(false); closeCamera(); });
    remember(true);
    var video = overlay.querySelector("video");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      remember(false);
      showMessage(overlay, template.dataset.noCamera);
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment", width: { ideal: 1280 } }, audio: false })
      .then(function (stream) {
        if (!camera) { stream.getTracks().forEach(function (t) { t.stop(); }); return; }
        camera.stream = stream;
        video.srcObject = stream;
        video.play();
        setupTorch(overlay, stream.getVideoTracks()[0]);
        return detector(template).then(function (d) {
          camera.detector = d;
          overlay.dataset.ready = "1";
          decodeLoop(video, function (value) { submitScan(value); });
        });
      })
      .catch(function (err) {
        var denied = err && (err.name === "NotAllowedError" || err.name === "SecurityError");
        remember(false);
        showMessage(overlay, denied ? template.dataset.denied : template.dataset.noCamera);
      });
  }
  window.comptoirOpenCamera = openCamera;

  document.addEventListener("click", function (evt) {
    if (evt.target.closest("[data-camera]")) { evt.preventDefault(); openCamera(); }
  });
  document.addEventListener("DOMContentLoaded", function () { if (remembered() && scanField()) openCamera(); });
  // The camera is released when the screen is left or hidden.
  window.addEventListener("pagehide", closeCamera);
  document.addEventListener("visibilitychange", function () { if (document.hidden) closeCamera(); });
  // A screen with nothing left to scan into (a drop-off found, a pickup's summary) asks for taps: the camera
  // closes, and opens again on the next page that has a scan field.
  document.addEventListener("htmx:afterSettle", function () {
    if (camera && !scanField()) { camera.stopped = true; closeCamera(); }
  });
  document.addEventListener("htmx:beforeRequest", function (evt) {
    if (camera && evt.detail.requestConfig && evt.detail.requestConfig.verb === "get" &&
        evt.detail.elt && evt.detail.elt.closest && evt.detail.elt.closest("a")) closeCamera();
  });
})();
