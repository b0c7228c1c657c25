"""The installable, offline-capable counter: the manifest, the service worker, the offline bundle, « À vérifier ».

The server renders every screen, online and offline: the service worker only stores what the server
rendered and serves it back when the network is gone (docs/offline.md says what works offline, how the
queue replays and how the replays authenticate).
"""
import base64
import glob
import gzip
import hashlib
import hmac
import json
import os
import secrets
from functools import lru_cache

from flask import Blueprint, current_app, jsonify, make_response, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from . import carrier as carrier_views
from . import clock
from . import dropoff as dropoff_views
from . import pickup as pickup_views
from .extensions import db
from .models import Parcel, Pickup, Role
from .ops import pickup as pickup_ops
from .ops import returns as returns_ops
from .rules import deadlines
from .rules import pickup as pickup_rules
from .rules.codes import MAX_SCAN_DELAY
from .rules.dropoff import normalise_tracking_id
from .rules.errors import WrongCode
from .rules.parcels import State
from .web import explain, role_required

bp = Blueprint("offline", __name__)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

THEME_COLOUR = "#0b4f3c"
BACKGROUND_COLOUR = "#f3f3f0"
WORKBOX = "vendor/workbox-7.4.1"
WORKER = "worker"
# The worker's modules (static/worker/), in the order /sw.js imports them: each uses those before it.
WORKER_MODULES = ("shell", "rules", "store", "locks", "network", "routes", "replies", "state", "screens", "queue",
                  "answers", "openings", "replay", "steps", "bundle", "account", "messages")
# What the service worker keeps from static/: the shell, its scripts and styles, fonts, icons, the scanner.
PRECACHED = (".css", ".js", ".png", ".svg", ".wasm", ".woff2", ".woff", ".ico")
# Seconds: a page slower than this comes from the device's copy; a command slower than this is queued.
PAGE_TIMEOUT = 4
COMMAND_TIMEOUT = 10
# Placeholders in the URL patterns the worker matches (url_for builds them, so they follow the routes).
TICKET, PARCEL, VISIT = "TICKET", 4242424242, "VISIT-KEY-4242"

associate_or_carrier = role_required(Role.ASSOCIATE, Role.CARRIER)


def _icon(name, size, purpose):
    return {"src": url_for("static", filename=f"icons/{name}"), "sizes": size, "type": "image/png", "purpose": purpose}


@bp.get("/manifest.webmanifest")
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


def _precache():
    """The shell, each entry revisioned by a hash of its content: a deploy changes the worker's bytes."""
    entries = [{"url": url_for("static", filename=f), "revision": _static_revision(f)} for f in _static_files()]
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


@bp.get("/hors-ligne")
def fallback():
    """The page shown for a screen the device has never stored."""
    return render_template("offline/fallback.html")


@bp.get("/hors-ligne/a-verifier")
@associate_or_carrier
def conflicts():
    """« À vérifier »: the scans the server refused when the device sent them (the device keeps the list)."""
    return render_template("offline/conflicts.html")


def _digest(key, shop_id, entry):
    """The keyed hash the worker computes for what is scanned or typed at the pickup's start."""
    return hmac.new(key, f"{shop_id}:{entry}".encode(), hashlib.sha256).hexdigest()


def _turn(pickup, key, now):
    """One active pickup as the device needs it offline: its screen, its parcels, its notice's hashes."""
    turn = pickup_views.Turn(pickup_views.ticket_for(pickup, now, offline=True), pickup, now)
    parcels = {normalise_tracking_id(line.parcel.tracking_id): {
        "id": line.parcel.id, "tracking_id": line.parcel.tracking_id, "handleable": line.handleable,
    } for line in pickup_ops.turn(pickup, now)}
    return {
        "url": url_for("pickup.screen", ticket=turn.ticket),
        "page": pickup_views._screen(turn)[0],
        "parcels": parcels,
        "notice": [_digest(key, pickup.shop_id, pickup.code), _digest(key, pickup.shop_id, pickup.token)],
    }


def _active_pickups(shop):
    return db.session.scalars(select(Pickup).where(Pickup.shop_id == shop.id, Pickup.active)).all()


