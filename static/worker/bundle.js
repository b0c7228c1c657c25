// The bundle: what an offline pickup, return scan, intake or carrier's visit needs, fetched at each sync
// after the replay, and the screens it names, stored on the device as the server rendered them.
(function (comptoir) {
  "use strict";

  var C = self.COMPTOIR, store = comptoir.store, screens = comptoir.screens, network = comptoir.network;
  var replies = comptoir.replies, locks = comptoir.locks, replay = comptoir.replay.replay, state = comptoir.state;
  var REPLAY_LOCK = comptoir.replay.REPLAY_LOCK;
  var SYNC_LOCK = "comptoir-sync";

  // The server compresses its answers: the copy kept drops the compressed length, which its decoded body
  // no longer has.
  function rebuilt(response) {
    return response.blob().then(function (body) {
      return new Response(body, { status: 200, headers: screens.withoutLength(response.headers) });
    });
  }

  // A screen's copy for offline use, asked with the tag of the copy the device holds: the server answers 304
  // when the screen has not changed, and the copy stays as it is.
  function warm(cache, url, fragment) {
    var key = fragment ? screens.fragmentKey(new Request(url)) : new URL(url, self.location.href).href;
    return cache.match(key).then(function (held) {
      var headers = network.versioned({ "X-Comptoir-Copy": "1" });
      if (fragment) headers.set("HX-Request", "true");
      var tag = held && held.headers.get("ETag");
      if (tag) headers.set("If-None-Match", tag);
      return fetch(url, { credentials: "same-origin", headers: headers, cache: "no-store" });
    }).then(network.seen).then(function (response) {
      var login = new URL(response.url).pathname === C.routes.login;
      if (response.status !== 200 || login || !screens.isHtml(response)) return null;
      return rebuilt(response).then(function (copy) { return cache.put(key, copy); });
    }).catch(function () { return null; });
  }

  // A pickup's page: the page every pickup screen sits in, with this pickup's name and screen in its slots
  // (both rendered by the server, hub/offline/bundle.py). The name comes escaped.
  function pickupPage(bundle, turn) {
    return bundle.shell.split(bundle.slot.title).join(turn.title).split(bundle.slot.screen).join(turn.screen);
  }

  // Each active pickup's screen is stored under its own URL; the bundle keeps the rest. Only for the
  // account the device holds: one that signed out meanwhile gets nothing stored again.
  function storeBundle(bundle) {
    return Promise.all([caches.open(screens.PAGES), store.getMeta("bundle")]).then(function (r) {
      var cache = r[0], previous = r[1] || {};
      var gone = Object.keys(previous.turns || {}).filter(function (url) { return !(url in bundle.turns); });
      var stored = Object.keys(bundle.turns || {}).map(function (url) {
        var page = pickupPage(bundle, bundle.turns[url]);
        delete bundle.turns[url].screen;
        return cache.put(new URL(url, self.location.href).href, replies.html(page, 200));
      });
      delete bundle.shell;
      return Promise.all(stored.concat(gone.map(function (url) { return cache.delete(url); })));
    }).then(function () {
      // The replay token is the queue's alone (static/worker/replay.js): it is kept apart from what screens read.
      var token = bundle.replayToken;
      delete bundle.replayToken;
      return Promise.all([store.setMeta("bundle", bundle), store.setMeta("account", bundle.account),
        store.setMeta("replayToken", token || null), store.setMeta("syncedLocal", Date.now())]);
    });
  }

  // ``queued``: how many steps waited in the queue when the sync began, noted by the network with the version.
  function syncOnce(queued) {
    var headers = network.versioned({ "X-Comptoir-Queue": String(queued) });
    var asked = fetch(C.bundle, { credentials: "same-origin", redirect: "manual", cache: "no-store", headers: headers });
    return asked.then(network.seen).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401) return { signedOut: true };
      if (!response.ok) return { failed: response.status };
      return Promise.all([response.json(), store.getMeta("account")]).then(function (r) {
        var bundle = r[0];
        if (bundle.account !== r[1]) return { signedOut: true };
        bundle.turns = bundle.turns || {};
        return storeBundle(bundle).then(function () { return caches.open(screens.PAGES); }).then(function (cache) {
          var pagesWarm = (bundle.pages || []).map(function (url) { return warm(cache, url, false); });
          var fragmentsWarm = (bundle.fragments || []).map(function (url) { return warm(cache, url, true); });
          return Promise.all(pagesWarm.concat(fragmentsWarm));
        }).then(function () { network.reachable = true; return { syncedAt: bundle.syncedAt }; });
      });
    }, function () { network.reachable = false; return { failed: "network" }; });
  }

  function queueLength() {
    return store.getMeta("account").then(function (account) { return store.countOf("queue", account || 0); });
  }

  // The replay first, to its end, even one another trigger started: the bundle then shows what the steps
  // sent did, and is not built on the server while it still applies them (a sync during a replay
  // costs its steps the server's time).
  function sync() {
    var queued = 0;
    return queueLength().then(function (n) { queued = n; return replay(); }).then(function () {
      return locks.after(REPLAY_LOCK, function () { return null; });
    }).then(function () {
      return locks.exclusive(SYNC_LOCK, function () { return syncOnce(queued); });
    }).then(function (r) {
      state.notify();
      return r;
    });
  }

  comptoir.bundle = { sync: sync, SYNC_LOCK: SYNC_LOCK };
})(self.comptoir = self.comptoir || {});
