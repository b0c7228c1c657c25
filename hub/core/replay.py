"""Scans queued offline, sent again: who they come from, and what they may claim.

A counter may stay offline for days, and the browser may drop its session cookie meanwhile (an
installed app closed, a phone restarted). The queued request still carries the CSRF token of the page
it was made on, which dies with that session. So the device's offline queue holds a *replay token*:
a signed value naming the device's current sign-in (hub/core/signins.py) and the device, handed to the
service worker in the offline bundle and sent by its queue alone, in the ``X-Replay-Token`` header. No
cookie carries it, so a request typed in the browser's console or sent with a copied session cookie does
not have it. It vouches for a request only when all of this holds:

- the request is a replay: a POST with ``X-Offline-Replay: 1`` and a valid ``Idempotency-Key``;
- it comes from our own pages: ``Sec-Fetch-Site: same-origin`` (or, from a browser too old to send
  it, an ``Origin`` naming this host);
- the token's signature is right, it is under 30 days old, its device is the device cookie's, and its
  sign-in is still open (signing out, a password change, a deactivation, a device revoked or another
  sign-in on the device end it) and not idle, for an active associate or carrier.

Such a request, and only such a request, is *vouched*: it may be dated by the device (``X-Occurred-At``,
hub/core/web.device_time), it passes the overdue-task block, a carrier's code is checked against the moment
the device read it, and its CSRF check is waived. When the session is gone it is signed in as the token's
account for this one request (Flask-Login's request loader; no session is made). A vouched replay acts as
the associate who was at the counter when the step was made (``X-Comptoir-Associate``, set by the page, a
PIN switch made offline included) when that associate is known on the device, of the sign-in's shop, active
and their PIN not locked; else as the sign-in's own account, and its parcel events say so in their note
(``replay_actor``). Headers alone grant
nothing: without the token a replay is an ordinary request, judged at the server's time. A replay whose
session and token are both gone gets a 401 and stays queued until the associate signs in again; a replay
made under another account than the one signed in now gets a 403.
"""
import logging
from urllib.parse import urlsplit

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from . import clock, devices, logs, signins
from .extensions import csrf, db, login_manager
from .models import Role, SignIn
from ..rules import accounts as account_rules
from ..rules import pins as pin_rules

HEADER = "X-Replay-Token"
ASSOCIATE_HEADER = "X-Comptoir-Associate"
LIFETIME = account_rules.IDLE_LIMIT
REPLAY_ROLES = (Role.ASSOCIATE, Role.CARRIER)


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="offline-replay")


def is_replay():
    """True when the request says the offline queue sends it again (which alone grants nothing)."""
    return request.headers.get("X-Offline-Replay") == "1"


def token():
    """The replay token of this request's sign-in, for the device's offline queue (None for other roles)."""
    sign_in = signins.current()
    if sign_in is None or sign_in.account.role not in REPLAY_ROLES:
        return None
    return _serializer().dumps([sign_in.id, sign_in.device_id])


def _same_origin():
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    return bool(origin) and urlsplit(origin).netloc == request.host


def looks_like_replay():
    key = (request.headers.get("Idempotency-Key") or "").strip()
    return request.method == "POST" and is_replay() and 0 < len(key) <= 64 and _same_origin()


def _token_sign_in():
    """The sign-in the request's token names, on the device whose cookie the request carries, open or not."""
    try:
        sign_in_id, device_id = _serializer().loads(request.headers.get(HEADER, ""), max_age=LIFETIME.total_seconds())
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(sign_in_id, str) or device_id != request.cookies.get(devices.COOKIE):
        return None
    sign_in = db.session.get(SignIn, sign_in_id)
    return sign_in if sign_in is not None and sign_in.device_id == device_id else None


def token_account_id():
    """The account the token names, though its sign-in has ended (a revoked device's steps: hub/core/revoked.py)."""
    sign_in = _token_sign_in()
    return sign_in.account_id if sign_in is not None else None


