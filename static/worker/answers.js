// What a step made offline does on the device, by the screen it was made on: a label at a customer's
// pickup, an expired parcel scanned for return, a tap on a parcel's card, a scan in a delivery. A step
// the device can tell is wrong is refused here and never queued; every other one is queued.
(function (comptoir) {
  "use strict";

  var C = self.COMPTOIR, store = comptoir.store, rules = comptoir.rules, routes = comptoir.routes, queue = comptoir.queue;
  var answer = comptoir.replies.answer, ascii = comptoir.replies.ascii;

  function typed(body) { return new URLSearchParams(body).get("tracking_id") || ""; }

  function turnOf(bundle, ticket) { return bundle && bundle.turns && bundle.turns[routes.turnUrl(ticket)]; }

  // What is not a tracking ID is refused on the device as the server refuses it: nothing is queued.
  var notATrackingId = { kind: "refused", reason: "not_a_tracking_id" };

  // A label of the customer's is handed over at once; anything else may be their notice scanned again.
  function pickupScan(request, body, ticket, bundle) {
    var entry = typed(body), turn = turnOf(bundle, ticket);
    if (!turn) return queue.enqueue(request, body, { kind: "queued" });
    var id = rules.trackingId(entry), parcel = id !== null && turn.parcels[id];
    if (parcel) return handOver(request, body, parcel);
    return rules.digest(bundle.key, bundle.shop, rules.normaliseEntry(entry)).then(function (hash) {
      if (turn.notice.indexOf(hash) >= 0) return answer({ kind: "notice" });
      if (id === null) return answer(notATrackingId);
      return answer({ kind: "refused", reason: "not_this_customer", tracking_id: ascii(entry) });
    });
  }

  function handOver(request, body, parcel) {
    if (!parcel.handleable) return answer({ kind: "refused", reason: "gone", tracking_id: parcel.tracking_id });
    return queue.waitingFor(parcel.id, "handed_over").then(function (done) {
      if (done.length) return answer({ kind: "already", parcel: parcel.id, tracking_id: parcel.tracking_id });
      var effect = { kind: "handed_over", parcel: parcel.id, tracking_id: parcel.tracking_id };
      return queue.enqueue(request, body, effect);
    });
  }

  // The tracking ID of parcel ``id`` among ``parcels`` (keyed by tracking ID), for the step's tag.
  function trackingOf(parcels, id) {
    var found = parcels && Object.keys(parcels).map(function (k) { return parcels[k]; })
      .filter(function (p) { return p.id === id; })[0];
    return found ? found.tracking_id : "";
  }

  function returnsScan(request, body, bundle) {
    var entry = typed(body), id = rules.trackingId(entry);
    if (id === null) return Promise.resolve(answer(notATrackingId));
    var parcel = bundle && bundle.returns && bundle.returns[id];
    if (!parcel) return Promise.resolve(answer({ kind: "refused", reason: "not_in_list", tracking_id: ascii(entry) }));
    if (parcel.expiresAt && !rules.expiredAt(parcel.expiresAt, queue.deviceTime(request))) {
      return Promise.resolve(answer({ kind: "refused", reason: "not_expired", tracking_id: parcel.tracking_id }));
    }
    return queue.waitingFor(parcel.id, "staged").then(function (done) {
      var effect = { parcel: parcel.id, tracking_id: parcel.tracking_id };
      if (parcel.staged || done.length) return answer(Object.assign({ kind: "already_staged" }, effect));
      return queue.enqueue(request, body, Object.assign({ kind: "staged" }, effect));
    });
  }

  function step(request, body, bundle) {
    var url = new URL(request.url), match = routes.match, m;
    if ((m = match("pickupScan", url))) return pickupScan(request, body, m[1], bundle);
    if ((m = match("pickupNotFound", url)) || (m = match("pickupReject", url))) {
      var kind = match("pickupReject", url) ? "rejected" : "not_found", id = Number(m[2]);
      var turn = turnOf(bundle, m[1]);
      return queue.enqueue(request, body, { kind: kind, parcel: id, tracking_id: trackingOf(turn && turn.parcels, id) });
    }
    if (match("pickupFinish", url)) return queue.enqueue(request, body, { kind: "finished" });
    if ((m = match("depositTake", url))) return depositTake(request, body, decodeURIComponent(m[1]), bundle);
    if (match("returnsScan", url)) return returnsScan(request, body, bundle);
    if (match("carrierScan", url) || match("intakeScan", url)) {
      var scanned = rules.trackingId(typed(body));
      if (scanned === null) return Promise.resolve(answer(notATrackingId));
      return queue.enqueue(request, body, { kind: "delivery_scan", tracking_id: scanned });
    }
    if ((m = match("returnsMissing", url))) {
      var parcel = Number(m[1]);
      return queue.enqueue(request, body, { kind: "missing", parcel: parcel,
        tracking_id: trackingOf(bundle && bundle.returns, parcel) });
    }
    return queue.enqueue(request, body, { kind: "queued" });
  }

  // « Dépôt d'un client » with no network. What the customer shows is looked up among the drop-offs announced for
  // this shop at the last sync (their screens came rendered with the bundle); one the device does not know is taken
  // on its code or label alone and checked when it reaches the server. Each showing gets fresh command ids, so
  // every take is a step of its own.
  function depositRef(entry) {
    var code = rules.depositCode(entry);
    return code || rules.trackingId(entry);
  }

  function freshCommandIds(html) {
    return html.replace(/(name="command_id" value=")[^"]*/g, function (all, start) { return start + self.crypto.randomUUID(); });
  }

  // A drop-off the last sync brought, named by its code or by its label's tracking ID.
  function knownDeposit(bundle, ref) {
    var deposits = (bundle && bundle.deposits) || {}, labels = (bundle && bundle.depositLabels) || {};
    return deposits[ref] || deposits[labels[ref]];
  }

  function depositScan(request, body) {
    var ref = depositRef(new URLSearchParams(body).get("code"));
    return store.getMeta("bundle").then(function (bundle) {
      if (!ref) return answer(notATrackingId);
      var known = knownDeposit(bundle, ref);
      var screen = known ? known.screen : bundle && bundle.depositUnknown && bundle.depositUnknown.split(C.ticket).join(ref);
      if (!screen) return answer({ kind: "unavailable" });
      return comptoir.replies.html(freshCommandIds(screen), 200);
    });
  }

  // A drop-off taken offline: queued, and its receipt shown « à confirmer ». The same one taken twice before the
  // network is back shows that receipt again.
  function depositTake(request, body, ref, bundle) {
    var known = knownDeposit(bundle, ref);
    var effect = { kind: "deposited", parcel: "deposit:" + ref, ref: ref,
      tracking_id: known ? known.tracking_id : (rules.depositCode(ref) ? "" : ref),
      sender: known ? known.sender : "", at: queue.deviceTime(request) };
    return queue.waitingFor(effect.parcel, "deposited").then(function (done) {
      if (done.length) return answer(Object.assign({}, done[0].effect, { kind: "already_deposited" }));
      return queue.enqueue(request, body, effect);
    });
  }

  // Answered from the last synchronised bundle.
  function offlineStep(request, body) {
    return store.getMeta("bundle").then(function (bundle) { return step(request, body, bundle); });
  }

  // What a label is among the parcels the bundle knows: waiting for a customer, or for the carrier.
  function knownParcel(bundle, trackingId, at) {
    var turns = bundle.turns || {};
    var waiting = Object.keys(turns).some(function (url) { return turns[url].parcels[trackingId]; });
    var back = bundle.returns && bundle.returns[trackingId];
    if (back && (back.staged || !back.expiresAt || rules.expiredAt(back.expiresAt, at))) return "at_rest_expired";
    return waiting ? "at_rest_waiting" : null;
  }

  // A scan on a screen with no scan field, with no network: a notice opens its stored pickup; a label the
  // bundle knows says what to do; a code is typed at « Collecte du client » (its guessing limit is there);
  // anything else cannot be told apart without the network. Never silence.
  function atRest(request, body) {
    var entry = rules.normaliseEntry(new URLSearchParams(body).get("texte"));
    return store.getMeta("bundle").then(function (bundle) {
      if (!bundle || !bundle.codes || !entry) return answer({ kind: "refused", reason: "at_rest_network" });
      if (rules.looksLikeCode(entry)) return answer({ kind: "refused", reason: "at_rest_code" });
      return rules.digest(bundle.key, bundle.shop, entry).then(function (hash) {
        if (bundle.codes[hash]) return new Response(null, { status: 204, headers: { "HX-Redirect": bundle.codes[hash] } });
        var id = rules.trackingId(entry);
        var reason = id !== null && knownParcel(bundle, id, queue.deviceTime(request));
        return answer({ kind: "refused", reason: reason || "at_rest_network", tracking_id: ascii(id || entry) });
      });
    });
  }

  comptoir.answers = { offlineStep: offlineStep, atRest: atRest, depositScan: depositScan };
})(self.comptoir = self.comptoir || {});
