"""The shared counter: « Mon code personnel », « Qui est au comptoir ? » with its PIN pad, the shop's idle
delay, and the lock that asks who is at the counter once the device has been left unused.

PIN forms are no @command: a wrong PIN is refused and still counts towards the lock (the view commits it),
and no PIN is ever written down with a command's payload."""
from datetime import datetime, timezone

from flask import Blueprint, abort, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core import clock, replay, signins
from ..core.commands import command
from ..core.extensions import db, limiter
from ..core.models import Device, Role
from ..core.web import actor, associate_required, done, render, safe_path
from ..ops import pins
from ..rules import pins as rules
from ..rules.errors import DomainError

bp = Blueprint("pins", __name__)

SEEN = "counter_seen"        # when the device was last used (epoch seconds, in the signed session cookie)
LOCKED = "counter_locked"    # the device was left unused: it asks who is at the counter
SHARED = "counter_shared"    # two associates or more signed in on this device: it locks when left unused
# Noting each request's time would rewrite the session cookie on every answer; a minute's delay needs less.
SEEN_EVERY = 20
UNLOCKED_BLUEPRINTS = {"auth", "help", "offline", "test_clock"}
UNLOCKED_ENDPOINTS = {"static", "service_worker", "favicon", "pins.who", "pins.pad"}


def _device():
    return db.session.get(Device, g.device_id)


def _pin_page(template, status=200, **context):
    return render(f"pins/{template}.html", f"pins/_{template}.html", status=status, pin_min=rules.MIN_LENGTH,
                  pin_max=rules.MAX_LENGTH, **context)


@bp.get("/mon-code")
@associate_required
def personal():
    """« Mon code personnel »: choose the PIN that takes a shared counter over."""
    return _pin_page("personal", has_pin=current_user.pin_hash is not None)


def _wrong_password(_response):
    return g.get("wrong_password", False)


# A PIN that replaces another asks for the password: wrong ones are counted per account, as at sign-in.
@bp.post("/mon-code")
@associate_required
@limiter.limit("10 per 15 minutes", key_func=lambda: f"pin-password:{current_user.id}", deduct_when=_wrong_password)
def set_personal():
    """Save a new PIN (asked twice, and the password when it replaces one); anything wrong changes nothing."""
    try:
        pins.set_pin(current_user, request.form.get("pin"), request.form.get("confirmation"), _device(),
                     _sign_in(), password=request.form.get("password"))
    except DomainError as err:
        db.session.rollback()
        g.wrong_password = isinstance(err, pins.PasswordToReplace)
        return _pin_page("personal", has_pin=current_user.pin_hash is not None, refused=err)
    db.session.commit()
    return done(url_for("counter.home"), _("Your personal PIN is saved."),
                lambda: _pin_page("personal", has_pin=True, saved=True))


def _sign_in():
    """The session's sign-in: a PIN is typed on a device signed in with a password, never on a replay."""
    sign_in = signins.current()
    if sign_in is None:
        abort(403)
    return sign_in


def _shop_id():
    return _sign_in().account.shop_id


@bp.get("/comptoir")
@associate_required
def who():
    """« Qui est au comptoir ? »: the associates who signed in on this device, one big button each."""
    return _pin_page("who", associates=pins.known_on(g.device_id, _shop_id()), next=_next())


def _next():
    return safe_path(request.values.get("next"), url_for("counter.home"))


def _failed_pin(response):
    return response.status_code == 422


# The lock after 5 wrong PINs guards each associate; this guards the device against a guesser going
# from one associate to the next.
@bp.route("/comptoir/<int:account_id>", methods=["GET", "POST"])
@associate_required
@limiter.limit("20 per 15 minutes", methods=["POST"], key_func=lambda: f"pin:{g.device_id}",
               deduct_when=_failed_pin)
def pad(account_id):
    """The PIN pad of one associate known on this device; the right PIN makes the counter theirs."""
    try:
        associate = pins.known_associate(g.device_id, _shop_id(), account_id)
    except DomainError as err:
        return _pin_page("who", associates=pins.known_on(g.device_id, _shop_id()), next=_next(), refused=err)
    if request.method == "GET":
        return _pin_page("pad", associate=associate, next=_next())
    return _switch(associate)


