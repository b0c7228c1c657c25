// Keeping a step for later: the request as it was made (URL, headers, body, command id), the device's
// time, the account, the screen it was made on and what it did on the device.
(function (comptoir) {
  "use strict";

  var store = comptoir.store, state = comptoir.state, replies = comptoir.replies;
  var SYNC_TAG = "comptoir-replay";

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
    return store.getMeta("account").then(function (account) {
      return store.put("queue", {
        key: key, url: request.url, method: request.method,
        headers: headers, body: body, at: deviceTime(request), account: account || 0, effect: effect,
        page: pagePath(request), attempts: 0, notBefore: 0, queuedAt: new Date().toISOString(),
      });
    }).then(function () {
      if (self.registration.sync) self.registration.sync.register(SYNC_TAG).catch(function () {});
      state.notify();
      return replies.answer(effect);
    });
  }

  // The account's steps that pass ``test``.
  function waiting(test) {
    return Promise.all([store.getMeta("account"), store.all("queue")]).then(function (r) {
      return r[1].filter(function (e) { return e.account === (r[0] || 0) && test(e); });
    });
  }

  // The steps still waiting for one parcel (an index: this runs at each scan made offline).
  function waitingFor(parcel, kind) {
    var ask = function (s) { return s.index("parcel").getAll(parcel); };
    return Promise.all([store.getMeta("account"), store.reading("queue", ask)]).then(function (r) {
      return (r[1] || []).filter(function (e) { return e.account === (r[0] || 0) && e.effect.kind === kind; });
    });
  }

  // Asked before every step sent online: answered from memory until the store is written again.
  var known = { writes: -1, any: false };
  function anyWaiting() {
    var writes = store.written();
    if (known.writes === writes) return Promise.resolve(known.any);
    return store.getMeta("account").then(function (account) { return store.nextEntry(account || 0); })
      .then(function (entry) {
        if (store.written() === writes) known = { writes: writes, any: Boolean(entry) };
        return Boolean(entry);
      });
  }

  comptoir.queue = {
    SYNC_TAG: SYNC_TAG, deviceTime: deviceTime, enqueue: enqueue, waiting: waiting, waitingFor: waitingFor,
    anyWaiting: anyWaiting,
  };
})(self.comptoir = self.comptoir || {});
