"""Scans queued offline, sent again: who they come from when the session or its CSRF token has gone.

A counter may stay offline for days, and the browser may drop its session cookie meanwhile (an
installed app closed, a phone restarted). The queued request still carries the CSRF token of the page
it was made on, which dies with that session. So, at sign-in, the device gets a *replay token*: a
signed cookie (HttpOnly, SameSite=Strict, 30 days) naming the account, the device and the instant of
that sign-in. It vouches for a request only when all of this holds:

- the request is a replay: a POST with ``X-Offline-Replay: 1`` and a valid ``Idempotency-Key``;
- it comes from our own pages: ``Sec-Fetch-Site: same-origin`` (or, from a browser too old to send
  it, an ``Origin`` naming this host). Another site can neither set these headers without a CORS
  preflight we never grant, nor send the SameSite=Strict cookie;
- the token's signature is right, it is under 30 days old, its device is the device cookie's, and it
  names the device's *latest* sign-in (``Device.last_account_id`` and ``Device.last_seen_at``): signing
  out, or another account signing in on the device, revokes it.

Such a request is then signed in as the token's account (Flask-Login's request loader, for this one
request only: no session is made) and its CSRF check is waived (``check_csrf``). The token
opens nothing else: no page, no ordinary form. A replay whose session and token are both gone gets a
401 and stays queued until the associate signs in again; a replay made under another account than
the one signed in now gets a 403.
"""
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from . import clock, devices, logs
from .extensions import csrf, db, login_manager
from .models import Account, Device, Role

COOKIE = "comptoir_replay"
LIFETIME = timedelta(days=30)
REPLAY_ROLES = (Role.ASSOCIATE, Role.CARRIER)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="offline-replay")


def _stamp(instant):
    return (instant - EPOCH) // timedelta(microseconds=1)


def is_replay():
    """True when the offline queue sends this request again."""
    return request.headers.get("X-Offline-Replay") == "1"


def grant(account):
    """At sign-in: a replay token for this device's new sign-in (written by ``set_cookie``)."""
    db.session.flush()
    device = db.session.get(Device, g.device_id)
    if device is not None and account.role in REPLAY_ROLES:
        g.replay_cookie = _serializer().dumps([account.id, device.id, _stamp(device.last_seen_at)])


def revoke():
    """At sign-out: the device's latest sign-in moves on, so its replay token no longer vouches."""
    device = db.session.get(Device, g.get("device_id"))
    if device is not None:
        device.last_seen_at = clock.now()
    g.replay_cookie = ""


def _same_origin():
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    return bool(origin) and urlsplit(origin).netloc == request.host


def looks_like_replay():
    key = (request.headers.get("Idempotency-Key") or "").strip()
    return request.method == "POST" and is_replay() and 0 < len(key) <= 64 and _same_origin()


def _vouched_account():
    try:
        account_id, device_id, stamp = _serializer().loads(request.cookies.get(COOKIE, ""),
                                                          max_age=LIFETIME.total_seconds())
    except (BadSignature, TypeError, ValueError):
        return None
    device = db.session.get(Device, device_id) if device_id == request.cookies.get(devices.COOKIE) else None
    if device is None or device.last_account_id != account_id or _stamp(device.last_seen_at) != stamp:
        return None
    account = db.session.get(Account, account_id)
    return account if account is not None and account.is_active and account.role in REPLAY_ROLES else None


def replay_account():
    """The account a replay's token vouches for, or None (see the module's docstring)."""
    if "replay_account" not in g:
        g.replay_account = _vouched_account() if looks_like_replay() else None
    return g.replay_account


def guard():
    """A replay nobody can be signed in for waits (401); one made under another account is refused (403)."""
    if not is_replay():
        return None
    if not current_user.is_authenticated:
        return _("Sign in again to send the scans waiting on this device."), 401
    made_by = request.headers.get("X-Offline-Account")
    if made_by and made_by != str(current_user.id):
        return _("This scan was made under another account. Sign in with that account to send it."), 403
    return None


def check_csrf():
    """The CSRF check of every form and HTMX request, waived only for a replay its device token vouches for."""
    if replay_account() is None:
        csrf.protect(apply_exemptions=True)


def after(response):
    """Write or clear the replay token; tell the queue that a replayed command was applied."""
    cookie = g.get("replay_cookie")
    if cookie:
        response.set_cookie(COOKIE, cookie, max_age=int(LIFETIME.total_seconds()), httponly=True,
                            samesite="Strict", secure=request.is_secure)
    elif cookie == "":
        response.delete_cookie(COOKIE, samesite="Strict", secure=request.is_secure)
    # Only a command run (or answered again) by @command was applied: a 2xx from anywhere else
    # (a redirect by a before-request hook, a view that is no command) must not empty the queue.
    applied = g.get("command_id") or response.headers.get("Idempotent-Replayed")
    if is_replay() and applied and response.status_code < 400:
        response.headers["X-Command-Applied"] = "true"
    return response


def register(app):
    login_manager.request_loader(lambda _request: logs.signed_in(replay_account()))
    # Before every other hook, the CSRF check included: a replay that cannot be signed in must get
    # a 401 (it waits in the queue), not a CSRF refusal (which would make it a conflict).
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks[0:0] = [guard, check_csrf]
    app.after_request(after)
