// The page's side of working offline: registers the service worker, shows the offline banner and the
// scans waiting, asks for a replay (on load, on `online`, on « Synchroniser », every minute while steps
// wait) and a sync of the offline bundle (on load, on « Synchroniser », every 10 minutes), shows the
// device's answer to a step made offline with the templates the server rendered into the page, fills
// « À vérifier », guards signing out, and offers an update only on a resting screen.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;

  var REPLAY_EVERY_MS = 60 * 1000, SYNC_EVERY_MS = 10 * 60 * 1000;
  var root = document.documentElement;
  function meta(name) {
    var el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.getAttribute("content") : null;
  }
  var account = meta("comptoir-account") ? Number(meta("comptoir-account")) : null;
  var lastState = null;

  // --- Talking to the worker ---------------------------------------------------------------------------

  function ask(message) {
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(event.data); };
        registration.active.postMessage(message, [channel.port2]);
      });
    });
  }

  // --- Templates rendered by the server into the page ----------------------------------------------------

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function fill(text, params, escape) {
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      if (!(name in params)) return all;
      return escape ? escapeHtml(params[name]) : String(params[name]);
    });
  }
  function fromTemplate(selector, params) {
    var template = document.querySelector(selector);
    if (!template) return null;
    var holder = document.createElement("template");
    holder.innerHTML = fill(template.innerHTML, params || {}, true);
    return holder.content.firstElementChild;
  }
  function answerNode(name, params) { return fromTemplate('#offline-answers template[data-answer="' + name + '"]', params); }
  function plural(el, count) {
    var form = new Intl.PluralRules(root.lang || "fr").select(count) === "one" ? "one" : "other";
    return fill(el.dataset[form], { count: count }, false);
  }

  // --- The banner -----------------------------------------------------------------------------------------

  function offline(state) { return !navigator.onLine || (state && state.reachable === false); }

  function showState(state) {
    lastState = state || lastState;
    state = lastState || {};
    var banner = document.getElementById("offline-banner");
    if (state.syncedAt) root.dataset.offlineSynced = state.syncedAt;
    root.dataset.offlineQueued = state.queued || 0;
    document.querySelectorAll("[data-offline-conflicts-count]").forEach(function (el) {
      el.textContent = state.conflicts || "";
      el.hidden = !state.conflicts;
    });
    if (!banner) return;
    var down = offline(state), label = banner.querySelector("[data-offline-state]");
    label.textContent = down ? label.dataset.offline : label.dataset.online;
    banner.classList.toggle("is-offline", down);
    var count = banner.querySelector("[data-offline-count]");
    count.textContent = state.queued ? plural(banner, state.queued) : "";
    banner.querySelector("[data-offline-signin]").hidden = !state.needsSignIn;
    var conflicts = banner.querySelector("[data-offline-conflicts]");
    conflicts.hidden = !state.conflicts;
    conflicts.textContent = state.conflicts ? plural(conflicts, state.conflicts) : "";
    var synced = banner.querySelector("[data-offline-synced]");
    synced.textContent = state.syncedAt ? fill(synced.dataset.text, { time: clock(state.syncedAt) }, false) : "";
    banner.hidden = !(down || state.queued || state.conflicts || state.needsSignIn);
  }

  function clock(iso) {
    return new Intl.DateTimeFormat(root.lang || "fr", { hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
  }

  function replay() { return ask({ type: "replay" }).then(showState); }
  function sync() { return ask({ type: "sync" }).then(showState); }

  navigator.serviceWorker.addEventListener("message", function (event) {
    if (event.data && event.data.type === "state") showState(event.data.state);
    if (event.data && event.data.type === "answered") stepAnswered(event.data.key, event.data.refused);
    // The network revoked this device and the worker erased its data: the server's page says why.
    if (event.data && event.data.type === "revoked" && !document.getElementById("device-removed")) location.reload();
  });
  window.addEventListener("online", function () { showState(); sync(); });
  window.addEventListener("offline", function () { showState(); });

  // The menu's « Synchroniser » (the inventory's) synchronises the device too.
  function syncLinks() {
    var banner = document.getElementById("offline-banner");
    return banner ? JSON.parse(banner.dataset.syncLinks || "[]") : [];
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-offline-sync], a[href]");
    if (!button || (button.tagName === "A" && syncLinks().indexOf(button.getAttribute("href")) < 0)) return;
    // The menu's « Synchroniser » also opens the inventory; the banner's only synchronises.
    if (button.tagName === "BUTTON") event.preventDefault();
    button.classList.add("is-syncing");
    sync().then(function () { button.classList.remove("is-syncing"); });
  });

  // --- Steps answered on the device --------------------------------------------------------------------

  document.addEventListener("htmx:configRequest", function (event) {
    var verb = (event.detail.verb || "get").toLowerCase();
    if (verb !== "get") event.detail.headers["X-Comptoir-Device-Time"] = new Date().toISOString();
  });

  function showMessage(container, node) {
    if (!container || !node) return;
    container.querySelectorAll(":scope > [role=status], :scope > [role=alert]").forEach(function (el) { el.remove(); });
    var heading = container.querySelector(":scope > h1");
    if (heading) heading.after(node); else container.prepend(node);
  }

  var OUTCOMES = { handed_over: "handed_over", not_found: "not_found", rejected: "rejected" };

  // The tag a step made offline puts on its parcel, named by the step's command id: it changes when
  // the step reaches the server (the worker tells which: static/worker/replay.js).
  function tagNode(effect) {
    var node = answerNode("tag-" + effect.kind);
    if (node && effect.key) node.dataset.command = effect.key;
    return node;
  }

  function stepAnswered(key, refused) {
    if (!key) return;
    document.querySelectorAll('[data-command="' + CSS.escape(key) + '"]').forEach(function (tag) {
      var waiting = tag.querySelector("[data-waiting]");
      var item = tag.parentElement && tag.parentElement.closest(".offline-pending");
      if (refused) {
        var note = answerNode("tag-refused");
        if (waiting && note) waiting.replaceWith(note);
        tag.classList.add("refused");
        return;
      }
      if (waiting) waiting.remove();
      tag.classList.remove("offline-pending");
      if (item) item.classList.remove("offline-pending");
    });
  }

  function markPickupParcel(effect) {
    var item = document.getElementById("parcel-" + effect.parcel);
    if (!item) return;
    item.className = item.className.replace(/\boutcome-\S+/, "outcome-" + OUTCOMES[effect.kind]) + " offline-pending";
    var tag = item.querySelector(".pickup-parcel-what .tag"), node = tagNode(effect);
    if (tag && node) tag.replaceWith(node);
    var options = item.querySelector("details.parcel-options");
    if (options) options.remove();
  }

  function markReturnParcel(effect) {
    var item = document.getElementById("expired-" + effect.parcel);
    if (!item) return;
    item.classList.add("offline-pending");
    item.querySelectorAll("a.button").forEach(function (link) { link.remove(); });
    var node = tagNode(effect);
    if (node && !item.querySelector(".offline-pending.tag")) item.appendChild(node);
  }

  function finishPickup() {
    var card = document.getElementById("pickup");
    var node = answerNode("finished");
    if (!card || !node) return;
    node.querySelector("[data-slot=customer]").textContent = card.querySelector("h1").textContent.trim();
    var handed = card.querySelectorAll(".outcome-handed_over");
    node.querySelector("[data-slot=count]").textContent = handed.length;
    // Each line as the online summary writes it: the shelf place's badge, the parcel, its tracking ID.
    handed.forEach(function (item) {
      var li = document.createElement("li"), shelf = item.querySelector(".shelf"), id = document.createElement("span");
      if (shelf && shelf.textContent.trim() !== "—") {
        var badge = document.createElement("span");
        badge.className = "shelf";
        badge.textContent = shelf.textContent.trim();
        li.append(badge, " ");
      }
      id.className = "parcel-id";
      id.textContent = item.querySelector(".parcel-id").textContent.trim();
      li.append(item.querySelector(".pickup-parcel-what strong").textContent.trim() + " ", id);
      node.querySelector("[data-slot=handed]").appendChild(li);
    });
    card.replaceWith(node);
  }

  // A parcel scanned in offline (by the carrier, or at an « Autre » delivery): its row says it waits.
  function markDeliveredParcel(effect) {
    var wanted = (effect.tracking_id || "").replace(/\s+/g, "").toUpperCase();
    document.querySelectorAll("#visit li.parcel, #intake li.parcel").forEach(function (item) {
      var id = item.querySelector(".parcel-id");
      if (!id || item.querySelector(".offline-pending")) return;
      if (id.textContent.replace(/\s+/g, "").toUpperCase() !== wanted) return;
      item.classList.add("offline-pending");
      var node = tagNode(effect);
      if (node) item.appendChild(node);
      moveToScanned(item);
    });
  }

  // As the server's screen would show it: the parcel leaves « still expected » for « scanned », counts follow.
  function moveToScanned(item) {
    var section = item.closest("#visit, #intake"), from = item.parentElement;
    var scanned = section && section.querySelector("ul.parcels");
    if (!scanned || scanned === from) return;
    scanned.querySelectorAll(":scope > li.muted:not(.more)").forEach(function (empty) { empty.remove(); });
    scanned.appendChild(item);
    // The counts are of whole lists, of which the screen shows only the first or latest lines.
    [[scanned, 1], [from, -1]].forEach(function (pair) {
      var heading = pair[0].previousElementSibling;
      if (!heading || heading.tagName !== "H2") return;
      heading.textContent = heading.textContent.replace(/\((\d+)\)/, function (all, n) {
        return "(" + Math.max(0, Number(n) + pair[1]) + ")";
      });
    });
  }

  // A drop-off taken with no network: its receipt, from the device, « à confirmer » until the server has it.
  function showDepositReceipt(effect) {
    var section = document.getElementById("deposit"), node = answerNode("deposit-receipt", {
      sender: effect.sender || "—", tracking_id: effect.tracking_id || "—", ref: effect.ref || "",
      time: new Date(effect.at).toLocaleString(root.lang || "fr", { dateStyle: "short", timeStyle: "short" }),
      associate: (document.querySelector("[data-at-counter-name]") || { textContent: "—" }).textContent.trim(),
    });
    if (!section || !node) return;
    var qr = node.querySelector("[data-qr]");
    if (qr && window.qrcode) {
      var code = window.qrcode(0, "M");
      code.addData([effect.ref, effect.tracking_id, effect.at].filter(Boolean).join(" "));
      code.make();
      qr.innerHTML = code.createSvgTag({ cellSize: 6, margin: 2, scalable: true });
    }
    section.replaceChildren.apply(section, Array.prototype.slice.call(node.childNodes));
    section.classList.add("receipt", "offline-pending");
  }

  function apply(effect) {
    if (effect.kind === "deposited" || effect.kind === "already_deposited") showDepositReceipt(effect);
    else if (effect.kind in OUTCOMES) markPickupParcel(effect);
    else if (effect.kind === "delivery_scan") markDeliveredParcel(effect);
    else if (effect.kind === "staged" || effect.kind === "missing") markReturnParcel(effect);
    else if (effect.kind === "finished") finishPickup();
  }

  function trackingOf(effect) {
    if (effect.tracking_id) return effect.tracking_id;
    var item = document.getElementById("expired-" + effect.parcel) || document.getElementById("parcel-" + effect.parcel);
    var id = item && item.querySelector(".parcel-id");
    return id ? id.textContent.trim() : "";
  }

  function answerFor(effect) {
    var name = effect.kind === "refused" ? "refused-" + effect.reason : effect.kind;
    return answerNode(name, { tracking_id: trackingOf(effect) });
  }

  function freshIds(scope) {
    (scope || document).querySelectorAll("input[name=command_id]").forEach(function (field) {
      field.value = window.comptoirNewId ? window.comptoirNewId() : String(Date.now()) + Math.random();
    });
  }

  document.addEventListener("comptoir:offline", function (event) {
    var effect = event.detail || {}, source = event.target;
    var container = source.closest ? source.closest("section[id]") : null;
    var message = answerFor(effect);
    apply(effect);
    if (effect.kind !== "finished") showMessage(document.getElementById(container && container.id) || container, message);
    var form = source.closest ? source.closest("form") : null;
    if (form && form.isConnected) {
      form.querySelectorAll("[name=tracking_id], [name=entry]").forEach(function (f) { f.value = ""; });
    }
    freshIds(document);
    var confirm = document.querySelector("#expired .confirm");
    if (confirm && effect.kind === "missing") confirm.remove();
    var field = document.querySelector("[data-scan-field]");
    if (field && !field.disabled) field.focus({ preventScroll: true });
    ask({ type: "state" }).then(showState);
  });

  // A page served from the device: its forms get fresh command ids (each use is a new step), and
  // the steps still waiting on this screen are shown again.
  function restorePending() {
    if (root.hasAttribute("data-offline-copy")) freshIds(document);
    ask({ type: "pending", page: location.pathname }).then(function (effects) {
      (effects || []).forEach(apply);
    });
  }

  // --- « À vérifier » ---------------------------------------------------------------------------------

  function serverMessage(conflict) {
    var doc = new DOMParser().parseFromString(conflict.answer || "", "text/html");
    var el = ["[role=alert]", ".error", "#error h1 + p", "main h1", "title"]
      .map(function (selector) { return doc.querySelector(selector); }).filter(Boolean)[0];
    var text = (el ? el.textContent : doc.body ? doc.body.textContent : "").replace(/\s+/g, " ").trim();
    return text ? text.slice(0, 300) : "HTTP " + conflict.status;
  }

  function textTemplate(page, selector, params) {
    var template = page.querySelector(selector);
    return template ? fill(template.content.textContent, params, false) : "";
  }

  function renderConflicts(page) {
    ask({ type: "conflicts" }).then(function (conflicts) {
      var list = page.querySelector("[data-conflict-list]");
      list.textContent = "";
      page.querySelector("[data-conflicts-empty]").hidden = conflicts.length > 0;
      conflicts.forEach(function (c) {
        var item = page.querySelector("template[data-conflict]").content.firstElementChild.cloneNode(true);
        var kind = page.querySelector('template[data-what="' + c.effect.kind + '"]') ? c.effect.kind : "queued";
        item.dataset.seq = c.seq;
        item.querySelector("[data-slot=what]").textContent = textTemplate(page, 'template[data-what="' + kind + '"]',
          { tracking_id: c.effect.tracking_id || "", code: c.effect.code || c.effect.ref || "", page: c.page || c.url });
        item.querySelector("[data-slot=when]").textContent = textTemplate(page, "template[data-when]",
          { time: new Intl.DateTimeFormat(root.lang || "fr", { dateStyle: "short", timeStyle: "short" }).format(new Date(c.at)) });
        item.querySelector("[data-slot=answer]").textContent = textTemplate(page, "template[data-answer-text]",
          { answer: serverMessage(c) });
        item.querySelector("[data-acknowledge]").addEventListener("click", function () {
          ask({ type: "acknowledge", seq: c.seq }).then(function (state) { showState(state); renderConflicts(page); });
        });
        list.appendChild(item);
      });
    });
  }

  // --- Signing out: nothing of the account's is left waiting; then its screens are wiped -------------

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-offline-signout") || form.dataset.cleared) return;
    event.preventDefault();
    var proceed = function () { form.dataset.cleared = "1"; form.submit(); };
    var timer = setTimeout(proceed, 8000);  // a worker that never answers must not keep anyone signed in
    ask({ type: "signOut", account: account }).then(function (answer) {
      clearTimeout(timer);
      if (!answer || !answer.blocked) return proceed();
      var main = document.getElementById("main");
      var node = answerNode(answer.state.queued ? "signout-queued" : "signout-conflicts");
      main.querySelectorAll(":scope > .offline-signout").forEach(function (el) { el.remove(); });
      node.classList.add("offline-signout");
      main.prepend(node);
      form.closest("details") && form.closest("details").removeAttribute("open");
      showState(answer.state);
    });
  }, true);

  // --- Updates: offered on a resting screen only, applied when the associate accepts ------------------

  var updating = false;
  function offerUpdate(registration) {
    var banner = document.getElementById("update-banner");
    if (!banner || !registration.waiting || !navigator.serviceWorker.controller) return;
    var resting = JSON.parse(banner.dataset.resting || "[]");
    if (resting.indexOf(location.pathname) < 0) return;  // never in the middle of a workflow
    banner.hidden = false;
    banner.querySelector("[data-offline-update]").onclick = function () {
      updating = true;
      registration.waiting.postMessage({ type: "skipWaiting" });
    };
  }
  navigator.serviceWorker.addEventListener("controllerchange", function () {
    if (updating) location.reload();
  });

  function watchUpdates(registration) {
    offerUpdate(registration);
    registration.addEventListener("updatefound", function () {
      var worker = registration.installing;
      if (!worker) return;
      worker.addEventListener("statechange", function () {
        if (worker.state === "installed") offerUpdate(registration);
      });
    });
  }

  // --- Start ---------------------------------------------------------------------------------------

  // The very first page may load while the worker is still installing: the worker claims it when it
  // activates, unless the page was already on its way. An unclaimed page cannot work offline, so a resting
  // screen loads once more (the home right after signing in: nothing is lost).
  function claimed() {
    if (navigator.serviceWorker.controller) return;
    navigator.serviceWorker.ready.then(function () {
      setTimeout(function () {
        var banner = document.getElementById("update-banner");
        var resting = banner ? JSON.parse(banner.dataset.resting || "[]") : [];
        if (navigator.serviceWorker.controller || !navigator.onLine || resting.indexOf(location.pathname) < 0) return;
        if (sessionStorage.getItem("comptoir-claim") === location.pathname) return;  // once, never a loop
        sessionStorage.setItem("comptoir-claim", location.pathname);
        location.reload();
      }, 1000);
    });
  }

  function start() {
    var url = meta("comptoir-worker");
    if (!url) return;
    navigator.serviceWorker.register(url, { scope: "/" }).then(watchUpdates).catch(function () {});
    claimed();
    ask({ type: "hello", account: account }).then(function (state) {
      showState(state);
      if (!navigator.onLine) return;
      // Signed out (the session may have ended offline): the queue still goes, on its replay token.
      if (account === null) { if (state.queued) replay(); return; }
      var stale = typeof state.syncAge !== "number" || state.syncAge > SYNC_EVERY_MS;
      if (stale || state.queued) sync();
    });
    if (account === null) return;
    restorePending();
    var page = document.querySelector("[data-offline-conflicts-page]");
    if (page) renderConflicts(page);
    setInterval(function () { if (navigator.onLine && lastState && lastState.queued) replay(); }, REPLAY_EVERY_MS);
    setInterval(function () { if (navigator.onLine) sync(); }, SYNC_EVERY_MS);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
