// Screens (pages and HTMX fragments): network first; when the network is gone or slow, the copy kept
// on the device; else the offline page. Pages and fragments are kept under different keys, so a
// fragment never answers a page nor a page a fragment, whatever `Vary: HX-Request` a cache honours.
/* global workbox */
(function (comptoir) {
  "use strict";

  var C = self.COMPTOIR, store = comptoir.store, routes = comptoir.routes, network = comptoir.network;
  var replies = comptoir.replies;
  var PAGES = "comptoir-pages";
  var FRAGMENT_MARK = "__hx";

  function isHtml(response) {
    return (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
  }
  // Never a redirect: a sign-in page must not be kept under the screen it replaced.
  function storable(response) {
    return response && response.status === 200 && !response.redirected && isHtml(response);
  }
  function withoutLength(headers) {
    var copy = new Headers(headers);
    copy.delete("Content-Length");
    return copy;
  }
  // A page served from the device says so: its forms then get fresh command ids (static/offline.js).
  function marked(response) {
    if (!isHtml(response)) return Promise.resolve(response);
    return response.clone().text().then(function (text) {
      return new Response(text.replace(/<html\b/i, "<html data-offline-copy"),
        { status: response.status, headers: withoutLength(response.headers) });
    });
  }
  // A page is never kept nor looked up under a fragment's key, whatever address a link names.
  function pageHref(address) {
    var url = new URL(address);
    if (url.searchParams.has(FRAGMENT_MARK)) url.searchParams.delete(FRAGMENT_MARK);
    return url.href;
  }
  function pageKey(request) { return pageHref(request.url); }
  function fragmentKey(request) {
    var url = new URL(request.url);
    url.searchParams.set(FRAGMENT_MARK, "1");
    return url.href;
  }

  function plugin(key) {
    return {
      cacheKeyWillBeUsed: function (o) { return Promise.resolve(key(o.request)); },
      cacheWillUpdate: function (o) { return Promise.resolve(storable(o.response) ? o.response : null); },
      cachedResponseWillBeUsed: function (o) {
        return o.cachedResponse ? marked(o.cachedResponse) : Promise.resolve(null);
      },
      fetchDidSucceed: function (o) { network.reachable = true; return Promise.resolve(network.seen(o.response)); },
    };
  }
  var options = { cacheName: PAGES, networkTimeoutSeconds: C.pageTimeout, matchOptions: { ignoreVary: true } };
  var pages = new workbox.strategies.NetworkFirst(Object.assign({ plugins: [plugin(pageKey)] }, options));
  var fragments = new workbox.strategies.NetworkFirst(Object.assign({ plugins: [plugin(fragmentKey)] }, options));

  // The shop's QR code read into the carrier's home screen: its link leads to the shop's code screen.
  function readShopCode(url) {
    var link;
    try { link = new URL(url.searchParams.get("contenu") || "", self.location.href); } catch (e) { return null; }
    if (link.origin !== self.location.origin || !routes.match("carrierShop", link)) return null;
    return Response.redirect(link.href, 303);
  }

  // The same URL, else the same path whatever its query, else the offline page.
  function fallbackPage(url) {
    if (url.pathname === C.routes.carrierReadCode) {
      var shopPage = readShopCode(url);
      if (shopPage) return Promise.resolve(shopPage);
    }
    return caches.open(PAGES).then(function (cache) {
      return cache.match(pageHref(url.href), { ignoreVary: true }).then(function (hit) {
        if (hit) return hit;
        // Another query of the same path: a page's copy, never a fragment's (it has no page around it).
        return cache.keys(url.href, { ignoreVary: true, ignoreSearch: true }).then(function (keys) {
          var page = keys.filter(function (k) { return !new URL(k.url).searchParams.has(FRAGMENT_MARK); })[0];
          return page ? cache.match(page, { ignoreVary: true }) : null;
        });
      });
    }).then(function (hit) {
      if (hit) return marked(hit);
      return workbox.precaching.matchPrecache(C.fallback).then(function (page) {
        return page || new Response("", { status: 503 });
      });
    });
  }

  // A visit (or « Autre » intake) opened on the device is not on the server until its opening is sent:
  // until then its screen is the device's copy.
  function openingQueued(url) {
    var m = routes.match("carrierVisit", url) || routes.match("intakeScreen", url);
    if (!m) return Promise.resolve(false);
    var key;
    try { key = decodeURIComponent(m[1]); } catch (e) { return Promise.resolve(false); }
    return store.all("queue").then(function (entries) { return entries.some(function (e) { return e.key === key; }); });
  }

  workbox.routing.registerRoute(function (o) { return o.sameOrigin && routes.isPage(o.request); }, function (o) {
    if (routes.neverStored(o.url)) {
      return fetch(o.request).then(network.seen).catch(function () { return fallbackPage(o.url); });
    }
    return openingQueued(o.url).then(function (queued) {
      if (queued) return fallbackPage(o.url);
      return pages.handle(o).catch(function () { network.reachable = false; return fallbackPage(o.url); });
    });
  }, "GET");

  workbox.routing.registerRoute(function (o) { return o.sameOrigin && routes.isFragment(o.request); }, function (o) {
    if (routes.neverStored(o.url)) return fetch(o.request).then(network.seen);
    return fragments.handle(o).catch(function () {
      network.reachable = false;
      return replies.nothing();
    });
  }, "GET");

  comptoir.screens = {
    PAGES: PAGES, isHtml: isHtml, withoutLength: withoutLength, fragmentKey: fragmentKey, fallbackPage: fallbackPage,
  };
})(self.comptoir = self.comptoir || {});
