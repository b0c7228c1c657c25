// The rules the worker shares with the server. Each one mirrors a Python function named beside it, and
// one list of cases (tests/cases/shared_rules.json) checks both. Pure: a test page loads this file alone.
(function (comptoir) {
  "use strict";

  var VISIT_KEY = /^[A-Za-z0-9._~-]{8,64}$/;

  // hub/rules/dropoff.normalise_tracking_id
  function normaliseTrackingId(raw) { return String(raw || "").toUpperCase().replace(/[^A-Z0-9]/g, ""); }

  // hub/rules/pickup.normalise_entry
  function normaliseEntry(raw) { return String(raw || "").replace(/\s+/g, ""); }

  // hub/web.VISIT_KEY: a command id that can name a visit (or an intake) in its URLs.
  function isVisitKey(key) { return VISIT_KEY.test(key); }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
  }

  // hub/offline._digest: the bundle names codes and notices by this keyed hash, never in clear.
  function digest(key, shop, entry) {
    var raw = Uint8Array.from(atob(key), function (c) { return c.charCodeAt(0); });
    return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then(function (hmac) {
        return crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode(shop + ":" + entry));
      }).then(hex);
  }

  // The device's own time decides: a parcel that expired since the sync can be scanned for return.
  function expiredAt(expiresAt, at) { return Date.parse(at) >= Date.parse(expiresAt); }

  // The wrong codes typed offline that still count (times in milliseconds, the window in seconds).
  function recentWrongCodes(times, now, windowSeconds) {
    return (times || []).filter(function (t) { return now - t < windowSeconds * 1000; });
  }
  function tooManyWrongCodes(recent, guard) { return recent.length >= guard.limit; }

  comptoir.rules = {
    normaliseTrackingId: normaliseTrackingId, normaliseEntry: normaliseEntry, isVisitKey: isVisitKey,
    digest: digest, expiredAt: expiredAt, recentWrongCodes: recentWrongCodes, tooManyWrongCodes: tooManyWrongCodes,
  };
})(self.comptoir = self.comptoir || {});
