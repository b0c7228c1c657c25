// What the pages ask the worker (static/offline.js): each message names a handler, and the answer goes
// back through the port the page sent with it. Last of the modules: it calls all the others.
(function (comptoir) {
  "use strict";

  var store = comptoir.store, state = comptoir.state, replay = comptoir.replay.replay;
  var account = comptoir.account, queue = comptoir.queue, sync = comptoir.bundle.sync, counter = comptoir.counter;

  var HANDLERS = {
    hello: function (d) { return account.hello(d.account); },
    state: state.current,
    replay: function () { return replay().then(state.current); },
    sync: function () { return sync().then(state.current); },
    pending: function (d) { return queue.waiting(function (e) { return e.page === d.page; }).then(function (es) {
      return es.map(function (e) { return e.effect; });
    }); },
    conflicts: account.conflicts,
    acknowledge: function (d) { return store.remove("conflicts", d.seq).then(state.notify).then(state.current); },
    signOut: function (d) { return account.signOut(d.account); },
    skipWaiting: function () { return self.skipWaiting(); },
    counterAssociates: counter.associates,
    checkPin: counter.check,
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
})(self.comptoir = self.comptoir || {});
