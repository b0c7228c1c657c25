// The replay: the account's queued steps sent oldest first, a few at once where they do not depend on each
// other (static/worker/lanes.js), one replay at a time, each step applied once by its command id. A step
// leaves the queue only once the server said it applied it, or refused it (then it waits in « À vérifier »):
// nothing is dropped silently.
(function (comptoir) {
  "use strict";

  var C = self.COMPTOIR, store = comptoir.store, network = comptoir.network, state = comptoir.state;
  var PAGES = comptoir.screens.PAGES, SYNC_TAG = comptoir.queue.SYNC_TAG, locks = comptoir.locks;
  var lanes = comptoir.lanes, REPLAY_LOCK = "comptoir-replay";
  // Steps sent at once (more only wait on the server: README, performance), and how far ahead in the queue
  // the replay looks for steps that may go (enough to pass several customers' steps held behind their first).
  var WINDOW = 4, LOOKAHEAD = 48;
  var MAX_BACKOFF_S = 300, MAX_UNREACHABLE_S = 60;

  // The replay token (from the bundle) is what lets the server believe the device's time and waive the
  // overdue block for this step: the queue alone sends it (hub/core/replay.py).
  function send(entry, token) {
    var headers = network.versioned(entry.headers);
    headers.set("Idempotency-Key", entry.key);
    headers.set("X-Offline-Replay", "1");
    headers.set("X-Occurred-At", entry.at);
    headers.set("X-Offline-Account", String(entry.account));
    if (token) headers.set("X-Replay-Token", token);
    var request = new Request(entry.url, { method: entry.method, headers: headers, body: entry.body,
      credentials: "same-origin" });
    return network.withTimeout(fetch(request), C.commandTimeout * 3).then(network.seen).then(function (response) {
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
  function soon(ms) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(function () { replay(); }, ms || 0);
  }

  function backOff(entry) {
    entry.attempts += 1;
    var seconds = Math.min(MAX_BACKOFF_S, Math.pow(2, entry.attempts)) * (0.5 + Math.random() / 2);
    entry.notBefore = Date.now() + seconds * 1000;
    return store.put("queue", entry).then(function () { soon(seconds * 1000); });
  }

  // The device says it is online but the server did not answer (the Wi-Fi came back a moment before the
  // route to the server, or the server restarts): try again soon, then less and less often, without
  // waiting for the next trigger, which may be a minute away.
  var unreachable = 0;
  function tryAgainSoon() {
    unreachable += 1;
    if (self.navigator.onLine !== false) soon(Math.min(MAX_UNREACHABLE_S, Math.pow(2, unreachable - 1)) * 1000);
  }

  // A step went through: the device no longer asks to sign in (written only when it did: one write less a step).
  function signedInAgain() {
    return store.getMeta("needsSignIn").then(function (needed) { return needed && store.setMeta("needsSignIn", false); });
  }

  // What the server's answer ``r`` to ``entry`` does; a stop is written in ``result.stopped`` (the first
  // one stays: the answers of the steps sent with it may come after).
  function settle(entry, r, result) {
    if (r.outcome === "done") {
      network.reachable = true;
      unreachable = 0;
      result.sent += 1;
      state.tell({ type: "answered", key: entry.key, refused: false });
      return Promise.all([store.remove("queue", entry.seq), signedInAgain()]);
    }
    if (r.outcome === "conflict") {
      result.conflicts += 1;
      state.tell({ type: "answered", key: entry.key, refused: true });
      // A refused opening: its screen, stored on the device, must not open again.
      if (entry.effect.screen) caches.open(PAGES).then(function (cache) { cache.delete(entry.effect.screen); });
      var answer = { status: r.status, answer: r.body, answeredAt: new Date().toISOString() };
      return store.toConflict(entry, answer);
    }
    result.stopped = result.stopped || r.outcome;
    if (r.outcome === "network") { network.reachable = false; tryAgainSoon(); }
    if (r.outcome === "signin") return store.setMeta("needsSignIn", true);
    if (r.outcome === "retry") return backOff(entry);
    return Promise.resolve();
  }

  // One replay: the oldest steps read a few at a time; up to WINDOW sent at once, each only once every
  // older step sharing a lane with it (static/worker/lanes.js) is answered. A stop (no network, no
  // sign-in, the server busy) sends nothing more, and ends once the steps under way are answered.
  function replayOnce() {
    return store.getMeta("account").then(function (account) {
      return new Promise(function (resolve, reject) {
        var run = { account: account || 0, result: { sent: 0, conflicts: 0, stopped: null }, pending: [],
          flying: [], lanes: new WeakMap(), lastSeq: 0, filling: false, drained: false, error: null };
        run.end = function () { return run.error ? reject(run.error) : resolve(run.result); };
        pump(run);
      });
    });
  }

  function halted(run) { return Boolean(run.result.stopped || run.error); }

  // Starts what may go now, reads more of the queue when the look-ahead runs short, ends when all is done.
  function pump(run) {
    while (!halted(run) && run.flying.length < WINDOW) {
      var entry = ready(run);
      if (!entry) break;
      if (entry.notBefore > Date.now()) { waitFor(run, entry); break; }
      launch(run, entry);
    }
    if (run.filling) return;
    if (!halted(run) && !run.drained && run.pending.length < LOOKAHEAD / 2) { fill(run); return; }
    if (!run.flying.length && (halted(run) || !run.pending.length)) run.end();
  }

  // The oldest step of the look-ahead no older step holds back, taken out of it (null: none may go now).
  function ready(run) {
    var held = new lanes.Held();
    run.flying.forEach(function (e) { held.add(run.lanes.get(e)); });
    for (var i = 0; i < run.pending.length; i += 1) {
      var entryLanes = run.lanes.get(run.pending[i]);
      if (!held.blocks(entryLanes)) return run.pending.splice(i, 1)[0];
      if (held.alone) return null;
      held.add(entryLanes);
    }
    return null;
  }

  // A step waiting out its back-off: the replay stops there, and starts again when it may go.
  function waitFor(run, entry) {
    run.result.stopped = "waiting";
    soon(entry.notBefore - Date.now());
  }

  function fill(run) {
    run.filling = true;
    store.entriesAfter(run.account, run.lastSeq, LOOKAHEAD - run.pending.length).then(function (entries) {
      entries.forEach(function (e) { run.lanes.set(e, lanes.of(e)); run.lastSeq = e.seq; });
      run.pending = run.pending.concat(entries);
      run.drained = !entries.length;
    }, function (error) { run.error = error; }).then(function () {
      run.filling = false;
      pump(run);
    });
  }

  // Sends ``entry`` once and settles its answer; a step answered lets the queue be read again (steps may
  // have been kept meanwhile).
  function launch(run, entry) {
    run.flying.push(entry);
    store.getMeta("replayToken").then(function (token) { return send(entry, token); }).then(function (r) {
      return settle(entry, r, run.result);
    }).catch(function (error) { run.error = run.error || error; }).then(function () {
      run.flying.splice(run.flying.indexOf(entry), 1);
      run.drained = false;
      pump(run);
    });
  }

  function replay() {
    return locks.exclusive(REPLAY_LOCK, replayOnce).then(function (result) {
      state.notify();
      return result;
    });
  }

  // Background Sync where the browser has it (Chromium); pages also ask on `online`, on load and on
  // « Synchroniser », for the browsers without it.
  self.addEventListener("sync", function (event) {
    if (event.tag !== SYNC_TAG) return;
    event.waitUntil(replay().then(function (result) {
      if (result && (result.stopped === "network" || result.stopped === "retry")) throw new Error("again later");
    }));
  });

  comptoir.replay = { replay: replay, soon: soon, REPLAY_LOCK: REPLAY_LOCK };
})(self.comptoir = self.comptoir || {});
