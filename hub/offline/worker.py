"""The installable app: its manifest, and the service worker served from the root with what it precaches.

The worker's script is rendered by the server (templates/offline/sw.js): every file it precaches is
revisioned by a hash of its content, so a deploy changes the worker's bytes and the browser installs it.
"""
import glob
import hashlib
import json
import os
from functools import lru_cache

from flask import current_app, make_response, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..core import headers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

THEME_COLOUR = "#0b4f3c"
BACKGROUND_COLOUR = "#f3f3f0"
WORKBOX = "vendor/workbox-7.4.1"
WORKER = "worker"
# The worker's modules (static/worker/), in the order /sw.js imports them: each uses those before it.
WORKER_MODULES = ("shell", "rules", "store", "locks", "network", "routes", "replies", "state", "screens", "queue",
                  "lanes", "answers", "openings", "replay", "steps", "bundle", "account", "retire", "counter",
                  "messages")
# What the service worker keeps from static/: the shell, its scripts and styles, fonts, icons, the scanner.
PRECACHED = (".css", ".js", ".png", ".svg", ".wasm", ".woff2", ".woff", ".ico")
# Seconds: a page slower than this comes from the device's copy; a command slower than this is queued.
PAGE_TIMEOUT = 4
COMMAND_TIMEOUT = 10
# Placeholders in the URL patterns the worker matches (url_for builds them, so they follow the routes).
TICKET, PARCEL, VISIT = "TICKET", 4242424242, "VISIT-KEY-4242"


def _icon(name, size, purpose):
    return {"src": url_for("static", filename=f"icons/{name}"), "sizes": size, "type": "image/png", "purpose": purpose}


def manifest():
    """The web app manifest: « Comptoir », standalone, the shop's green, icons (maskable too)."""
    body = {
        "id": "/", "name": "Comptoir", "short_name": "Comptoir", "lang": str(get_locale()),
        "description": _("The counter of your parcel pickup point."),
        "start_url": url_for("counter.home"), "scope": "/", "display": "standalone",
        "orientation": "portrait", "theme_color": THEME_COLOUR, "background_color": BACKGROUND_COLOUR,
        "icons": [_icon("icon-192.png", "192x192", "any"), _icon("icon-512.png", "512x512", "any"),
                  _icon("maskable-512.png", "512x512", "maskable")],
    }
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.vary.add("Accept-Language")
    return response


@lru_cache(maxsize=512)
def _file_revision(path, _mtime, _size):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def _static_revision(relative):
    path = os.path.join(current_app.static_folder, relative)
    stat = os.stat(path)
    return _file_revision(path, stat.st_mtime_ns, stat.st_size)


def _static_files():
    """Every file of static/ the worker precaches (Workbox itself comes in through importScripts)."""
    root = current_app.static_folder
    for folder, _dirs, files in sorted(os.walk(root)):
        relative = os.path.relpath(folder, root).replace(os.sep, "/")
        if relative.startswith(WORKBOX) or relative == WORKER:
            continue
        for name in sorted(files):
            if name.endswith(PRECACHED):
                yield name if relative == "." else f"{relative}/{name}"


def _fallback_revision():
    """The offline page changes with its template and the catalogues (not with the asker's language:
    the worker's bytes must be the same for every request, or each language would be a new version)."""
    sources = [os.path.join(current_app.template_folder, "offline", "fallback.html")]
    sources += sorted(glob.glob(os.path.join(ROOT, "translations", "*", "LC_MESSAGES", "messages.mo")))
    digest = hashlib.sha256()
    for path in sources:
        stat = os.stat(path)
        digest.update(_file_revision(path, stat.st_mtime_ns, stat.st_size).encode())
    return digest.hexdigest()[:16]


def current_revision(relative):
    """The revision of a file of static/ as it is now (None for a file that is not there)."""
    try:
        return _static_revision(relative)
    except OSError:
        return None


