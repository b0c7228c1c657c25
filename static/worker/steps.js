// A step (a POST): sent at once while the network answers; kept and answered on the device when the
// network fails or is slow, and also while anything of the account waits, so steps keep their order
// (a « Terminé » never overtakes the scans before it). Only HTMX steps with a command id are kept.
/* global workbox */
(function (comptoir) {
  "use strict";

  var C = self.COMPTOIR, routes = comptoir.routes, network = comptoir.network, queue = comptoir.queue;
  var answers = comptoir.answers, openings = comptoir.openings, replies = comptoir.replies;
  var replay = comptoir.replay, screens = comptoir.screens;

  function sentOrKept(request, body) {
    return queue.anyWaiting().then(function (waiting) {
      if (waiting) {
        return answers.offlineStep(request, body).then(function (r) {
          if (network.reachable) replay.soon(0);
          return r;
        });
      }
      return network.withTimeout(fetch(request).then(network.seen), C.commandTimeout).then(function (response) {
        network.reachable = true;
        return response;
      }, function () {
        network.reachable = false;
        return answers.offlineStep(request, body);
      });
    });
  }

  function handleStep(o) {
    var request = o.request;
    var how = request.mode === "navigate" && openings.opening(o.url);
    if (how) {
      // Sent at once when online, even while steps wait: the server ends a visit opened earlier but
      // arriving later at the next opening's time, so the order of arrival does not matter.
      return request.clone().text().then(function (body) {
        return network.withTimeout(fetch(request).then(network.seen), C.commandTimeout).catch(function () {
          network.reachable = false;
          return openings.openOffline(request, body, how);
        });
      });
    }
    if (routes.neverStored(o.url) || request.mode === "navigate") {
      return fetch(request).then(network.seen).catch(function () { return screens.fallbackPage(o.url); });
    }
    return request.clone().text().then(function (body) {
      if (o.url.pathname === C.routes.pickupOpen) {
        return fetch(request).then(network.seen).catch(function () { network.reachable = false; return openings.openPickup(body); });
      }
      if (routes.match("depositScan", o.url)) {
        return network.withTimeout(fetch(request).then(network.seen), C.commandTimeout).catch(function () {
          network.reachable = false;
          return answers.depositScan(request, body);
        });
      }
      if (routes.match("scanAtRest", o.url)) {
        return network.withTimeout(fetch(request).then(network.seen), C.commandTimeout).catch(function () {
          network.reachable = false;
          return answers.atRest(request, body);
        });
      }
      if (!request.headers.get("Idempotency-Key")) {
        return fetch(request).then(network.seen).catch(function () { return replies.answer({ kind: "unavailable" }); });
      }
      return sentOrKept(request, body);
    });
  }

  workbox.routing.registerRoute(function (o) { return o.sameOrigin; }, function (o) {
    // Whatever fails on the device, the associate is told the step was not kept: never a silent loss.
    return handleStep(o).catch(function (error) {
      console.error("offline step", error);
      return replies.answer({ kind: "unavailable" });
    });
  }, "POST");
})(self.comptoir = self.comptoir || {});
