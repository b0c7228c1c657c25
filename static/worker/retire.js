// A device the network revoked (lost, stolen): an answer says so (static/worker/network.js ``seen``). The
// queue is handed over first — the server holds each step for an operator and answers it as delivered, so
// nothing made on the device is lost — then every cache, the bundle, the replay token, the conflicts and
// the account are erased, and the pages are told, which reload onto the server's explanation. A step the
// network did not take yet (no answer) stays, alone, until the next contact hands it over.
(function (comptoir) {
  "use strict";

  var store = comptoir.store, state = comptoir.state, replay = comptoir.replay.replay, locks = comptoir.locks;
  var SYNC_LOCK = comptoir.bundle.SYNC_LOCK, REPLAY_LOCK = comptoir.replay.REPLAY_LOCK;
  var under = null;

  function eraseCaches() {
    return caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) { return caches.delete(name); }));
    });
  }

  // The replay under way (often the one whose answer said so) ends first; then the queue is sent once more.
  function handOver() {
    return locks.after(REPLAY_LOCK, function () { return Promise.resolve(); }).then(replay);
  }

  function retireOnce() {
    return handOver().then(function () { return store.all("queue"); }).then(function (left) {
      return locks.after(SYNC_LOCK, function () { return Promise.all([eraseCaches(), store.erase(left.length > 0)]); });
    }).then(function () { return state.tell({ type: "revoked" }); });
  }

  function retire() {
    under = under || retireOnce().finally(function () { under = null; });
    return under;
  }

  comptoir.network.onRevoked = retire;
  comptoir.retire = { retire: retire };
})(self.comptoir = self.comptoir || {});
