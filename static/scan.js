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
  var sending = null;  // the scan at rest asked about, and when, until its answer comes
  function atRest(text) {
    var box = document.querySelector("[data-scan-answer]");
    if (!box || !window.htmx) return;
    box.textContent = "";
    sending = { text: text, at: Date.now() };
    window.htmx.ajax("POST", box.dataset.url, { source: box, target: box, swap: "innerHTML", values: { texte: text } });
  }
  document.addEventListener("htmx:beforeOnLoad", function (evt) {
    var xhr = evt.detail.xhr;
    if (!evt.detail.elt || !evt.detail.elt.matches || !evt.detail.elt.matches("[data-scan-answer]")) return;
    sending = null;
    if (xhr && xhr.getResponseHeader("HX-Redirect")) {  // it names something: it opens
      feedback("ok");
      announce(evt.detail.elt.dataset.opening || "");
    }
  });

  // --- Keyboard wedge: catch a burst even when the focus is elsewhere ------------------------
  // Times are since the epoch (the time origin plus the key's time stamp), so that a burst can go on from
  // one page to the next.
  var burst = "", lastKey = 0, carriedUntil = 0;
  function typingTarget(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  function deliver(text) {
    if (!submitScan(text)) atRest(text);
  }

  // A scan made while a link's page loads is not lost: this script runs in the page's head, before the
  // page is read. The page being left hands over the burst it was typing, or the scan at rest it could
  // not hear back about; keys typed while this page loads wait until its forms can send them.
  var CARRY = "comptoir.keys", ready = false, pending = null;
  try {
    var carried = JSON.parse(sessionStorage.getItem(CARRY));
    sessionStorage.removeItem(CARRY);
    if (carried && Date.now() - carried.at < 3000) {
      if (carried.whole) pending = carried.keys; else { burst = carried.keys; lastKey = Date.now(); carriedUntil = lastKey + 2000; }
    }
  } catch (e) { /* no storage: nothing carried */ }
  window.addEventListener("pagehide", function () {
    var whole = sending && Date.now() - sending.at < 10000, keys = whole ? sending.text : Date.now() - lastKey < 1000 && burst;
    try { if (keys) sessionStorage.setItem(CARRY, JSON.stringify({ keys: keys, whole: whole, at: Date.now() })); } catch (e) { /* lost */ }
  });
  document.addEventListener("DOMContentLoaded", function () {
    setTimeout(function () {  // after htmx, whose own DOMContentLoaded handler comes after this one
      ready = true;
      var field = scanField();
      if (pending) deliver(pending); else if (burst && field) { field.value = burst; field.focus(); }
      pending = null;
    }, 0);
  });

  document.addEventListener("keydown", function (evt) {
    var field = scanField();
    if ((ready && evt.target === field) || evt.ctrlKey || evt.metaKey || evt.altKey) return;
    // When the key was pressed (not when this handler ran): a busy page must not cut a burst in two.
    var now = performance.timeOrigin + (evt.timeStamp || performance.now());
    var fast = now - lastKey < BURST_GAP_MS || now < carriedUntil;
    if (!ready) {  // the page is loading: what a scanner types waits, Enter included
      if (evt.target !== field && typingTarget(evt.target)) return;  // a field of its own (a PIN, a search) keeps its keys
      if (evt.key === "Enter" && burst) { pending = burst; burst = ""; } else if (evt.key.length === 1 && evt.key !== " ") { burst += evt.key; } else return;
      evt.preventDefault();
      lastKey = now;
      return;
    }
    if (evt.key === "Enter") {
      // A field being typed in keeps its Enter too: it sends its own form, with everything typed in it
      // (a burst counted from a pause would be only the end of what was typed).
      if (burst.length >= MIN_BURST && fast && !typingTarget(evt.target)) {
        evt.preventDefault();
        deliver(burst);
      }
      burst = "";
      return;
    }
    // The space bar presses the button with the focus (keyboard use); labels and notices hold no space.
    if (evt.key.length !== 1 || evt.key === " ") return;
    if (!fast) burst = "";
    burst += evt.key;
    lastKey = now;
    carriedUntil = 0;
    // Someone typing in another field keeps their keys; a page with nothing focused hands them over.
    if (field && !typingTarget(evt.target)) {
      // Move the burst into the scan field: this key by hand, the next ones land there by themselves.
      evt.preventDefault();
      field.value = burst;
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
  function openCamera() {
    var template = document.getElementById("camera-template");
    if (!template) return;
    (window.comptoirCamera ? Promise.resolve() : loadScript(template.dataset.cameraSrc)).then(function () {
      window.comptoirCamera.open();
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
