// Which queued steps may overtake each other in the replay. Each step names its lanes: the customer's
// pickup it was made at (its screen's ticket), the carriers' visits and « Autre » intakes of the device
// (one lane: an opening and the scans made in it, and the next opening, keep their order), the returns,
// and the parcel it moves. A step waits for every older step that shares a lane with it — a « Terminé »
// for the scans of its pickup, a visit's scans for its opening, two steps of one parcel on two screens —
// and may pass the others. A step of no known kind has no lanes: everything older goes first, and
// nothing younger goes until it is answered.
(function (comptoir) {
  "use strict";

  var match = comptoir.routes.match;
  var PICKUP = ["pickupScan", "pickupNotFound", "pickupReject", "pickupFinish"];
  var VISITS = ["carrierOpen", "carrierScan", "intakeStart", "intakeScan"];
  var RETURNS = ["returnsScan", "returnsMissing"];

  function matchAny(names, url) {
    for (var i = 0; i < names.length; i += 1) {
      var m = match(names[i], url);
      if (m) return m;
    }
    return null;
  }

  // The screen's lane of a step made at ``url``, or null for a step of no known kind.
  function screenLane(url) {
    var m = matchAny(PICKUP, url);
    if (m) return "pickup:" + m[1];
    if (matchAny(VISITS, url)) return "visits";
    if (matchAny(RETURNS, url)) return "returns";
    return null;
  }

  // The lanes of a queued step: its screen's, and its parcel's (by ID and by tracking ID, which the
  // steps of different screens name differently); null when it must go alone.
  function of(entry) {
    var screen = screenLane(new URL(entry.url)), effect = entry.effect || {};
    if (!screen) return null;
    var lanes = [screen];
    if (effect.parcel) lanes.push("parcel:" + effect.parcel);
    if (effect.tracking_id) lanes.push("tracking:" + effect.tracking_id);
    return lanes;
  }

  // Older steps not yet answered, as the lanes they hold: a step may go when it shares none of them.
  function Held() {
    this.lanes = {};
    this.alone = false;
    this.any = false;
  }
  Held.prototype.add = function (lanes) {
    this.any = true;
    if (!lanes) { this.alone = true; return; }
    for (var i = 0; i < lanes.length; i += 1) this.lanes[lanes[i]] = true;
  };
  Held.prototype.blocks = function (lanes) {
    if (this.alone || (!lanes && this.any)) return true;
    return Boolean(lanes) && lanes.some(function (lane) { return this.lanes[lane]; }, this);
  };

  comptoir.lanes = { of: of, Held: Held };
})(self.comptoir = self.comptoir || {});
