// Help « ? »: a filter field that hides the tips and answers that do not match what is typed.
// Without JavaScript the field stays hidden and every answer is listed.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // « Mot de passe oublié ? » and other links to one answer: open it, below the sticky header.
  function openTarget() {
    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.tagName === "DETAILS") { target.open = true; target.scrollIntoView({ block: "start" }); }
  }
  window.addEventListener("hashchange", openTarget);

  function setUp() {
    openTarget();
    var input = document.getElementById("help-filter");
    if (!input) return;
    var items = Array.prototype.slice.call(document.querySelectorAll("#help details"));
    var none = document.getElementById("help-no-match");
    input.closest(".help-filter").hidden = false;
    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item) {
        var text = fold(item.textContent);
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        item.hidden = !match;
        item.open = match && words.length > 0;
        if (match) shown += 1;
      });
      none.hidden = shown > 0;
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
