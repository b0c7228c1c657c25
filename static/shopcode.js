// The shop's rotating code (RFC 6238 TOTP: HMAC-SHA-1, 6 digits), computed on the device so it works
// offline, and drawn as a QR code holding a link into the carrier app. SHA-1 is written out here because
// WebCrypto is missing on pages served over plain http (a counter on a LAN address).
(function () {
  "use strict";

  function sha1(bytes) {
    var h0 = 0x67452301, h1 = 0xefcdab89, h2 = 0x98badcfe, h3 = 0x10325476, h4 = 0xc3d2e1f0;
    var ml = bytes.length, withPad = ((ml + 9 + 63) >> 6) << 6;
    var m = new Uint8Array(withPad);
    m.set(bytes); m[ml] = 0x80;
    var bits = ml * 8;
    m[withPad - 4] = (bits >>> 24) & 255; m[withPad - 3] = (bits >>> 16) & 255;
    m[withPad - 2] = (bits >>> 8) & 255; m[withPad - 1] = bits & 255;
    var w = new Int32Array(80);
    for (var off = 0; off < withPad; off += 64) {
      for (var i = 0; i < 16; i++) {
        w[i] = (m[off + 4 * i] << 24) | (m[off + 4 * i + 1] << 16) | (m[off + 4 * i + 2] << 8) | m[off + 4 * i + 3];
      }
      for (i = 16; i < 80; i++) { var x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]; w[i] = (x << 1) | (x >>> 31); }
      var a = h0, b = h1, c = h2, d = h3, e = h4;
      for (i = 0; i < 80; i++) {
        var f, k;
        if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
        else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
        else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
        else { f = b ^ c ^ d; k = 0xca62c1d6; }
        var t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) | 0;
        e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0; h4 = (h4 + e) | 0;
    }
    var out = new Uint8Array(20);
    [h0, h1, h2, h3, h4].forEach(function (v, j) {
      out[4 * j] = (v >>> 24) & 255; out[4 * j + 1] = (v >>> 16) & 255; out[4 * j + 2] = (v >>> 8) & 255; out[4 * j + 3] = v & 255;
    });
    return out;
  }

  function hmacSha1(key, msg) {
    if (key.length > 64) key = sha1(key);
    var k = new Uint8Array(64); k.set(key);
    var inner = new Uint8Array(64 + msg.length), outer = new Uint8Array(64 + 20);
    for (var i = 0; i < 64; i++) { inner[i] = k[i] ^ 0x36; outer[i] = k[i] ^ 0x5c; }
    inner.set(msg, 64);
    outer.set(sha1(inner), 64);
    return sha1(outer);
  }

  function base32(text) {
    var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", bits = 0, value = 0, out = [];
    text.replace(/=+$/, "").toUpperCase().split("").forEach(function (ch) {
      value = (value << 5) | alphabet.indexOf(ch); bits += 5;
      if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
    });
    return new Uint8Array(out);
  }

  function totp(secret, step, when) {
    var counter = Math.floor(when / 1000 / step), msg = new Uint8Array(8);
    for (var i = 7; i >= 0; i--) { msg[i] = counter & 255; counter = Math.floor(counter / 256); }
    var mac = hmacSha1(base32(secret), msg), o = mac[19] & 15;
    var n = ((mac[o] & 127) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3];
    return String(n % 1000000).padStart(6, "0");
  }
  window.comptoirTotp = totp;

  function draw(card) {
    var step = Number(card.dataset.step), now = Date.now(), code = totp(card.dataset.secret, step, now);
    if (card.dataset.current !== code) {
      card.dataset.current = code;
      card.querySelector("[data-code-digits]").textContent = code.slice(0, 3) + " " + code.slice(3);
      if (window.qrcode) {
        var qr = window.qrcode(0, "M");
        qr.addData(card.dataset.link + "?code=" + code);
        qr.make();
        card.querySelector("[data-qr]").innerHTML = qr.createSvgTag({ cellSize: 8, margin: 2, scalable: true });
      }
    }
    var left = step - (now / 1000) % step;
    var bar = card.querySelector("[data-code-progress]");
    if (bar) bar.style.width = (100 * left / step) + "%";
  }

  var wakeLock = null;
  function keepAwake() {
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible") return;
    navigator.wakeLock.request("screen").then(function (lock) { wakeLock = lock; }).catch(function () {});
  }

  function start() {
    var card = document.querySelector("[data-shop-code]");
    if (!card || card.dataset.running) return;
    card.dataset.running = "1";
    draw(card);
    var timer = setInterval(function () {
      if (!document.body.contains(card)) { clearInterval(timer); if (wakeLock) wakeLock.release(); return; }
      draw(card);
    }, 1000);
    keepAwake();
  }

  document.addEventListener("visibilitychange", keepAwake);
  document.addEventListener("DOMContentLoaded", start);
  document.addEventListener("htmx:load", start);
})();
