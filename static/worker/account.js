// The account's data on the device: kept for its account, wiped when it signs out or another signs in,
// so nobody sees another associate's screens nor sends their steps.
(function (comptoir) {
  "use strict";

  var store = comptoir.store, state = comptoir.state, replay = comptoir.replay.replay, locks = comptoir.locks;
  var PAGES = comptoir.screens.PAGES, SYNC_LOCK = comptoir.bundle.SYNC_LOCK;

  function wipeScreens() {
    return Promise.all([caches.delete(PAGES), store.setMeta("bundle", null), store.setMeta("replayToken", null),
      store.setMeta("wrongCodes", [])]);
  }

  // A page names the account signed in: another one than the device knows wipes the last one's data.
  function hello(account) {
    return store.getMeta("account").then(function (known) {
      if (account === known || account === undefined || account === null) return null;
      return wipeScreens().then(function () { return store.setMeta("account", account); });
    }).then(state.current);
  }

  // Signing out first sends what waits; it is held while steps still wait or conflicts are not acknowledged.
  // The wipe waits for a sync under way, which would otherwise store its screens again after it; once the
  // device holds no account, a sync stores nothing (static/worker/bundle.js).
  function signOut(account) {
    return replay().then(state.current).then(function (s) {
      if (s.account === (account || 0) && (s.queued || s.conflicts)) return { blocked: true, state: s };
      return locks.after(SYNC_LOCK, function () {
        return Promise.all([wipeScreens(), store.setMeta("account", null)]);
      }).then(function () { return { blocked: false }; });
    });
  }

  function conflicts() {
    return Promise.all([store.getMeta("account"), store.all("conflicts")]).then(function (r) {
      return r[1].filter(function (c) { return c.account === (r[0] || 0); });
    });
  }

  comptoir.account = { hello: hello, signOut: signOut, conflicts: conflicts };
})(self.comptoir = self.comptoir || {});
