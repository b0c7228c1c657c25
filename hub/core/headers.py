"""What every answer tells the browser about itself: the Content-Security-Policy and the other security
headers, and that signed-in pages are never kept in a cache.

The policy and its companions govern a document: a page, a frame, a worker. An HTMX fragment (a request
that says ``HX-Request`` and is neither boosted nor a history restore) is read by htmx's request and
swapped into a page that already has them; it is never shown as a document (a browser's navigation cannot
send that header; the answer varies on it and no cache keeps it; the service worker stores fragments apart
from pages, static/worker/screens.js). So a fragment carries only what applies to it (``nosniff``), and
keeps about half a kilobyte off each step's answer.

The policy runs scripts from this origin only, never inline ones nor ``eval`` (htmx's ``allowEval`` is off;
the buttons' actions live in static/app.js). WebAssembly may compile ('wasm-unsafe-eval'): the camera's
barcode decoder is WebAssembly. Styles may be inline (htmx writes its indicator's). No page may be framed.
"""
from flask import current_app, request

from .web import wants_fragment

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    # The camera for the scanner, on this origin only; nothing else the app never uses.
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
}

# What a fragment needs of them (see the module's docstring).
FRAGMENT_HEADERS = {"X-Content-Type-Options": "nosniff"}

# Files the browser may keep: static files and the service worker's script (which says its own no-cache).
CACHEABLE = {"static", "service_worker"}


def secure(response):
    """Add the security headers; every answer but static files is kept in no cache (they hold CSRF tokens,
    customers' names and codes)."""
    for name, value in (FRAGMENT_HEADERS if wants_fragment() else HEADERS).items():
        response.headers.setdefault(name, value)
    if current_app.config["HSTS_SECONDS"]:
        response.headers.setdefault("Strict-Transport-Security",
                                    f"max-age={current_app.config['HSTS_SECONDS']}; includeSubDomains")
    if request.endpoint not in CACHEABLE:
        response.headers["Cache-Control"] = "no-store"
    return response


def register(app):
    app.after_request(secure)
