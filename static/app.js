// Every state-changing HTMX request carries a command id, so the server applies it once.
(function () {
  "use strict";

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // Pages served over plain http on a LAN address have no randomUUID.
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  window.comptoirNewId = newId;

  document.addEventListener("htmx:configRequest", function (evt) {
    var verb = (evt.detail.verb || "get").toLowerCase();
    if (verb === "get") return;
    var field = evt.detail.parameters && evt.detail.parameters.command_id;
    evt.detail.headers["Idempotency-Key"] = field || newId();
  });

  // Close the menu when tapping outside it.
  document.addEventListener("click", function (evt) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(evt.target)) menu.removeAttribute("open");
    });
  });
})();
