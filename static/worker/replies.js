// The answers the device makes in place of the server. Each says X-Comptoir-Offline, so a page knows
// the server has not seen the step yet.
(function (comptoir) {
  "use strict";

  // What the device did, for the page to show with the templates the server rendered into it
  // (static/offline.js); the screen itself is left as it is.
  function answer(effect, status) {
    return new Response("", {
      status: status || 200,
      headers: { "HX-Reswap": "none", "HX-Trigger": asciiJson({ "comptoir:offline": effect }),
        "X-Comptoir-Offline": "1" },
    });
  }

  // A header value takes no character above U+00FF (« Œ », « Ł »): JSON's \u escapes keep a name as it is.
  function asciiJson(value) {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, function (c) {
      return "\\u" + ("000" + c.charCodeAt(0).toString(16)).slice(-4);
    });
  }

  // Header values must stay ASCII: a typed label is kept to the characters a tracking ID has.
  function ascii(text) { return String(text || "").replace(/[^A-Za-z0-9 ._-]/g, "").slice(0, 64); }

  // A screen the server rendered earlier (it came with the bundle), shown under the server's own policy.
  function html(body, status) {
    return new Response(body, { status: status, headers: { "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": self.COMPTOIR.contentSecurityPolicy, "X-Content-Type-Options": "nosniff",
      "X-Comptoir-Offline": "1" } });
  }

  // Nothing stored for a fragment: "no content", so HTMX leaves the screen as it is.
  function nothing() { return new Response("", { status: 204, headers: { "X-Comptoir-Offline": "1" } }); }

  comptoir.replies = { answer: answer, ascii: ascii, html: html, nothing: nothing };
})(self.comptoir = self.comptoir || {});