def _switch(associate):
    try:
        pins.switch(_sign_in(), associate, request.form.get("pin"))
    except DomainError as err:
        db.session.commit()  # a wrong PIN counts towards the lock
        return _pin_page("pad", associate=associate, next=_next(), refused=err)
    db.session.commit()
    _seen(clock.now(), unlock=True)
    return redirect_to(_next())


def redirect_to(url):
    """Navigate: an HTMX request follows HX-Redirect (whatever it targeted), a plain one a 303."""
    if request.headers.get("HX-Request") == "true":
        return "", 204, {"HX-Redirect": url}
    return redirect(url, 303)


@bp.get("/comptoir/veille")
@associate_required
def idle_settings():
    """The shop's idle delay: minutes without activity before a counter device asks who is at it."""
    return _pin_page("idle", shop=current_user.shop)


@bp.post("/comptoir/veille")
@associate_required
@command
def set_idle():
    """Change the shop's idle delay (1 to 120 minutes); kept in the shop's log."""
    shop = current_user.shop
    try:
        pins.set_idle_minutes(shop, request.form.get("minutes"), actor())
    except DomainError as err:
        return _pin_page("idle", shop=shop, refused=err)
    return done(url_for("pins.idle_settings"), _("Saved."), lambda: _pin_page("idle", shop=shop, saved=True))


def _seen(now, unlock=False):
    """Note the device's use (once in ``SEEN_EVERY`` seconds); ``unlock`` after a PIN or a first request."""
    stamp = int(now.timestamp())
    if unlock:
        session.pop(LOCKED, None)
    if unlock or stamp - session.get(SEEN, 0) >= SEEN_EVERY:
        session[SEEN] = stamp


def _here():
    return request.full_path if request.query_string else request.path


def _exempt():
    endpoint = request.endpoint or ""
    return endpoint in UNLOCKED_ENDPOINTS or endpoint.split(".")[0] in UNLOCKED_BLUEPRINTS


def _activity():
    """A user's doing: a page or a command. HTMX reads (a screen polling for news) keep no counter awake."""
    return request.method != "GET" or request.headers.get("HX-Request") != "true"


def counter_signed_in(device, account, now):
    """A password sign-in on ``device``: its use counts from now, and it locks when left unused only if it
    is shared (docs/decisions.md): a device one associate alone uses never doubts who is at it."""
    session[SEEN] = int(now.timestamp())
    session[SHARED] = account.role == Role.ASSOCIATE and len(pins.known_on(device.id, account.shop_id)) > 1


def counter_shared():
    return bool(session.get(SHARED))


def idle_lock():
    """Once a shared device went unused for the shop's idle minutes, every screen asks who is at the counter.
    Replays pass: a queued step was made before, by whoever was at the counter then."""
    if _exempt() or replay.is_replay() or not counter_shared() or not (
            current_user.is_authenticated and current_user.role == Role.ASSOCIATE):
        return None
    now, seen = clock.now(), session.get(SEEN)
    if not session.get(LOCKED) and isinstance(seen, int) and rules.idle(
            datetime.fromtimestamp(seen, timezone.utc), now, current_user.shop.idle_minutes):
        session[LOCKED] = True
    if session.get(LOCKED):
        return redirect_to(url_for("pins.who", next=_here() if request.method == "GET" else None))
    if _activity():
        _seen(now, unlock=not isinstance(seen, int))
    return None


def signed_in_account_id():
    """The account that signed in on this device, whoever is at its counter: the device keeps its offline
    data and queue for that account (static/worker/account.js)."""
    sign_in = signins.current()
    return sign_in.account_id if sign_in is not None else current_user.id


def register(app):
    app.before_request(idle_lock)
    app.add_template_global(signed_in_account_id)
    app.add_template_global(counter_shared)
    app.add_template_global(lambda: clock.now().isoformat(), "now_iso")
