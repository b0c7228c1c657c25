// The network as the worker last met it: whether it answered (told to the pages, which show the
// offline banner), and how long a request may take before the device answers in its place.
(function (comptoir) {
  "use strict";

  function withTimeout(promise, seconds) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error("timeout")); }, seconds * 1000);
      promise.then(function (r) { clearTimeout(timer); resolve(r); }, function (e) { clearTimeout(timer); reject(e); });
    });
  }

  comptoir.network = { reachable: true, withTimeout: withTimeout };
})(self.comptoir = self.comptoir || {});
