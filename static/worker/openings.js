// Openings made offline. A pickup opened with its code or notice: the keyed hash of what was typed or
// scanned finds it in the bundle, and wrong codes count towards the device's own limit.
// A carrier's visit opened with the shop code: the code cannot be checked here (the shop's secret never
// leaves the server), so the opening is queued and the visit's first screen, from the bundle, is stored
// under the visit's name, which is the opening's command id. The scans made there queue behind the
// opening; the server checks the code against the moment it was read, and refuses the visit and its
// scans, all shown in « À vérifier », if it was wrong. An « Autre » intake started offline works the same way.
(function (comptoir) {
  "use strict";

  var C = self.COMPTOIR, store = comptoir.store, rules = comptoir.rules, routes = comptoir.routes;
  var queue = comptoir.queue, screens = comptoir.screens, replies = comptoir.replies;

  // The wrong codes counted now, once this attempt (``add``: a wrong one) is counted.
  function wrongCodes(bundle, add) {
    return store.getMeta("wrongCodes").then(function (times) {
      var now = Date.now(), recent = rules.recentWrongCodes(times, now, bundle.guard.window);
      if (add) recent.push(now);
      return store.setMeta("wrongCodes", recent).then(function () { return recent; });
    });
  }

  // The server's answer to a wrong code, with its warning once few wrong codes are left.
  function wrongCodeScreen(bundle, typed, recent) {
    var warned = bundle.start.warned && bundle.start.warned[typed ? "typed" : "scanned"];
    var screen = warned && warned[String(bundle.guard.limit - recent.length)];
    return replies.html(screen || (typed ? bundle.start.wrongTyped : bundle.start.wrongScanned), 422);
  }

  function openPickup(body) {
    var form = new URLSearchParams(body), typed = form.get("via") === "code";
    var entry = rules.normaliseEntry(form.get("entry"));
    return store.getMeta("bundle").then(function (bundle) {
      if (!bundle || !bundle.codes) return replies.answer({ kind: "unavailable" });
      return wrongCodes(bundle, false).then(function (recent) {
        if (rules.tooManyWrongCodes(recent, bundle.guard)) return replies.html(bundle.start.locked, 429);
        return rules.digest(bundle.key, bundle.shop, entry).then(function (hash) {
          var url = entry && bundle.codes[hash];
          if (url) return new Response(null, { status: 204, headers: { "HX-Redirect": url } });
          return wrongCodes(bundle, true).then(function (counted) {
            if (rules.tooManyWrongCodes(counted, bundle.guard)) return replies.html(bundle.start.locked, 429);
            return wrongCodeScreen(bundle, typed, counted);
          });
        });
      });
    });
  }

  // How to open a visit or an intake offline (null: ``url`` opens neither).
  function opening(url) {
    var m;
    if ((m = routes.match("carrierOpen", url))) {
      return { screen: "carrierVisit", find: function (bundle, form) {
        var visit = bundle.visits && bundle.visits[m[1]];
        return visit && visit[form.get("kind") === "return" ? "return" : "dropoff"];
      }, effect: function (form) { return { kind: "visit_opened", code: replies.ascii(form.get("code") || "") }; } };
    }
    if ((m = routes.match("intakeStart", url))) {
      return { screen: "intakeScreen", find: function (bundle) { return bundle.intakes && bundle.intakes[m[1]]; },
        effect: function () { return { kind: "intake_started" }; } };
    }
    return null;
  }

  function openOffline(request, body, how) {
    var form = new URLSearchParams(body), key = form.get("command_id") || "";
    return store.getMeta("bundle").then(function (bundle) {
      var screen = bundle && how.find(bundle, form);
      if (!screen || !rules.isVisitKey(key)) return screens.fallbackPage(new URL(request.url));
      var name = encodeURIComponent(key);
      var url = new URL(C.routes[how.screen].replace(C.visit, name), self.location.href).href;
      return caches.open(screens.PAGES).then(function (cache) {
        return cache.put(url, replies.html(screen.split(C.visit).join(name), 200));
      }).then(function () {
        return queue.enqueue(request, body, Object.assign(how.effect(form), { screen: url }), key);
      }).then(function () { return Response.redirect(url, 303); });
    });
  }

  comptoir.openings = { openPickup: openPickup, opening: opening, openOffline: openOffline };
})(self.comptoir = self.comptoir || {});
