"""Each browser gets a device id in a long-lived cookie, so every event says which device made it."""
import uuid

from flask import current_app, g, request

from . import clock
from .extensions import db
from .models import Device

COOKIE = "comptoir_device"
FIVE_YEARS = 5 * 365 * 24 * 3600


def _valid(value):
    try:
        return str(uuid.UUID(value)) == value
    except (TypeError, ValueError):
        return False


def load_device_id():
    value = request.cookies.get(COOKIE)
    g.new_device = not _valid(value)
    g.device_id = str(uuid.uuid4()) if g.new_device else value


def set_device_cookie(response):
    # Never on a static file: its answer is the same for everyone, and the browser keeps one copy of it.
    if g.get("new_device") and request.endpoint != "static":
        # Secure in production whatever the proxies say about the scheme (SESSION_COOKIE_SECURE, on by default).
        secure = request.is_secure or bool(current_app.config.get("SESSION_COOKIE_SECURE"))
        response.set_cookie(COOKIE, g.device_id, max_age=FIVE_YEARS, httponly=True, samesite="Lax", secure=secure)
    return response


def register_device(account):
    """Remember this device and who last used it (called at login). A revoked device's id never signs in
    again: the browser gets a new one."""
    now = clock.now()
    device = db.session.get(Device, g.device_id)
    if device is not None and device.revoked_at is not None:
        g.device_id, g.new_device, device = str(uuid.uuid4()), True, None
    if device is None:
        device = Device(id=g.device_id, first_seen_at=now)
        db.session.add(device)
    device.shop_id = account.shop_id
    device.last_account_id = account.id
    device.user_agent = (request.user_agent.string or "")[:300]
    device.last_seen_at = now
    return device


def register(app):
    app.before_request(load_device_id)
    app.after_request(set_device_cookie)