def revisioned_static(endpoint, values):
    """Every address of a static file names its content's revision (``?v=``): the page and the worker's
    precache then ask for the same address, which the browser keeps a year, so the worker's install takes
    what the page has just downloaded from the browser's cache instead of downloading it again."""
    if endpoint != "static" or "v" in values:
        return
    path = os.path.join(current_app.static_folder, values.get("filename", ""))
    if os.path.isfile(path):
        values["v"] = _static_revision(values["filename"])


def _precache():
    """The shell: each address names its content's revision, so Workbox fetches it as it is (no revision of its
    own to add, and the browser's cache may answer); a deploy changes the addresses and the worker's bytes."""
    entries = [{"url": url_for("static", filename=f), "revision": None} for f in _static_files()]
    entries.append({"url": url_for("offline.fallback"), "revision": _fallback_revision()})
    return entries


def _routes():
    """The URLs the worker answers offline, as url_for builds them, with placeholders."""
    return {
        "pickupOpen": url_for("pickup.open_pickup"),
        "pickupScreen": url_for("pickup.screen", ticket=TICKET),
        "pickupScan": url_for("pickup.scan", ticket=TICKET),
        "pickupNotFound": url_for("pickup.not_found", ticket=TICKET, parcel_id=PARCEL),
        "pickupReject": url_for("pickup.reject", ticket=TICKET, parcel_id=PARCEL),
        "pickupFinish": url_for("pickup.finish", ticket=TICKET),
        "returnsScan": url_for("returns.scan"),
        "returnsMissing": url_for("returns.missing", parcel_id=PARCEL),
        "intakeStart": url_for("dropoff.start_intake", network_id=PARCEL),
        "intakeScreen": url_for("dropoff.intake", key=VISIT),
        "intakeScan": url_for("dropoff.intake_scan", key=VISIT),
        "carrierOpen": url_for("carrier.open_visit", shop_id=PARCEL),
        "carrierVisit": url_for("carrier.visit", key=VISIT),
        "carrierScan": url_for("carrier.scan", key=VISIT),
        "carrierReadCode": url_for("carrier.read_code"),
        "carrierShop": url_for("carrier.shop", shop_id=PARCEL),
        "scanAtRest": url_for("scan.scanned"),
        "depositScan": url_for("deposit.scan"),
        "depositTake": url_for("deposit.take", ref=TICKET),
        "login": url_for("auth.login"),
        "neverStored": [url_for("auth.login"), url_for("auth.logout"), url_for("auth.set_language"),
                        url_for("offline.bundle"), url_for("service_worker"), "/_test/"],
    }


def _worker_config():
    return {
        "precache": _precache(), "fallback": url_for("offline.fallback"), "bundle": url_for("offline.bundle"),
        "routes": _routes(), "ticket": TICKET, "parcel": str(PARCEL), "visit": VISIT, "pageTimeout": PAGE_TIMEOUT,
        "commandTimeout": COMMAND_TIMEOUT, "workbox": url_for("static", filename=WORKBOX),
        "release": current_app.config["RELEASE"],
        # The pages the worker builds itself (a pickup's screen from the bundle) carry the server's policy.
        "contentSecurityPolicy": headers.CONTENT_SECURITY_POLICY,
    }


def _worker_scripts():
    """The worker's modules, each URL naming its content's revision: a changed module is a new worker."""
    files = [f"{WORKER}/{name}.js" for name in WORKER_MODULES]
    return [url_for("static", filename=f, v=_static_revision(f)) for f in files]


def service_worker():
    """The service worker, served from the root so that it controls the whole app."""
    config, scripts = _worker_config(), _worker_scripts()
    config["version"] = hashlib.sha256(json.dumps(config, sort_keys=True).encode()
                                       + " ".join(scripts).encode()).hexdigest()[:16]
    body = render_template("offline/sw.js", config=config,
                           workbox=url_for("static", filename=f"{WORKBOX}/workbox-sw.js"), scripts=scripts)
    response = make_response(body)
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    # Always asked again: the browser compares its bytes to find an update.
    response.headers["Cache-Control"] = "no-cache"
    return response