def _start_screens():
    """The start screen's answers to a wrong code, rendered as online."""
    context = dict(attempts_left=None, window_minutes=int(pickup_rules.WINDOW.total_seconds() // 60))
    wrong = explain(WrongCode())
    locked = int(pickup_rules.WINDOW.total_seconds())
    return {
        "wrongScanned": render_template("pickup/_start.html", error=wrong, typed=False, locked_seconds=0, **context),
        "wrongTyped": render_template("pickup/_start.html", error=wrong, typed=True, locked_seconds=0, **context),
        "locked": render_template("pickup/_start.html", error=explain(pickup_rules.TooManyWrongCodes()),
                                  typed=False, locked_seconds=locked, **context),
    }


def _returnable(shop, now):
    """Parcels a return scan may meet: expired, staged, or expiring while the device may be offline."""
    parcels = db.session.scalars(select(Parcel).where(
        Parcel.shop_id == shop.id, Parcel.state.in_((State.AT_STORE, State.EXPIRED, State.TO_RETURN)))).all()
    found = {}
    for p in parcels:
        expires = deadlines.pickup_deadline(p.dropped_at, shop.timezone) if p.state == State.AT_STORE else None
        if p.state != State.AT_STORE or (expires and expires - now <= MAX_SCAN_DELAY):
            found[normalise_tracking_id(p.tracking_id)] = {
                "id": p.id, "tracking_id": p.tracking_id, "staged": p.state == State.TO_RETURN,
                "expiresAt": expires.isoformat() if expires else None}
    return found


def _associate_pages(shop):
    pages = [url_for("counter.home"), url_for("pickup.start"), url_for("returns.start"), url_for("returns.expired"),
             url_for("inventory.index"), url_for("dropoff.start"), url_for("offline.conflicts")]
    return pages + [url_for("dropoff.code", network_id=n.id) for n in shop.networks]


def _associate_bundle(now):
    shop, key = current_user.shop, secrets.token_bytes(32)
    turns = [_turn(pickup, key, now) for pickup in _active_pickups(shop)]
    codes = {digest: turn["url"] for turn in turns for digest in turn["notice"]}
    return {
        "shop": shop.id, "key": base64.b64encode(key).decode(), "codes": codes,
        "turns": {turn.pop("url"): turn for turn in turns},
        "intakes": {str(n.id): dropoff_views.first_intake_screen(shop, n.id, VISIT, now) for n in shop.networks},
        "start": _start_screens(), "returns": _returnable(shop, now),
        "guard": {"limit": pickup_rules.DEVICE_LIMIT, "window": int(pickup_rules.WINDOW.total_seconds())},
        "pages": _associate_pages(shop),
        "fragments": [url_for("returns.ask_missing", parcel_id=p.id) for p in returns_ops.waiting_scan(shop)],
    }


def _carrier_bundle(now):
    """Today's shops, their code screens, and each visit's first screen: a carrier opens a visit offline
    with the shop code, scans into it, and the server checks the code when the opening reaches it."""
    network_id = current_user.network_id
    shops = carrier_views.todays_shops(network_id)
    visits = {}
    for row in shops:
        kinds = ("dropoff", "return") if row["returns"] else ("dropoff",)
        visits[str(row["shop"].id)] = {kind: carrier_views.first_visit_screen(row["shop"], network_id, kind, VISIT, now)
                                       for kind in kinds}
    return {
        "pages": [url_for("carrier.home"), url_for("offline.conflicts")]
                 + [url_for("carrier.shop", shop_id=row["shop"].id) for row in shops],
        "visits": visits,
    }


@bp.get("/hors-ligne/paquet")
@login_required
def bundle():
    """What this device needs offline, for the signed-in account: screens rendered as online, keyed hashes."""
    now = clock.now()
    data = {"format": 1, "account": current_user.id, "role": current_user.role.value, "syncedAt": now.isoformat()}
    if current_user.role == Role.ASSOCIATE:
        data.update(_associate_bundle(now))
    elif current_user.role == Role.CARRIER:
        data.update(_carrier_bundle(now))
    return _compressed(jsonify(data))


def _compressed(response):
    """The bundle repeats the same markup for every pickup: gzip makes it about ten times smaller."""
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept-Encoding")
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response.set_data(gzip.compress(response.get_data(), compresslevel=6))
        response.headers["Content-Encoding"] = "gzip"
    return response


def register(app):
    app.add_url_rule("/sw.js", "service_worker", service_worker)
