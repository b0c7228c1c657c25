// The shared counter on the page: the PIN pad's digit buttons and keyboard, who is at the counter (sent
// with every step as X-Comptoir-Associate, so a step queued offline names who made it), the idle lock, and
// the PIN switch made offline, checked by the service worker against the keyed hash the bundle brought.
(function () {
  "use strict";

  var bar = document.querySelector("[data-at-counter]");
  var account = (document.querySelector('meta[name="comptoir-account"]') || {}).content;
  var KEY = "comptoir.atCounter", ACTIVE = "comptoir.lastActive";

  // --- The PIN pad: digit buttons, and digits typed anywhere on it -----------------------------------------
  function padField(el) {
    var pad = el && el.closest && el.closest("[data-pin-pad]");
    return pad && pad.querySelector("[data-pin-field]");
  }
  function visiblePad() {
    var pads = document.querySelectorAll("[data-pin-pad]:not([hidden])");
    for (var i = 0; i < pads.length; i++) if (pads[i].offsetParent !== null) return pads[i];
    return null;
  }
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("[data-digit], [data-digit-erase]");
    var field = padField(button);
    if (!field) return;
    if (button.hasAttribute("data-digit-erase")) field.value = field.value.slice(0, -1);
    else if (field.value.length < (field.maxLength > 0 ? field.maxLength : 6)) field.value += button.dataset.digit;
  });
  // A digit typed while the focus is on one of the pad's buttons goes to the PIN (a keyboard at a desktop).
  document.addEventListener("keydown", function (evt) {
    var pad = visiblePad(), field = pad && pad.querySelector("[data-pin-field]");
    if (!field || evt.target === field || evt.ctrlKey || evt.metaKey || evt.altKey) return;
    if (/^[0-9]$/.test(evt.key)) { evt.preventDefault(); evt.stopImmediatePropagation(); field.value += evt.key; }
    else if (evt.key === "Backspace") { evt.preventDefault(); field.value = field.value.slice(0, -1); }
  }, true);

  if (!bar || !account) return;

  // --- Who is at the counter: the server's word, unless a switch made offline came after this page -------
  var nameEl = bar.querySelector("[data-at-counter-name]");
  var current = { id: Number(bar.dataset.associate), name: nameEl.textContent };
  function stored() {
    try {
      var value = JSON.parse(localStorage.getItem(KEY));
      return value && value.account === account ? value : null;
    } catch (e) { return null; }
  }
  // Offline, the switch made on the device holds whatever the page says (a device's clock may run behind
  // the server's); online, a page rendered after it comes from the server, which never saw it.
  var offlineSwitch = stored();
  if (offlineSwitch && (navigator.onLine === false || offlineSwitch.at > Date.parse(bar.dataset.renderedAt))) {
    current = offlineSwitch;
    nameEl.textContent = offlineSwitch.name;
  } else if (offlineSwitch) {
    // The server rendered this page after a switch it never saw: the associate confirms it with their PIN.
    localStorage.removeItem(KEY);
    if (offlineSwitch.id !== current.id) {
      location.assign(bar.dataset.padUrl.replace(/0$/, offlineSwitch.id) + "?next=" + encodeURIComponent(location.pathname));
      return;
    }
  }
  document.addEventListener("htmx:configRequest", function (evt) {
    evt.detail.headers["X-Comptoir-Associate"] = String(current.id);
  });

  // --- The worker, for the switch made offline --------------------------------------------------------------
  function ask(message) {
    if (!navigator.serviceWorker) return Promise.resolve(null);
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(event.data); };
        registration.active.postMessage(message, [channel.port2]);
      });
    });
  }

  var dialog = document.querySelector("[data-counter-lock]");
  var list = dialog.querySelector("[data-counter-lock-list]"), pad = dialog.querySelector("[data-counter-lock-pad]");
  var error = dialog.querySelector("[data-counter-lock-error]"), chosen = null, forced = false;

  function say(message) { error.textContent = message || ""; error.hidden = !message; }

  function choose(associate) {
    chosen = associate;
    say("");
    pad.hidden = false;
    pad.querySelector("[data-counter-lock-name]").textContent = associate.name;
    var field = pad.querySelector("[data-pin-field]");
    field.value = "";
    field.focus();
  }

  function listAssociates(answer) {
    list.textContent = "";
    var usable = ((answer && answer.associates) || []).filter(function (a) { return a.usable; });
    usable.forEach(function (associate) {
      var item = document.createElement("li"), button = document.createElement("button");
      button.type = "button";
      button.className = "button big";
      button.textContent = associate.name;
      button.dataset.associate = associate.id;
      button.addEventListener("click", function () { choose(associate); });
      item.appendChild(button);
      list.appendChild(item);
    });
    dialog.querySelector("[data-counter-lock-empty]").hidden = usable.length > 0;
  }

  function openLock(idle) {
    if (dialog.open) return;
    forced = idle;
    dialog.querySelector("[data-counter-lock-close]").hidden = idle;
    pad.hidden = true;
    say("");
    ask({ type: "counterAssociates" }).then(listAssociates);
    dialog.showModal();
  }

  // Escape or a phone's back button: the idle lock stays (a browser may close a dialog despite « cancel »).
  dialog.addEventListener("cancel", function (evt) { if (forced) evt.preventDefault(); });
  dialog.addEventListener("close", function () { if (forced) dialog.showModal(); });
  dialog.querySelector("[data-counter-lock-close]").addEventListener("click", function () { dialog.close(); });

  pad.addEventListener("submit", function (evt) {
    evt.preventDefault();
    var field = pad.querySelector("[data-pin-field]"), pin = field.value;
    field.value = "";
    ask({ type: "checkPin", associate: chosen.id, pin: pin }).then(function (answer) {
      if (answer && answer.ok) return switched(answer);
      if (!answer || answer.locked) say(dialog.dataset.locked);
      else if (answer.bad) say(dialog.dataset.bad);
      else say(dialog.dataset.wrong.replace("4242", answer.left));
      if (answer && answer.locked) ask({ type: "counterAssociates" }).then(listAssociates);
    });
  });

  function switched(associate) {
    current = { account: account, id: associate.id, name: associate.name, at: Date.now() };
    localStorage.setItem(KEY, JSON.stringify(current));
    nameEl.textContent = associate.name;
    touch();
    forced = false;
    dialog.close();
  }

  // « Changer » online opens the server's screen; offline, the device's own.
  bar.querySelector("[data-at-counter-switch]").addEventListener("click", function (evt) {
    if (navigator.onLine !== false) return;
    evt.preventDefault();
    openLock(false);
  });

  // --- The idle lock: the shop's minutes without a touch or a key, on this device ----------------------------
  var idleMs = Number(bar.dataset.idleMinutes) * 60000, lastWrite = 0;
  function touch() {
    var now = Date.now();
    if (now - lastWrite < 5000) return;
    lastWrite = now;
    localStorage.setItem(ACTIVE, String(now));
  }
  ["pointerdown", "keydown"].forEach(function (type) { document.addEventListener(type, touch, true); });
  touch();
  if (idleMs > 0) setInterval(function () {
    if (dialog.open || Date.now() - Number(localStorage.getItem(ACTIVE) || 0) < idleMs) return;
    if (navigator.onLine === false) { openLock(true); return; }
    location.assign(bar.dataset.whoUrl + "?next=" + encodeURIComponent(location.pathname));
  }, 5000);
})();
