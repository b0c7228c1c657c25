"""Each browser gets a device id in a long-lived cookie, so every event says which device made it.

What the network knows of a device is noted without a write per request: its last contact with its
sign-in's (hub/core/signins.py, every few minutes), and its service worker's version and queue length on
the worker's syncs (the offline bundle), which send them as ``X-Comptoir-Version`` and ``X-Comptoir-Queue``.
"""
import uuid

from flask import current_app, g, request
from sqlalchemy import update

from . import clock
from .extensions import db
from .models import Device
from ..rules import devices as rules

VERSION_HEADER = "X-Comptoir-Version"
QUEUE_HEADER = "X-Comptoir-Queue"

COOKIE = "comptoir_device"
FIVE_YEARS = 5 * 365 * 24 * 3600


def valid(value):
    try:
        return str(uuid.UUID(value)) == value
    except (TypeError, ValueError):
        return False


def load_device_id():
    value = request.cookies.get(COOKIE)
    g.new_device = not valid(value)
    g.device_id = str(uuid.uuid4()) if g.new_device else value


def set_device_cookie(response):
    # Never on a static file: its answer is the same for everyone, and the browser keeps one copy of it.
    if g.get("new_device") and request.endpoint != "static":
        # Secure in production whatever the proxies say about the scheme (SESSION_COOKIE_SECURE, on by default).
        secure = request.is_secure or bool(current_app.config.get("SESSION_COOKIE_SECURE"))
        response.set_cookie(COOKIE, g.device_id, max_age=FIVE_YEARS, httponly=True, samesite="Lax", secure=secure)
    return response


def known_device():
    """This browser's device as the network knows it, when it still may sign in (None if new or revoked)."""
    device = None if g.get("new_device") else db.session.get(Device, g.device_id)
    return device if device is not None and device.revoked_at is None else None


def suggested_name():
    """The name this browser's device would get if none is typed: « Android · Chrome »."""
    return rules.suggested_name(request.user_agent.string)


def register_device(account, name=""):
    """Remember this device and who last used it (called at login), named ``name`` if it has no name yet. A
    revoked device's id never signs in again: the browser gets a new one."""
    now = clock.now()
    device = db.session.get(Device, g.device_id)
    if device is not None and device.revoked_at is not None:
        g.device_id, g.new_device, device = str(uuid.uuid4()), True, None
    if device is None:
        device = Device(id=g.device_id, first_seen_at=now)
        db.session.add(device)
    device.name = device.name or name
    device.shop_id = account.shop_id
    device.last_account_id = account.id
    device.user_agent = (request.user_agent.string or "")[:300]
    device.last_seen_at = now
    return device


def note_contact(device_id, now, synced=False):
    """Note the device's contact (one UPDATE by primary key); a sync also notes its worker's version and queue."""
    values = {"last_seen_at": now}
    if synced:
        values.update(app_version=rules.version(request.headers.get(VERSION_HEADER)),
                      queue_length=rules.queue_length(request.headers.get(QUEUE_HEADER)))
    db.session.execute(update(Device).where(Device.id == device_id).values(**values)
                       .execution_options(synchronize_session=False))


def register(app):
    app.before_request(load_device_id)
    app.after_request(set_device_cookie)
