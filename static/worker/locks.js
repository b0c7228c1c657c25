// One at a time: the Web Locks API where the browser has it, else a flag in this worker. A call that
// finds the work running makes it run once more at the end, so no trigger is lost.
(function (comptoir) {
  "use strict";

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
    held[name] = Promise.resolve(run({})).finally(function () { held[name] = null; });
    return held[name];
  }

  // Runs ``work`` once whatever holds ``name`` has finished (a sign-out waits for a sync under way, a
  // sync for a replay under way).
  function after(name, work) {
    if (self.navigator && self.navigator.locks) return self.navigator.locks.request(name, work);
    return Promise.resolve(held[name]).catch(function () { return null; }).then(work);
  }

  comptoir.locks = { exclusive: exclusive, after: after };
})(self.comptoir = self.comptoir || {});
