// The shell: every file of static/ and the offline page, precached at install under the revisions the
// server wrote into /sw.js. First of the modules, so the precache answers before any other route.
/* global workbox */
(function () {
  "use strict";

  var core = workbox.core, precaching = workbox.precaching;

  core.setCacheNameDetails({ prefix: "comptoir" });
  core.clientsClaim();
  precaching.cleanupOutdatedCaches();
  precaching.precacheAndRoute(self.COMPTOIR.precache);
})();
