// The shared counter offline: who may take the device over, and their PIN checked against the keyed hash
// the bundle brought (PBKDF2-SHA256 with this device's secret: hub/rules/pins.keyed_hash). Wrong PINs count
// here too: at the bundle's `lockAfter` in a row, that associate cannot switch on this device offline until
// they sign in with their password again (the bundle then says a later `signedInAt`). The page never sees a
// keyed hash.
(function (comptoir) {
  "use strict";

  var store = comptoir.store;
  var PIN = /^[0-9]{4,6}$/;

  function read() {
    return Promise.all([store.getMeta("bundle"), store.getMeta("pinFailures")]).then(function (r) {
      return { counter: (r[0] && r[0].counter) || null, failures: r[1] || {} };
    });
  }

  // Wrong PINs counted since the associate's last password sign-in.
  function failuresOf(failures, associate) {
    var entry = failures[associate.id];
    return entry && entry.since === associate.signedInAt ? entry.n : 0;
  }

  function associates() {
    return read().then(function (r) {
      if (!r.counter) return { associates: [] };
      return { associates: r.counter.associates.map(function (a) {
        return { id: a.id, name: a.name, usable: Boolean(a.key) && failuresOf(r.failures, a) < r.counter.lockAfter };
      }) };
    });
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function keyedHash(pin, secret, id, iterations) {
    var text = new TextEncoder();
    return crypto.subtle.importKey("raw", text.encode(pin), "PBKDF2", false, ["deriveBits"]).then(function (key) {
      return crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: text.encode(secret + ":" + id),
        iterations: iterations }, key, 256);
    }).then(hex);
  }

  function check(d) {
    return read().then(function (r) {
      var c = r.counter, a = c && c.associates.filter(function (x) { return x.id === d.associate; })[0];
      if (!a || !a.key || !c.secret) return { ok: false, locked: true };
      var n = failuresOf(r.failures, a);
      if (n >= c.lockAfter) return { ok: false, locked: true };
      if (!PIN.test(d.pin || "")) return { ok: false, bad: true };
      return keyedHash(d.pin, c.secret, a.id, c.iterations).then(function (hash) {
        if (hash === a.key) {
          delete r.failures[a.id];
          return store.setMeta("pinFailures", r.failures).then(function () { return { ok: true, id: a.id, name: a.name }; });
        }
        r.failures[a.id] = { n: n + 1, since: a.signedInAt };
        return store.setMeta("pinFailures", r.failures).then(function () {
          return { ok: false, left: c.lockAfter - n - 1, locked: n + 1 >= c.lockAfter };
        });
      });
    });
  }

  comptoir.counter = { associates: associates, check: check };
})(self.comptoir = self.comptoir || {});
