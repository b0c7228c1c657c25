// The app's URLs as the worker tells them apart. The server builds them with url_for and writes them
// into /sw.js with placeholders for the ticket, the parcel and the visit, so they follow the routes.
(function (comptoir) {
  "use strict";

  var C = self.COMPTOIR;

  function pattern(path) {
    var escaped = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp("^" + escaped.replace(C.ticket, "([^/]+)").replace(C.visit, "([^/]+)")
      .replace(C.parcel, "(\\d+)") + "$");
  }
  var ROUTES = {};
  ["pickupScan", "pickupNotFound", "pickupReject", "pickupFinish", "returnsScan", "returnsMissing", "carrierOpen",
    "carrierShop", "carrierScan", "carrierVisit", "intakeStart", "intakeScan", "intakeScreen", "scanAtRest",
    "depositScan", "depositTake"].forEach(function (name) {
    ROUTES[name] = pattern(C.routes[name]);
  });
  function match(name, url) { return ROUTES[name].exec(url.pathname); }
  function turnUrl(ticket) { return C.routes.pickupScreen.replace(C.ticket, ticket); }

  function neverStored(url) {
    return C.routes.neverStored.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; });
  }
  // A fragment and a page of the same URL are different answers: HTMX swaps one, the browser shows the other.
  function isFragment(request) {
    var h = request.headers;
    return h.get("HX-Request") === "true" && !h.get("HX-Boosted") && !h.get("HX-History-Restore-Request");
  }
  function isPage(request) {
    return request.mode === "navigate" || (request.headers.get("HX-Request") === "true" && !isFragment(request));
  }

  comptoir.routes = {
    match: match, turnUrl: turnUrl, neverStored: neverStored, isFragment: isFragment, isPage: isPage,
  };
})(self.comptoir = self.comptoir || {});
