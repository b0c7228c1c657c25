"""The offline bundle: what a device needs to work with no network, for the signed-in account.

Screens come rendered as online (one source for their markup and words); codes travel only as keyed
hashes, with a key that changes at each sync.
"""
import base64
import secrets

from flask import g, jsonify, render_template, url_for
from markupsafe import escape
from flask_login import current_user, login_required
from sqlalchemy import select

from ..core import clock, devices, replay
from ..core.extensions import db, limiter
from ..core.models import ACTIVE_PICKUP, Device, Parcel, Pickup, Role
from ..core.web import explain
from ..ops import pickup as pickup_ops
from ..ops import pins as pin_ops
from ..ops import returns as returns_ops
from ..ops.queries import todays_shops
from ..ops.turns import turn_of
from ..rules import pickup as pickup_rules
from ..rules import pins as pin_rules
from ..rules.pickup import entry_digest
from ..rules.codes import MAX_SCAN_DELAY
from ..rules.dropoff import VisitKind, normalise_tracking_id
from ..rules.errors import WrongCode
from ..rules.parcels import State
from ..views import carrier as carrier_views
from ..views import deposit as deposit_views
from ..views import dropoff as dropoff_views
from ..views import pickup as pickup_views
from ..views.pins import signed_in_account_id
from .worker import TICKET, VISIT


# Where the page around every pickup screen takes each pickup's own (static/worker/bundle.js fills them in).
SLOT = {"title": "@@comptoir-title@@", "screen": "@@comptoir-screen@@"}


def _turn(pickup, key, now):
    """One active pickup as the device needs it offline: its screen (the page around it comes once, in
    ``shell``), its parcels, its notice's hashes."""
    turn = turn_of(pickup, now, offline=True)
    parcels = {normalise_tracking_id(line.parcel.tracking_id): {
        "id": line.parcel.id, "tracking_id": line.parcel.tracking_id, "handleable": line.handleable,
    } for line in pickup_ops.turn(pickup, now)}
    return {
        "url": url_for("pickup.screen", ticket=turn.ticket),
        "title": str(escape(pickup.customer_name)),
        "screen": pickup_views.screen_fragment(turn),
        "parcels": parcels,
        "notice": [entry_digest(key, pickup.shop_id, pickup.code), entry_digest(key, pickup.shop_id, pickup.token)],
    }


def _active_pickups(shop):
    return db.session.scalars(select(Pickup).where(Pickup.shop_id == shop.id, ACTIVE_PICKUP)).all()


