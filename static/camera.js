// The camera: a view over the screen that reads labels and notices live, with the torch where the phone
// has one. Loaded by static/scan.js the first time a camera button is tapped (or when the camera was left
// on in the screen before); the decoder it needs comes only then too. What it reads goes to the page's
// scan field, as a keyboard-wedge scan does.
(function () {
  "use strict";
  if (window.comptoirCamera) return;  // already loaded on this page

  var SAME_CODE_PAUSE_MS = 2500;
  var camera = null;

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
    var ready = window.BarcodeDetectionAPI ? Promise.resolve() : window.comptoirLoadScript(template.dataset.decoderSrc);
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

  function closeCamera() {
    if (!camera) return;
    camera.stopped = true;
    if (camera.stream) camera.stream.getTracks().forEach(function (t) { t.stop(); });
    camera.overlay.remove();
    camera = null;
    var field = window.comptoirScanField();
    if (field) field.focus();
  }

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
          decodeLoop(video, function (value) { window.comptoirSubmitScan(value); });
        });
      })
      .catch(function (err) {
        var denied = err && (err.name === "NotAllowedError" || err.name === "SecurityError");
        remember(false);
        showMessage(overlay, denied ? template.dataset.denied : template.dataset.noCamera);
      });
  }
  // The answer to a scan shows over the camera's view too (static/scan.js calls this with its marker).
  function show(marker) {
    if (!camera) return;
    var result = camera.overlay.querySelector("[data-camera-result]");
    result.textContent = marker.textContent.trim();
    result.className = "camera-result " + marker.dataset.feedback;
  }
  window.comptoirCamera = { open: openCamera, show: show };

  // The camera is released when the screen is left or hidden.
  window.addEventListener("pagehide", closeCamera);
  document.addEventListener("visibilitychange", function () { if (document.hidden) closeCamera(); });
  // A screen with nothing left to scan into (a drop-off found, a pickup's summary) asks for taps: the camera
  // closes, and opens again on the next page that has a scan field.
  document.addEventListener("htmx:afterSettle", function () {
    if (camera && !window.comptoirScanField()) { camera.stopped = true; closeCamera(); }
  });
  document.addEventListener("htmx:beforeRequest", function (evt) {
    if (camera && evt.detail.requestConfig && evt.detail.requestConfig.verb === "get" &&
        evt.detail.elt && evt.detail.elt.closest && evt.detail.elt.closest("a")) closeCamera();
  });
})();
