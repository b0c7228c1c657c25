// The rules the worker shares with the server. Each one mirrors a Python function named beside it, and
// one list of cases (tests/cases/shared_rules.json) checks both. Pure: a test page loads this file alone.
(function (comptoir) {
  "use strict";

  var VISIT_KEY = /^[A-Za-z0-9._~-]{8,64}$/;
  // White space as Python's str.split() has it: JavaScript's \s, without the byte-order mark, with the
  // information separators (a scanner may send \x1d) and NEL.
  var SPACE = /[^\S\ufeff]|[\x1c-\x1f\x85]/g;

  var TRACKING_ID = /^[A-Za-z0-9]{1,64}$/;

  // hub/rules/dropoff.read_tracking_id: the tracking ID a label or a typed text holds, "" when nothing was
  // given, null when it is no tracking ID (another script's letters or digits, a control character, more than 64).
  function trackingId(raw) {
    var kept = String(raw || "").replace(SPACE, "").replace(/[-./_]/g, "");
    if (!kept) return "";
    return TRACKING_ID.test(kept) ? kept.toUpperCase() : null;
  }

  // hub/rules/deposits.read_code: the drop-off code a scan or a typed entry names (« dep 7kq2-m9xh4t »
  // included), or null when it is not one.
  var DEPOSIT_CODE = /^DEP-?([ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{10})$/;
  function depositCode(raw) {
    var match = DEPOSIT_CODE.exec(String(raw || "").toUpperCase().replace(/[\s-]/g, ""));
    return match ? "DEP-" + match[1] : null;
  }

  // hub/rules/pickup.normalise_entry
  function normaliseEntry(raw) { return String(raw || "").replace(SPACE, ""); }

  // hub/rules/pickup.looks_like_code. Not called here yet: offline, the lock holds a notice's token too,
  // where the server lets it through (hub/ops/pickup.open_pickup).
  function looksLikeCode(entry) { return /^[0-9]{6}$/.test(entry); }

  // hub/web.VISIT_KEY: a command id that can name a visit (or an intake) in its URLs.
  function isVisitKey(key) { return VISIT_KEY.test(key); }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
  }

  // hub/offline._digest: the bundle names codes and notices by this keyed hash, never in clear.
  // The key of the last bundle, imported once: every code typed and label scanned offline is hashed with it.
  var imported = {};
  function hmacKey(key) {
    if (!imported[key]) {
      var raw = Uint8Array.from(atob(key), function (c) { return c.charCodeAt(0); });
      imported = {};
      imported[key] = crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    }
    return imported[key];
  }
  function digest(key, shop, entry) {
    return hmacKey(key).then(function (hmac) {
        return crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode(shop + ":" + entry));
      }).then(hex);
  }

  // hub/rules/deadlines.reached, at the device's time: a parcel that expired since the sync can be scanned.
  function expiredAt(expiresAt, at) { return Date.parse(at) >= Date.parse(expiresAt); }

  // hub/rules/pickup.recent_failures, for the wrong codes typed offline (in milliseconds; the window in seconds).
  // Unlike the server, a time after ``now`` still counts: setting the device's clock back lifts no lock.
  function recentWrongCodes(times, now, windowSeconds) {
    return (times || []).filter(function (t) { return now - t < windowSeconds * 1000; });
  }
  // hub/rules/pickup.locked_until, for one device: the bundle's guard is the server's DEVICE_LIMIT and WINDOW.
  function tooManyWrongCodes(recent, guard) { return recent.length >= guard.limit; }

  comptoir.rules = {
    depositCode: depositCode,
    trackingId: trackingId, normaliseEntry: normaliseEntry, looksLikeCode: looksLikeCode,
    isVisitKey: isVisitKey, digest: digest, expiredAt: expiredAt, recentWrongCodes: recentWrongCodes,
    tooManyWrongCodes: tooManyWrongCodes,
  };
})(self.comptoir = self.comptoir || {});
