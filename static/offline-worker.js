// The service worker's work (loaded by /sw.js, which sets self.COMPTOIR).
//
// - Precaches the shell (styles, scripts, icons, the scanner's files, the offline page) with Workbox.
// - Serves screens network-first; when the network is gone or slow, the copy stored on the device.
//   Pages and HTMX fragments are stored under different keys: a fragment never answers a page.
// - Keeps every state-changing request made offline in IndexedDB (its command id, its device time)
//   and replays them, one replay at a time, when the network returns.
// - Answers a pickup opened offline from the last synchronised bundle (keyed hashes of the codes).
// The server renders every screen and writes every word: this file only stores, matches and serves.
/* global workbox */
(function () {
  "use strict";

  var C = self.COMPTOIR;
  var core = workbox.core, precaching = workbox.precaching, routing = workbox.routing;
  var strategies = workbox.strategies;
  var PAGES = "comptoir-pages";
  var FRAGMENT_MARK = "__hx";
  var REPLAY_LOCK = "comptoir-replay", SYNC_LOCK = "comptoir-sync", SYNC_TAG = "comptoir-replay";
  var MAX_BACKOFF_S = 300;

  core.setCacheNameDetails({ prefix: "comptoir" });
  core.clientsClaim();
  precaching.cleanupOutdatedCaches();
  precaching.precacheAndRoute(C.precache);

  // --- IndexedDB: the queue, the conflicts, and small values (bundle, account, wrong codes) -------------

  var dbPromise = null;
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("comptoir", 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        var queue = db.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
        queue.createIndex("account", "account");
        queue.createIndex("parcel", "effect.parcel");
        db.createObjectStore("conflicts", { keyPath: "seq" }).createIndex("account", "account");
        db.createObjectStore("meta");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function transact(stores, mode, work) {
    dbPromise = dbPromise || openDb();
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(stores, mode), result;
        t.oncomplete = function () { resolve(result); };
        t.onerror = t.onabort = function () { reject(t.error); };
        result = work(t);
      });
    });
  }

  // Runs ``ask`` in a read transaction and resolves with its request's result.
  function reading(store, ask) {
    var out = {};
    return transact([store], "readonly", function (t) {
      var request = ask(t.objectStore(store));
      request.onsuccess = function () { out.value = request.result; };
      return out;
    }).then(function (o) { return o.value; });
  }

  function read(store, key) { return reading(store, function (s) { return s.get(key); }); }
  // Small values are read at every step: keep them in memory too (this worker alone writes them).
  var memo = {};
  function getMeta(key) {
    if (key in memo) return Promise.resolve(memo[key]);
    return read("meta", key).then(function (value) { memo[key] = value; return value; });
  }
  function setMeta(key, value) {
    delete memo[key];
    return transact(["meta"], "readwrite", function (t) { t.objectStore("meta").put(value, key); });
  }

  function all(store) {
    return reading(store, function (s) { return s.getAll(); }).then(function (v) { return v || []; });
  }

  // The oldest queued step of ``account`` (a cursor stops at the first: the queue may hold thousands).
  function nextEntry(account) {
    var out = {};
    return transact(["queue"], "readonly", function (t) {
      var cursor = t.objectStore("queue").openCursor();
      cursor.onsuccess = function () {
        var c = cursor.result;
        if (!c) return;
        if (c.value.account === account) { out.value = c.value; return; }
        c.continue();
      };
      return out;
    }).then(function (o) { return o.value; });
  }

  function put(store, value) {
    return transact([store], "readwrite", function (t) { t.objectStore(store).put(value); });
  }
  function remove(store, key) {
    return transact([store], "readwrite", function (t) { t.objectStore(store).delete(key); });
  }
  function toConflict(entry, answer) {
    return transact(["queue", "conflicts"], "readwrite", function (t) {
      t.objectStore("queue").delete(entry.seq);
      t.objectStore("conflicts").put(Object.assign({}, entry, answer));
    });
  }

  // --- State, told to every page ----------------------------------------------------------------------

  var reachable = true;

  // Counting with an index, not reading every entry: the queue may hold thousands.
  function countOf(store, account) {
    return reading(store, function (s) { return s.index("account").count(account); });
  }

  function state() {
    return getMeta("account").then(function (account) {
      account = account || 0;
      return Promise.all([account, countOf("queue", account), countOf("conflicts", account), getMeta("bundle"),
        getMeta("needsSignIn"), getMeta("syncedLocal")]);
    }).then(function (r) {
      var account = r[0];
      return {
        account: account, queued: r[1], conflicts: r[2],
        syncedAt: r[3] && r[3].account === account ? r[3].syncedAt : null,
        needsSignIn: !!r[4], reachable: reachable, version: C.version,
        syncAge: r[3] && r[3].account === account && r[5] ? Date.now() - r[5] : null,
      };
    });
  }

  function tell(message) {
    return self.clients.matchAll({ includeUncontrolled: true }).then(function (clients) {
      clients.forEach(function (client) { client.postMessage(message); });
    });
  }

  function notify() {
    return state().then(function (s) { return tell({ type: "state", state: s }); });
  }

  // --- One at a time: the Web Locks API, else a flag in this worker -----------------------------------

  var held = {}, again = {};
  function exclusive(name, work) {
    function run(lock) {
      if (!lock) { again[name] = true; return { busy: true }; }
      again[name] = false;
      return work().then(function (result) { return again[name] ? work() : result; });
    }
    if (self.navigator && self.navigator.locks) {
      return self.navigator.locks.request(name, { ifAvailable: true }, run);
    }
    if (held[name]) return Promise.resolve(run(null));
    held[name] = true;
    return Promise.resolve(run({})).finally(function () { held[name] = false; });
  }

  // --- Matching the app's URLs (built by the server with url_for) -------------------------------------

  function pattern(path) {
    var escaped = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp("^" + escaped.replace(C.ticket, "([^/]+)").replace(C.visit, "([^/]+)")
      .replace(C.parcel, "(\\d+)") + "$");
  }
  var ROUTES = {};
  ["pickupScan", "pickupNotFound", "pickupReject", "pickupFinish", "returnsScan", "returnsMissing", "carrierOpen",
    "carrierShop", "carrierScan", "carrierVisit", "intakeStart", "intakeScan", "intakeScreen"].forEach(function (name) {
    ROUTES[name] = pattern(C.routes[name]);
  });
  var VISIT_KEY = /^[A-Za-z0-9._~-]{8,64}$/;
  function match(name, url) { return ROUTES[name].exec(url.pathname); }
  function turnUrl(ticket) { return C.routes.pickupScreen.replace(C.ticket, ticket); }

  function neverStored(url) {
    return C.routes.neverStored.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; });
  }
  function isFragment(request) {
    var h = request.headers;
    return h.get("HX-Request") === "true" && !h.get("HX-Boosted") && !h.get("HX-History-Restore-Request");
  }
  function isPage(request) {
    return request.mode === "navigate" || (request.headers.get("HX-Request") === "true" && !isFragment(request));
  }

  // --- Screens: network first, the device's copy when the network is gone or slow ---------------------

  function isHtml(response) {
    return (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
  }
  function storable(response) {
    return response && response.status === 200 && !response.redirected && isHtml(response);
  }
  // A page served from the device says so: its forms then get fresh command ids (static/offline.js).
  function marked(response) {
    if (!isHtml(response)) return Promise.resolve(response);
    return response.clone().text().then(function (text) {
      return new Response(text.replace(/<html\b/i, "<html data-offline-copy"),
        { status: response.status, headers: withoutLength(response.headers) });
    });
  }
  function withoutLength(headers) {
    var copy = new Headers(headers);
    copy.delete("Content-Length");
    return copy;
  }
  function pageKey(request) { return new URL(request.url).href; }
  function fragmentKey(request) {
    var url = new URL(request.url);
    url.searchParams.set(FRAGMENT_MARK, "1");
    return url.href;
  }

  function plugin(key) {
    return {
      cacheKeyWillBeUsed: function (o) { return Promise.resolve(key(o.request)); },
      cacheWillUpdate: function (o) { return Promise.resolve(storable(o.response) ? o.response : null); },
      cachedResponseWillBeUsed: function (o) {
        return o.cachedResponse ? marked(o.cachedResponse) : Promise.resolve(null);
      },
      fetchDidSucceed: function (o) { reachable = true; return Promise.resolve(o.response); },
    };
  }
  var options = { cacheName: PAGES, networkTimeoutSeconds: C.pageTimeout, matchOptions: { ignoreVary: true } };
  var pages = new strategies.NetworkFirst(Object.assign({ plugins: [plugin(pageKey)] }, options));
  var fragments = new strategies.NetworkFirst(Object.assign({ plugins: [plugin(fragmentKey)] }, options));

  // The shop's QR code read into the carrier's home screen: its link leads to the shop's code screen.
  function readShopCode(url) {
    var link;
    try { link = new URL(url.searchParams.get("contenu") || "", self.location.href); } catch (e) { return null; }
    if (link.origin !== self.location.origin || !ROUTES.carrierShop.exec(link.pathname)) return null;
    return Response.redirect(link.href, 303);
  }

  function fallbackPage(url) {
    if (url.pathname === C.routes.carrierReadCode) {
      var shopPage = readShopCode(url);
      if (shopPage) return Promise.resolve(shopPage);
    }
    return caches.open(PAGES).then(function (cache) {
      return cache.match(url.href, { ignoreVary: true, ignoreSearch: true });
    }).then(function (hit) {
      if (hit) return marked(hit);
      return precaching.matchPrecache(C.fallback).then(function (page) {
        return page || new Response("", { status: 503 });
      });
    });
  }

  // A visit (or « Autre » intake) opened on the device is not on the server until its opening is sent:
  // until then its screen is the device's copy.
  function openingQueued(url) {
    var m = ROUTES.carrierVisit.exec(url.pathname) || ROUTES.intakeScreen.exec(url.pathname);
    if (!m) return Promise.resolve(false);
    var key;
    try { key = decodeURIComponent(m[1]); } catch (e) { return Promise.resolve(false); }
    return all("queue").then(function (entries) { return entries.some(function (e) { return e.key === key; }); });
  }

  routing.registerRoute(function (o) { return o.sameOrigin && isPage(o.request); }, function (o) {
    if (neverStored(o.url)) return fetch(o.request).catch(function () { return fallbackPage(o.url); });
    return openingQueued(o.url).then(function (queued) {
      if (queued) return fallbackPage(o.url);
      return pages.handle(o).catch(function () { reachable = false; return fallbackPage(o.url); });
    });
  }, "GET");

  routing.registerRoute(function (o) { return o.sameOrigin && isFragment(o.request); }, function (o) {
    if (neverStored(o.url)) return fetch(o.request);
    // Nothing stored: answer "no content", so HTMX leaves the screen as it is.
    return fragments.handle(o).catch(function () {
      reachable = false;
      return new Response("", { status: 204, headers: { "X-Comptoir-Offline": "1" } });
    });
  }, "GET");

  // --- Steps (POST): sent at once when online; kept and answered on the device when not --------------

  function answer(effect, status) {
    return new Response("", {
      status: status || 200,
      headers: { "HX-Reswap": "none", "HX-Trigger": JSON.stringify({ "comptoir:offline": effect }),
        "X-Comptoir-Offline": "1" },
    });
  }
  function html(body, status) {
    return new Response(body, { status: status, headers: { "Content-Type": "text/html; charset=utf-8",
      "X-Comptoir-Offline": "1" } });
  }
  // Header values must stay ASCII: a typed label is kept to the characters a tracking ID has.
  function ascii(text) { return String(text || "").replace(/[^A-Za-z0-9 ._-]/g, "").slice(0, 64); }
  function normTracking(text) { return String(text || "").toUpperCase().replace(/[^A-Z0-9]/g, ""); }

  function deviceTime(request) {
    var stamp = request.headers.get("X-Comptoir-Device-Time");
    return stamp && !isNaN(Date.parse(stamp)) ? new Date(stamp).toISOString() : new Date().toISOString();
  }
  function pagePath(request) {
    try { return new URL(request.headers.get("HX-Current-URL")).pathname; } catch (e) { return ""; }
  }

  function enqueue(request, body, effect, key) {
    var headers = [];
    request.headers.forEach(function (value, name) {
      if (name.toLowerCase() !== "x-comptoir-device-time") headers.push([name, value]);
    });
    key = key || request.headers.get("Idempotency-Key");
    effect.key = key;  // the page names the step's tag by it, to update it once the server answered
    return getMeta("account").then(function (account) {
      return put("queue", {
        key: key, url: request.url, method: request.method,
        headers: headers, body: body, at: deviceTime(request), account: account || 0, effect: effect,
        page: pagePath(request), attempts: 0, notBefore: 0, queuedAt: new Date().toISOString(),
      });
    }).then(function () {
      if (self.registration.sync) self.registration.sync.register(SYNC_TAG).catch(function () {});
      notify();
      return answer(effect);
    });
  }

  function queuedEffects(test) {
    return Promise.all([getMeta("account"), all("queue")]).then(function (r) {
      return r[1].filter(function (e) { return e.account === (r[0] || 0) && test(e); });
    });
  }

  // The steps still waiting for one parcel (an index: this runs at each scan made offline).
  function queuedFor(parcel, kind) {
    return Promise.all([getMeta("account"), reading("queue", function (s) { return s.index("parcel").getAll(parcel); })])
      .then(function (r) {
        return (r[1] || []).filter(function (e) { return e.account === (r[0] || 0) && e.effect.kind === kind; });
      });
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
  }
  // The same keyed hash as the server's (hub/offline.py): codes are never stored in clear.
  function digest(bundle, entry) {
    var raw = Uint8Array.from(atob(bundle.key), function (c) { return c.charCodeAt(0); });
    return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then(function (key) {
        return crypto.subtle.sign("HMAC", key, new TextEncoder().encode(bundle.shop + ":" + entry));
      }).then(hex);
  }

  function pickupScan(request, body, ticket, bundle) {
    var entry = new URLSearchParams(body).get("tracking_id") || "";
    var turn = bundle && bundle.turns && bundle.turns[turnUrl(ticket)];
    if (!turn) return enqueue(request, body, { kind: "queued" });
    return digest(bundle, entry.replace(/\s+/g, "")).then(function (hash) {
      if (turn.notice.indexOf(hash) >= 0) return answer({ kind: "notice" });
      var parcel = turn.parcels[normTracking(entry)];
      if (!parcel) return answer({ kind: "refused", reason: "not_this_customer", tracking_id: ascii(entry) });
      if (!parcel.handleable) return answer({ kind: "refused", reason: "gone", tracking_id: parcel.tracking_id });
      return queuedFor(parcel.id, "handed_over").then(function (done) {
        if (done.length) return answer({ kind: "already", parcel: parcel.id, tracking_id: parcel.tracking_id });
        return enqueue(request, body, { kind: "handed_over", parcel: parcel.id, tracking_id: parcel.tracking_id });
      });
    });
  }

  function parcelOfTurn(bundle, ticket, id) {
    var turn = bundle && bundle.turns && bundle.turns[turnUrl(ticket)];
    var found = turn && Object.keys(turn.parcels).map(function (k) { return turn.parcels[k]; })
      .filter(function (p) { return p.id === id; })[0];
    return found ? found.tracking_id : "";
  }

  function returnsScan(request, body, bundle) {
    var entry = new URLSearchParams(body).get("tracking_id") || "";
    var parcel = bundle && bundle.returns && bundle.returns[normTracking(entry)];
    if (!parcel) return Promise.resolve(answer({ kind: "refused", reason: "not_in_list", tracking_id: ascii(entry) }));
    if (parcel.expiresAt && Date.parse(parcel.expiresAt) > Date.parse(deviceTime(request))) {
      return Promise.resolve(answer({ kind: "refused", reason: "not_expired", tracking_id: parcel.tracking_id }));
    }
    return queuedFor(parcel.id, "staged").then(function (done) {
      var effect = { parcel: parcel.id, tracking_id: parcel.tracking_id };
      if (parcel.staged || done.length) return answer(Object.assign({ kind: "already_staged" }, effect));
      return enqueue(request, body, Object.assign({ kind: "staged" }, effect));
    });
  }

  function returnsParcel(bundle, id) {
    var found = bundle && bundle.returns && Object.keys(bundle.returns).map(function (k) { return bundle.returns[k]; })
      .filter(function (p) { return p.id === id; })[0];
    return found ? found.tracking_id : "";
  }

  // What a step made offline does on the device, by the screen it was made on.
  function offlineStep(request, body) {
    var url = new URL(request.url);
    return getMeta("bundle").then(function (bundle) {
      var m;
      if ((m = match("pickupScan", url))) return pickupScan(request, body, m[1], bundle);
      if ((m = match("pickupNotFound", url)) || (m = match("pickupReject", url))) {
        var kind = match("pickupReject", url) ? "rejected" : "not_found", id = Number(m[2]);
        return enqueue(request, body, { kind: kind, parcel: id, tracking_id: parcelOfTurn(bundle, m[1], id) });
      }
      if (match("pickupFinish", url)) return enqueue(request, body, { kind: "finished" });
      if (match("returnsScan", url)) return returnsScan(request, body, bundle);
      if (match("carrierScan", url) || match("intakeScan", url)) {
        var scanned = ascii(new URLSearchParams(body).get("tracking_id") || "");
        return enqueue(request, body, { kind: "delivery_scan", tracking_id: scanned });
      }
      if ((m = match("returnsMissing", url))) {
        return enqueue(request, body, { kind: "missing", parcel: Number(m[1]), tracking_id: returnsParcel(bundle, Number(m[1])) });
      }
      return enqueue(request, body, { kind: "queued" });
    });
  }

  // The pickup's start screen offline: the keyed hash of what was typed or scanned finds the pickup.
  function wrongCodes(bundle, add) {
    return getMeta("wrongCodes").then(function (times) {
      var now = Date.now(), recent = (times || []).filter(function (t) { return now - t < bundle.guard.window * 1000; });
      if (add) recent.push(now);
      return setMeta("wrongCodes", recent).then(function () { return recent.length; });
    });
  }

  function openPickupOffline(body) {
    var form = new URLSearchParams(body), typed = form.get("via") === "code";
    var entry = (form.get("entry") || "").replace(/\s+/g, "");
    return getMeta("bundle").then(function (bundle) {
      if (!bundle || !bundle.codes) return answer({ kind: "unavailable" });
      return wrongCodes(bundle, false).then(function (count) {
        if (count >= bundle.guard.limit) return html(bundle.start.locked, 429);
        return digest(bundle, entry).then(function (hash) {
          var url = entry && bundle.codes[hash];
          if (url) return new Response(null, { status: 204, headers: { "HX-Redirect": url } });
          return wrongCodes(bundle, true).then(function (n) {
            if (n >= bundle.guard.limit) return html(bundle.start.locked, 429);
            return html(typed ? bundle.start.wrongTyped : bundle.start.wrongScanned, 422);
          });
        });
      });
    });
  }

  // A carrier opens a visit with no network: the shop code cannot be checked here (the shop's secret
  // never leaves the server), so the opening is queued and the visit's first screen, from the bundle,
  // is stored under the visit's name, which is the opening's command id. The scans made there queue
  // behind the opening; the server checks the code against the moment it was read, and refuses the
  // visit and its scans, all shown in « À vérifier », if it was wrong.
  // An « Autre » intake the associate starts offline works the same way.
  function opening(url) {
    var m;
    if ((m = match("carrierOpen", url))) {
      return { screen: "carrierVisit", find: function (bundle, form) {
        var screens = bundle.visits && bundle.visits[m[1]];
        return screens && screens[form.get("kind") === "return" ? "return" : "dropoff"];
      }, effect: function (form) { return { kind: "visit_opened", code: ascii(form.get("code") || "") }; } };
    }
    if ((m = match("intakeStart", url))) {
      return { screen: "intakeScreen", find: function (bundle) { return bundle.intakes && bundle.intakes[m[1]]; },
        effect: function () { return { kind: "intake_started" }; } };
    }
    return null;
  }

  function openOffline(request, body, how) {
    var form = new URLSearchParams(body), key = form.get("command_id") || "";
    return getMeta("bundle").then(function (bundle) {
      var screen = bundle && how.find(bundle, form);
      if (!screen || !VISIT_KEY.test(key)) return fallbackPage(new URL(request.url));
      var name = encodeURIComponent(key);
      var url = new URL(C.routes[how.screen].replace(C.visit, name), self.location.href).href;
      return caches.open(PAGES).then(function (cache) {
        return cache.put(url, html(screen.split(C.visit).join(name), 200));
      }).then(function () {
        return enqueue(request, body, Object.assign(how.effect(form), { screen: url }), key);
      }).then(function () { return Response.redirect(url, 303); });
    });
  }

  function withTimeout(promise, seconds) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error("timeout")); }, seconds * 1000);
      promise.then(function (r) { clearTimeout(timer); resolve(r); }, function (e) { clearTimeout(timer); reject(e); });
    });
  }

  function hasQueued() {
    return getMeta("account").then(function (account) { return nextEntry(account || 0); }).then(Boolean);
  }

  function handleStep(o) {
    var request = o.request;
    var how = request.mode === "navigate" && opening(o.url);
    if (how) {
      // Sent at once when online, even while steps wait: the server ends a visit opened earlier but
      // arriving later at the next opening's time, so the order of arrival does not matter.
      return request.clone().text().then(function (body) {
        return withTimeout(fetch(request), C.commandTimeout).catch(function () {
          reachable = false;
          return openOffline(request, body, how);
        });
      });
    }
    if (neverStored(o.url) || request.mode === "navigate") {
      return fetch(request).catch(function () { return fallbackPage(o.url); });
    }
    return request.clone().text().then(function (body) {
      if (o.url.pathname === C.routes.pickupOpen) {
        return fetch(request).catch(function () { reachable = false; return openPickupOffline(body); });
      }
      if (!request.headers.get("Idempotency-Key")) {
        return fetch(request).catch(function () { return answer({ kind: "unavailable" }); });
      }
      return hasQueued().then(function (waiting) {
        // Steps keep their order: while anything waits, a new step waits behind it.
        if (waiting) return offlineStep(request, body).then(function (r) { if (reachable) replaySoon(0); return r; });
        return withTimeout(fetch(request), C.commandTimeout).then(function (response) {
          reachable = true;
          return response;
        }, function () {
          reachable = false;
          return offlineStep(request, body);
        });
      });
    });
  }
  routing.registerRoute(function (o) { return o.sameOrigin; }, function (o) {
    // Whatever fails on the device, the associate is told the step was not kept: never a silent loss.
    return handleStep(o).catch(function (error) {
      console.error("offline step", error);
      return answer({ kind: "unavailable" });
    });
  }, "POST");

  // --- The replay: oldest first, one at a time, each step applied once by its command id --------------

  function send(entry) {
    var headers = new Headers(entry.headers);
    headers.set("Idempotency-Key", entry.key);
    headers.set("X-Offline-Replay", "1");
    headers.set("X-Occurred-At", entry.at);
    headers.set("X-Offline-Account", String(entry.account));
    var request = new Request(entry.url, { method: entry.method, headers: headers, body: entry.body,
      credentials: "same-origin" });
    return withTimeout(fetch(request), C.commandTimeout * 3).then(function (response) {
      if (response.status === 401) return { outcome: "signin" };
      var applied = response.headers.get("X-Command-Applied") === "true" || response.redirected;
      if (response.ok && applied) return { outcome: "done" };
      var s = response.status;
      if (s >= 500 || s === 408 || s === 429 || response.headers.has("Retry-After")) return { outcome: "retry" };
      return response.text().then(function (text) {
        return { outcome: "conflict", status: s, body: text.slice(0, 50000) };
      });
    }, function () { return { outcome: "network" }; });
  }

  var retryTimer = null;
  function replaySoon(ms) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(function () { replay(); }, ms || 0);
  }

  function backOff(entry) {
    entry.attempts += 1;
    var seconds = Math.min(MAX_BACKOFF_S, Math.pow(2, entry.attempts)) * (0.5 + Math.random() / 2);
    entry.notBefore = Date.now() + seconds * 1000;
    return put("queue", entry).then(function () { replaySoon(seconds * 1000); });
  }

  function replayOnce() {
    var result = { sent: 0, conflicts: 0, stopped: null };
    return getMeta("account").then(function (account) {
      account = account || 0;
      function step() {
        return nextEntry(account).then(function (entry) {
          if (!entry) return result;
          if (entry.notBefore > Date.now()) { result.stopped = "waiting"; replaySoon(entry.notBefore - Date.now()); return result; }
          return send(entry).then(function (r) {
            if (r.outcome === "done") {
              reachable = true;
              result.sent += 1;
              tell({ type: "answered", key: entry.key, refused: false });
              return Promise.all([remove("queue", entry.seq), setMeta("needsSignIn", false)]).then(step);
            }
            if (r.outcome === "conflict") {
              result.conflicts += 1;
              tell({ type: "answered", key: entry.key, refused: true });
              // A refused opening: its screen, stored on the device, must not open again.
              if (entry.effect.screen) caches.open(PAGES).then(function (cache) { cache.delete(entry.effect.screen); });
              return toConflict(entry, { status: r.status, answer: r.body, answeredAt: new Date().toISOString() }).then(step);
            }
            result.stopped = r.outcome;
            if (r.outcome === "network") reachable = false;
            if (r.outcome === "signin") return setMeta("needsSignIn", true).then(function () { return result; });
            if (r.outcome === "retry") return backOff(entry).then(function () { return result; });
            return result;
          });
        });
      }
      return step();
    });
  }

  function replay() {
    return exclusive(REPLAY_LOCK, replayOnce).then(function (result) {
      notify();
      return result;
    });
  }

  // --- The bundle: what an offline pickup and return scan need, and the screens to keep ---------------

  function rebuilt(response) {
    return response.blob().then(function (body) {
      return new Response(body, { status: 200, headers: withoutLength(response.headers) });
    });
  }

  function warm(cache, url, fragment) {
    var headers = fragment ? { "HX-Request": "true" } : {};
    return fetch(url, { credentials: "same-origin", headers: headers }).then(function (response) {
      var login = new URL(response.url).pathname === C.routes.login;
      if (response.status !== 200 || login || !isHtml(response)) return null;
      var key = fragment ? fragmentKey(new Request(url)) : new URL(url, self.location.href).href;
      return rebuilt(response).then(function (copy) { return cache.put(key, copy); });
    }).catch(function () { return null; });
  }

  function storeBundle(bundle) {
    return Promise.all([caches.open(PAGES), getMeta("bundle")]).then(function (r) {
      var cache = r[0], previous = r[1] || {};
      var gone = Object.keys(previous.turns || {}).filter(function (url) { return !(url in bundle.turns); });
      var stored = Object.keys(bundle.turns || {}).map(function (url) {
        var page = bundle.turns[url].page;
        delete bundle.turns[url].page;
        return cache.put(new URL(url, self.location.href).href, html(page, 200));
      });
      return Promise.all(stored.concat(gone.map(function (url) { return cache.delete(url); })));
    }).then(function () {
      return Promise.all([setMeta("bundle", bundle), setMeta("account", bundle.account),
        setMeta("syncedLocal", Date.now())]);
    });
  }

  function syncOnce() {
    return fetch(C.bundle, { credentials: "same-origin", redirect: "manual", cache: "no-store" }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401) return { signedOut: true };
      if (!response.ok) return { failed: response.status };
      return response.json().then(function (bundle) {
        bundle.turns = bundle.turns || {};
        return storeBundle(bundle).then(function () { return caches.open(PAGES); }).then(function (cache) {
          var pagesWarm = (bundle.pages || []).map(function (url) { return warm(cache, url, false); });
          var fragmentsWarm = (bundle.fragments || []).map(function (url) { return warm(cache, url, true); });
          return Promise.all(pagesWarm.concat(fragmentsWarm));
        }).then(function () { reachable = true; return { syncedAt: bundle.syncedAt }; });
      });
    }, function () { reachable = false; return { failed: "network" }; });
  }

  function sync() {
    return replay().then(function () { return exclusive(SYNC_LOCK, syncOnce); }).then(function (r) {
      notify();
      return r;
    });
  }

  // --- The account's data: kept for its account, wiped when it signs out or another signs in ---------

  function wipeScreens() {
    return Promise.all([caches.delete(PAGES), setMeta("bundle", null), setMeta("wrongCodes", [])]);
  }

  function hello(account) {
    return getMeta("account").then(function (known) {
      if (account === known || account === undefined || account === null) return null;
      return wipeScreens().then(function () { return setMeta("account", account); });
    }).then(state);
  }

  function signOut(account) {
    return replay().then(state).then(function (s) {
      if (s.account === (account || 0) && (s.queued || s.conflicts)) return { blocked: true, state: s };
      return wipeScreens().then(function () { return setMeta("account", null); }).then(function () {
        return { blocked: false };
      });
    });
  }

  function conflicts() {
    return Promise.all([getMeta("account"), all("conflicts")]).then(function (r) {
      return r[1].filter(function (c) { return c.account === (r[0] || 0); });
    });
  }

  var HANDLERS = {
    hello: function (d) { return hello(d.account); },
    state: state,
    replay: function () { return replay().then(state); },
    sync: function () { return sync().then(state); },
    pending: function (d) { return queuedEffects(function (e) { return e.page === d.page; }).then(function (es) {
      return es.map(function (e) { return e.effect; });
    }); },
    conflicts: conflicts,
    acknowledge: function (d) { return remove("conflicts", d.seq).then(notify).then(state); },
    signOut: function (d) { return signOut(d.account); },
    skipWaiting: function () { return self.skipWaiting(); },
  };

  self.addEventListener("message", function (event) {
    var data = event.data || {}, port = event.ports && event.ports[0], handler = HANDLERS[data.type];
    if (!handler) return;
    event.waitUntil(Promise.resolve(data).then(handler).then(function (value) {
      if (port) port.postMessage(value === undefined ? null : value);
    }, function (error) {
      if (port) port.postMessage({ error: String(error) });
    }));
  });

  // Background Sync where the browser has it (Chromium); pages also ask on `online`, on load and on
  // « Synchroniser », for the browsers without it.
  self.addEventListener("sync", function (event) {
    if (event.tag !== SYNC_TAG) return;
    event.waitUntil(replay().then(function (result) {
      if (result && (result.stopped === "network" || result.stopped === "retry")) throw new Error("again later");
    }));
  });
})();