def _start_screens():
    """The start screen's answers to a wrong code, rendered as online: with the warning of how many wrong
    codes are left once few are (``warned``, by that number), and the lock."""
    window_minutes = int(pickup_rules.WINDOW.total_seconds() // 60)
    wrong = explain(WrongCode())

    def start(typed, left=None, **context):
        return render_template("pickup/_start.html", typed=typed, attempts_left=left, window_minutes=window_minutes,
                               **dict(dict(error=wrong, locked_seconds=0), **context))

    few = range(1, pickup_rules.WARN_WHEN_LEFT + 1)
    return {
        "wrongScanned": start(False), "wrongTyped": start(True),
        "warned": {how: {str(left): start(how == "typed", left) for left in few} for how in ("typed", "scanned")},
        "locked": start(False, error=explain(pickup_rules.TooManyWrongCodes()),
                        locked_seconds=int(pickup_rules.WINDOW.total_seconds())),
    }


def _returnable(shop, now):
    """Parcels a return scan may meet: expired, staged, or expiring while the device may be offline."""
    parcels = db.session.scalars(select(Parcel).where(
        Parcel.shop_id == shop.id, Parcel.state.in_((State.AT_STORE, State.EXPIRED, State.TO_RETURN)))).all()
    found = {}
    for p in parcels:
        expires = p.expires_at if p.state == State.AT_STORE else None
        if p.state != State.AT_STORE or (expires and expires - now <= MAX_SCAN_DELAY):
            found[normalise_tracking_id(p.tracking_id)] = {
                "id": p.id, "tracking_id": p.tracking_id, "staged": p.state == State.TO_RETURN,
                "expiresAt": expires.isoformat() if expires else None}
    return found


def _associate_pages(shop):
    pages = [url_for("counter.home"), url_for("pickup.start"), url_for("returns.start"), url_for("returns.expired"),
             url_for("inventory.index"), url_for("dropoff.start"), url_for("offline.conflicts")]
    pages += [url_for("deposit.start")] if shop.offers_customer_dropoff else []
    return pages + [url_for("dropoff.code", network_id=n.id) for n in shop.networks]


def _counter():
    """Who may take this device's counter over offline: each associate known here, with their PIN's keyed
    hash for this device when the server has seen it typed here (never the PIN, never the server's hash),
    the device's secret to check it with, and the shop's idle minutes (docs/offline.md)."""
    device = db.session.get(Device, g.device_id)
    known = pin_ops.device_keys(g.device_id, current_user.shop_id)
    return {"idleMinutes": current_user.shop.idle_minutes, "iterations": pin_rules.ITERATIONS,
            "secret": device.pin_secret if device is not None else None, "lockAfter": pin_rules.MAX_FAILURES,
            "associates": [{"id": account.id, "name": account.display_name, "key": key, "signedInAt": _stamp(account)}
                           for account, key in known]}


def _stamp(account):
    """When the associate last signed in with their password: a later one clears the wrong PINs the device
    counted for them."""
    return account.last_sign_in_at.isoformat() if account.last_sign_in_at else ""


def _associate_bundle(now):
    shop, key = current_user.shop, secrets.token_bytes(32)
    turns = [_turn(pickup, key, now) for pickup in _active_pickups(shop)]
    codes = {digest: turn["url"] for turn in turns for digest in turn["notice"]}
    return {
        "shop": shop.id, "key": base64.b64encode(key).decode(), "codes": codes,
        "turns": {turn.pop("url"): turn for turn in turns},
        "shell": pickup_views.screen_shell(SLOT), "slot": SLOT,
        "intakes": {str(n.id): dropoff_views.first_intake_screen(shop, n.id, VISIT, now) for n in shop.networks
                    if n.other_carrier_allowed},
        "start": _start_screens(), "returns": _returnable(shop, now),
        "guard": {"limit": pickup_rules.DEVICE_LIMIT, "window": int(pickup_rules.WINDOW.total_seconds())},
        "pages": _associate_pages(shop),
        "fragments": [url_for("returns.ask_missing", parcel_id=p.id) for p in returns_ops.waiting_scan(shop)],
        "counter": _counter(),
        **_deposits(shop, now),
    }


def _deposits(shop, now):
    """The drop-offs announced for the shop, by code and by label, and the screen for one the device does not know."""
    if not shop.offers_customer_dropoff or not shop.networks:
        return {}
    known, labels, unknown = deposit_views.offline_screens(shop, now, TICKET)
    return {"deposits": known, "depositLabels": labels, "depositUnknown": unknown}


def _carrier_bundle(now):
    """Today's shops, their code screens, and each visit's first screen: a carrier opens a visit offline
    with the shop code, scans into it, and the server checks the code when the opening reaches it."""
    network_id = current_user.network_id
    shops = todays_shops(network_id)
    visits = {}
    for row in shops:
        kinds = (VisitKind.DROPOFF, VisitKind.RETURN) if row["returns"] else (VisitKind.DROPOFF,)
        visits[str(row["shop"].id)] = {kind: carrier_views.first_visit_screen(row["shop"], network_id, kind, VISIT, now)
                                       for kind in kinds}
    return {
        "pages": [url_for("carrier.home"), url_for("offline.conflicts")]
                 + [url_for("carrier.shop", shop_id=row["shop"].id) for row in shops],
        "visits": visits,
    }


# A device syncs every 10 minutes, on « Synchroniser » and when the network comes back: a few times an hour.
# Past this, a device (or a script with its session) is fetching for nothing, and waits; its copy stays.
SYNCS = "60 per hour"


def _account_key():
    return f"bundle:{current_user.get_id()}"


@limiter.limit(SYNCS, key_func=_account_key)
@login_required
def bundle():
    """What this device needs offline, for the signed-in account: screens rendered as online, keyed hashes."""
    now = clock.now()
    data = {"format": 1, "account": signed_in_account_id(), "atCounter": current_user.id, "role": current_user.role.value, "syncedAt": now.isoformat(),
            "replayToken": replay.token()}
    if current_user.role == Role.ASSOCIATE:
        data.update(_associate_bundle(now))
    elif current_user.role == Role.CARRIER:
        data.update(_carrier_bundle(now))
    # The worker's sync: the network notes its version and the steps that waited in its queue.
    devices.note_contact(g.device_id, now, synced=True)
    db.session.commit()
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-store"  # compressed like every answer (Flask-Compress)
    return response
