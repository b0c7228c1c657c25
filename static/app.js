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

  // Plain buttons' actions, without inline handlers (the Content-Security-Policy runs no inline script):
  // « Imprimer » prints the notice; « ✕ » drops an opening range's row in place (without JavaScript it
  // posts the form, which comes back without the row).
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("[data-print], [data-remove-range]");
    if (!button) return;
    if (button.hasAttribute("data-print")) { window.print(); return; }
    evt.preventDefault();
    button.closest(".range").remove();
  });

  // Close the menu when tapping outside it.
  document.addEventListener("click", function (evt) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(evt.target)) menu.removeAttribute("open");
    });
  });
})();

// Scan fields keep the focus: a keyboard-wedge scanner types into them without a tap.
(function () {
  "use strict";
  function focusScanField(root) {
    var field = (root || document).querySelector("[data-scan-field]");
    if (field && !field.disabled) field.focus({ preventScroll: true });
  }
  document.addEventListener("htmx:afterSwap", function (evt) { focusScanField(evt.detail.target.ownerDocument); });

  // The shop code was read when it was typed, or when its QR link opened the page: stamp that moment,
  // so a visit opened late (slow network, offline queue) is checked against the right code.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-stamp-scan]").forEach(function (form) {
      var code = form.querySelector("[name=code]"), stamp = form.querySelector("[name=scanned_at]");
      // Offline, the device's copy of the page comes without the code its QR link carried.
      var linked = new URLSearchParams(location.search).get("code") || "";
      if (!code.value && /^\d{6}$/.test(linked)) code.value = linked;
      if (code.value) form.dataset.stamp = Date.now();
      code.addEventListener("input", function () { form.dataset.stamp = Date.now(); });
      form.addEventListener("submit", function () { stamp.value = form.dataset.stamp || Date.now(); });
    });
  });
})();

// Customer pickup: the lock countdown, « Entrer le code », and tracking-ID suggestions after 3 characters.
(function () {
  "use strict";
  function startCountdowns(root) {
    root.querySelectorAll("[data-countdown]:not([data-counting])").forEach(function (el) {
      var left = parseInt(el.dataset.countdown, 10);
      el.dataset.counting = "1";
      var timer = setInterval(function () {
        left -= 1;
        if (!document.body.contains(el)) { clearInterval(timer); return; }
        if (left <= 0) { clearInterval(timer); window.location.assign(el.dataset.then); return; }
        el.textContent = el.dataset.format.replace("{m}", Math.floor(left / 60))
          .replace("{s}", String(left % 60).padStart(2, "0"));
      }, 1000);
    });
  }
  document.addEventListener("htmx:load", function (evt) { startCountdowns(evt.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { startCountdowns(document); });

  // The toggle event does not bubble: listen while it goes down. « Entrer le code » puts the focus in its
  // field; a step that asks first (templates/_forms.html confirm_step) on its « confirm » button.
  document.addEventListener("toggle", function (evt) {
    var details = evt.target;
    if (!details.open || !details.classList) return;
    var target = details.classList.contains("enter-code") ? details.querySelector("input:not([type=hidden])")
      : details.classList.contains("confirm-step") ? details.querySelector("[data-confirm]") : null;
    if (target && !target.disabled) target.focus();
  }, true);

  function closeStep(details) {
    details.removeAttribute("open");
    details.querySelector("summary").focus();
  }
  document.addEventListener("click", function (evt) {
    var cancel = evt.target.closest && evt.target.closest("[data-close-details]");
    if (cancel) closeStep(cancel.closest("details"));
  });
  document.addEventListener("keydown", function (evt) {
    var step = evt.key === "Escape" && evt.target.closest && evt.target.closest("details.confirm-step[open]");
    if (step) closeStep(step);
  });

  document.addEventListener("input", function (evt) {
    var field = evt.target;
    if (!field.dataset || !field.dataset.suggestFrom) return;
    if (field.value.replace(/\s/g, "").length >= 3) field.setAttribute("list", field.dataset.suggestFrom);
    else field.removeAttribute("list");
  });
})();
