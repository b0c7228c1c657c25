// What every page is told: the account on the device, its steps waiting and its conflicts, when it
// last synchronised, whether the network answers, and the worker's version.
(function (comptoir) {
  "use strict";

  var C = self.COMPTOIR, store = comptoir.store, network = comptoir.network;

  function current() {
    return store.getMeta("account").then(function (account) {
      account = account || 0;
      return Promise.all([account, store.countOf("queue", account), store.countOf("conflicts", account),
        store.getMeta("bundle"), store.getMeta("needsSignIn"), store.getMeta("syncedLocal")]);
    }).then(function (r) {
      var account = r[0];
      return {
        account: account, queued: r[1], conflicts: r[2],
        syncedAt: r[3] && r[3].account === account ? r[3].syncedAt : null,
        needsSignIn: !!r[4], reachable: network.reachable, version: C.version,
        syncAge: r[3] && r[3].account === account && r[5] ? Date.now() - r[5] : null,
      };
    });
  }

  // Pages not yet controlled too: the first page may load while the worker installs.
  function tell(message) {
    return self.clients.matchAll({ includeUncontrolled: true }).then(function (clients) {
      clients.forEach(function (client) { client.postMessage(message); });
    });
  }

  function notify() {
    return current().then(function (s) { return tell({ type: "state", state: s }); });
  }

  comptoir.state = { current: current, tell: tell, notify: notify };
})(self.comptoir = self.comptoir || {});
