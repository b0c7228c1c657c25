// The network as the worker last met it: whether it answered (told to the pages, which show the
// offline banner), and how long a request may take before the device answers in its place. Every answer
// the worker gets passes through ``seen``: one that says the network revoked this device starts its
// retirement (static/worker/retire.js).
(function (comptoir) {
  "use strict";

  var REVOKED = "X-Comptoir-Device-Revoked";

  function withTimeout(promise, seconds) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error("timeout")); }, seconds * 1000);
      promise.then(function (r) { clearTimeout(timer); resolve(r); }, function (e) { clearTimeout(timer); reject(e); });
    });
  }

  // Not waited for: the retirement sends the queue again, which must not wait on the answer that started it.
  function seen(response) {
    if (response && response.headers && response.headers.get(REVOKED) === "1" && comptoir.network.onRevoked) {
      setTimeout(comptoir.network.onRevoked, 0);
    }
    return response;
  }

  // The worker's own requests say which version it is (the back office shows it per device).
  function versioned(headers) {
    var h = new Headers(headers || {});
    h.set("X-Comptoir-Version", self.COMPTOIR.version);
    return h;
  }

  comptoir.network = { reachable: true, withTimeout: withTimeout, seen: seen, versioned: versioned, onRevoked: null };
})(self.comptoir = self.comptoir || {});