def _vouched_sign_in():
    sign_in = _token_sign_in()
    if sign_in is None or not sign_in.open:
        return None
    if account_rules.idle(sign_in.last_seen_at, clock.now()):
        return None
    account = sign_in.account
    return sign_in if account.is_active and account.role in REPLAY_ROLES else None


def replay_sign_in():
    """The sign-in a replay's token vouches for, or None (see the module's docstring)."""
    if "replay_sign_in" not in g:
        g.replay_sign_in = _vouched_sign_in() if looks_like_replay() else None
    return g.replay_sign_in


def replay_account():
    """The account that signed in the sign-in a replay's token vouches for, or None."""
    sign_in = replay_sign_in()
    return sign_in.account if sign_in is not None else None


def _signed_in_account_id():
    """The account that signed in on this device: the session's sign-in, else the replay token's."""
    sign_in = signins.current() or replay_sign_in()
    return sign_in.account_id if sign_in is not None else None


def vouched():
    """True for a replay the device's token vouches for, made under the sign-in's account (if any); and for a
    step held from a revoked device that an operator accepted (hub/core/revoked.apply_held)."""
    if g.get("held_replay"):
        return True
    account = replay_account()
    return account is not None and _signed_in_account_id() == account.id


def replay_actor():
    """Who a vouched replay acts as: the associate the step names if they may act on this device (see the
    module's docstring), else the sign-in's account, with a note for its events."""
    sign_in = replay_sign_in()
    return acting_associate(sign_in.device_id, sign_in.account)


def acting_associate(device_id, signed_in):
    """The associate a queued step names (``X-Comptoir-Associate``) when they may act on ``device_id`` for
    ``signed_in``'s shop — known on the device, active, PIN not locked — else ``signed_in``, with a note."""
    named = request.headers.get(ASSOCIATE_HEADER, "")
    if not named or not named.isdigit() or int(named) == signed_in.id:
        return signed_in
    account = signins.known_associate(device_id, signed_in.shop_id, int(named))
    if account is None or pin_rules.locked(account.pin_failures):
        g.actor_note = f"replayed as the signed-in associate: associate {named} may not act on this device"
        logs.log(logging.WARNING, "replay_associate_refused", associate=named)
        return signed_in
    return account


def load_account(ident):
    """Flask-Login's user loader: a vouched replay acts as its step's associate, any other request as the
    associate at the counter of the session's sign-in (hub/core/signins.py)."""
    if vouched():
        return replay_actor()
    return signins.load_account(ident)


def guard():
    """A replay nobody can be signed in for waits (401); one made under another account is refused (403)."""
    if not is_replay():
        return None
    if not current_user.is_authenticated:
        return _("Sign in again to send the scans waiting on this device."), 401
    made_by = request.headers.get("X-Offline-Account")
    if made_by and made_by != str(_signed_in_account_id()):
        return _("This scan was made under another account. Sign in with that account to send it."), 403
    return None


def check_csrf():
    """The CSRF check of every form and HTMX request, waived only for a replay its device token vouches for."""
    if not vouched():
        csrf.protect(apply_exemptions=True)


def after(response):
    """Tell the queue that a replayed command was applied."""
    # Only a command run (or answered again) by @command was applied: a 2xx from anywhere else
    # (a redirect by a before-request hook, a view that is no command) must not empty the queue.
    applied = g.get("command_id") or response.headers.get("Idempotent-Replayed")
    if is_replay() and applied and response.status_code < 400:
        response.headers["X-Command-Applied"] = "true"
    return response


def register(app):
    login_manager.user_loader(lambda ident: logs.signed_in(load_account(ident)))
    login_manager.request_loader(lambda _request: logs.signed_in(replay_actor() if vouched() else None))
    # Before every other hook, the CSRF check included: a replay that cannot be signed in must get
    # a 401 (it waits in the queue), not a CSRF refusal (which would make it a conflict).
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks[0:0] = [guard, check_csrf]
    app.after_request(after)
