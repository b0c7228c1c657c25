"""A revoked device (lost, stolen) at its next contact, and the steps its offline queue still sends.

Revoking a device ends its sign-ins (hub/ops/accounts.revoke_device), so nothing it sends is signed in any
more. At its next request — its device cookie still names it — it gets a page that says when and why the
network removed it, with ``X-Comptoir-Device-Revoked: 1``, which tells its service worker to hand over its
queue, then wipe its caches and stored data (static/worker/retire.js). A replay from its queue is neither
applied nor refused: it is *held* (hub/core/models/devices.HeldStep) and answered as delivered, so the worker
drops it from its queue; an operator then accepts it — :func:`apply_held` sends the stored request through
the app, as its replay would have gone — or refuses it. A request with a live sign-in costs nothing more here:
revoking a device ended every sign-in on it, and a revoked id never signs in again.
"""
from datetime import datetime, timezone
from urllib.parse import urlencode

from flask import current_app, g, make_response, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from . import clock, devices, replay, signins
from .extensions import db
from .models import Account, Command, Device, SignIn
from .web import wants_fragment
from ..ops import devices as device_ops

HEADER = "X-Comptoir-Device-Revoked"
# Signing in again is how the browser gets a new device; the worker's script, its files and the manifest are
# the same for everyone.
OPEN = {"static", "service_worker", "offline.manifest", "favicon", "auth.login", "auth.set_language"}


def revoked_device():
    """The revoked device this request's cookie names, or None (no lookup while a sign-in is alive)."""
    if signins.current() is not None:
        return None
    ident = request.cookies.get(devices.COOKIE)
    if not devices.valid(ident):
        return None
    device = db.session.get(Device, ident)
    return device if device is not None and device.revoked_at is not None else None


def intercept():
    """Before anything else: a revoked device's replay is held, and any other request gets why it was removed."""
    if request.endpoint in OPEN or g.get("held_replay"):
        return None
    device = revoked_device()
    if device is None:
        return None
    response = _hold(device) if replay.looks_like_replay() else _removed(device)
    response.headers[HEADER] = "1"
    return response


def _removed(device):
    body = render_template("auth/device_removed.html", device=device,
                           phone=current_app.config["SUPPORT_PHONE"].replace(" ", "\u00a0"))
    response = make_response(body, 403)
    if wants_fragment():  # HTMX swaps nothing on a 403: it goes to the page that says why
        response.headers["HX-Redirect"] = url_for("auth.device_removed")
    return response


def _claimed_time():
    try:
        stamp = datetime.fromisoformat((request.headers.get("X-Occurred-At") or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=timezone.utc)


def _named_account(device):
    """(account id, vouched): the account the device's replay token names — or the associate at the counter
    the step names, as a replay would act (replay.acting_associate) — else the one the step claims if it ever
    signed in on this device (a step cannot name just anyone)."""
    vouched = replay.token_account_id()
    signed_in = db.session.get(Account, vouched) if vouched is not None else None
    if signed_in is not None:
        return replay.acting_associate(device.id, signed_in).id, True
    claimed = (request.headers.get("X-Offline-Account") or "").strip()
    if not (claimed.isdigit() and len(claimed) < 10):
        return None, False
    signed_in_here = db.session.scalar(select(SignIn.id).where(SignIn.device_id == device.id,
                                                               SignIn.account_id == int(claimed)).limit(1))
    return (int(claimed) if signed_in_here else None), False


def _body():
    """The step's body as sent: a form (already read by the checks before) written again as it came."""
    if request.form:
        return urlencode(list(request.form.items(multi=True)))
    return request.get_data(as_text=True)


def _hold(device):
    """Keep the step for an operator, and answer it as delivered: the queue drops it. One already applied
    before the revocation (its answer lost on the way) is answered as applied, and not held."""
    key = request.headers["Idempotency-Key"].strip()
    if db.session.get(Command, key) is None:
        account_id, vouched = _named_account(device)
        step = dict(command_id=key, method=request.method, path=request.full_path.rstrip("?")[:500],
                    content_type=(request.content_type or "")[:200], body=_body(),
                    occurred_at=_claimed_time(), account_id=account_id, vouched=vouched)
        device_ops.hold(device, step, clock.now())
        db.session.commit()
    response = make_response("", 200)
    response.headers.update({"X-Command-Applied": "true", "X-Comptoir-Held": "true"})
    return response


def apply_held(step):
    """Send a held step through the app as its replay would have gone: the same command id (applied once), the
    device's claimed time (bounded as every replay's), in the name of the account it names, from its device.
    Returns (applied, message): a refusal's message in the user's language."""
    app = current_app._get_current_object()
    headers = {"Idempotency-Key": step.command_id, "HX-Request": "true",
               "Cookie": f"{devices.COOKIE}={step.device_id}"}
    if step.occurred_at is not None:
        headers["X-Occurred-At"] = step.occurred_at.isoformat()
    account_id = step.account_id
    if step.account is None or step.account.role not in replay.REPLAY_ROLES:
        return False, _("This step names no associate or carrier: it cannot be applied.")
    # Its own application context: its own database session and transaction, committed by @command.
    with app.app_context(), app.test_request_context(step.path, method=step.method, data=step.body.encode(),
                                                     content_type=step.content_type or None, headers=headers):
        g.held_replay = True
        g._login_user = db.session.get(Account, account_id)  # Flask-Login's current user for this request
        response = app.full_dispatch_request()
        return _outcome(response)


def _outcome(response):
    if response.status_code < 400 and response.headers.get("Idempotent-Replayed"):
        return True, _("It had already been applied: nothing changed.")
    if response.status_code < 400 and g.get("command_id"):
        said = g.get("said")
        return True, _("Applied: %(answer)s", answer=said) if said else _("Applied.")
    return False, g.get("refusal") or _("Refused by the server (%(status)d).", status=response.status_code)


def register(app):
    # First of the hooks (after the unreadable-body check): before the replay's guard answers 401.
    app.before_request_funcs.setdefault(None, []).insert(0, intercept)
