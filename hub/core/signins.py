"""Who a request is signed in as: the sign-in its session cookie names, looked up by its id on each request.

The session cookie holds the sign-in's random id (hub/core/models.SignIn). A request is signed in while that
sign-in is open, on the device whose cookie comes with the request, for an active account, and used within
``IDLE_LIMIT``: ending the sign-in (signing out, a password change, a deactivation, a device revoked) ends
every copy of the cookie at once. One lookup by primary key, whatever the history.
"""
from flask import g, request, session
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from . import clock, devices
from .extensions import db
from .models import Account, DeviceAssociate, Role, SignIn
from ..rules import accounts as rules

SESSION_KEY = "sign_in"


def begin(sign_in):
    """Name ``sign_in`` in the session (after Flask-Login's login_user)."""
    session[SESSION_KEY] = sign_in.id
    g.sign_in = sign_in


def current():
    """The open sign-in of this request, or None."""
    if "sign_in" not in g:
        ident = session.get(SESSION_KEY)
        found = db.session.get(SignIn, ident, options=[joinedload(SignIn.account)]) if isinstance(ident, str) else None
        g.sign_in = _alive(found)
    return g.sign_in


def _alive(sign_in):
    if sign_in is None or not sign_in.open or not sign_in.account.active:
        return None
    if sign_in.device_id != request.cookies.get(devices.COOKIE):
        return None  # a session cookie copied away from its device's cookie
    now = clock.now()
    if rules.idle(sign_in.last_seen_at, now):
        return None
    if rules.due_for_touch(sign_in.last_seen_at, now):
        _touch(sign_in, now)
    return sign_in


def _touch(sign_in, now):
    """Note the sign-in's use, and its device's contact; in its own short transaction when nothing else is under
    way."""
    sign_in.last_seen_at = now
    if db.session.new or db.session.deleted or any(obj is not sign_in for obj in db.session.dirty):
        return
    try:
        devices.note_contact(sign_in.device_id, now)
        db.session.commit()
    except OperationalError:  # another writer holds SQLite's lock: the next request notes it
        db.session.rollback()


def load_account(ident):
    """The account a request of the session's open sign-in acts as: the associate at the counter (who
    signed in, or who took the device over with their PIN)."""
    sign_in = current()
    return sign_in.at_counter if sign_in is not None and str(sign_in.account_id) == ident else None


def known_associate(device_id, shop_id, account_id):
    """The associate ``account_id`` names when they signed in on this device with their password, are of
    ``shop_id`` and active; else None (another shop's associate is as unknown as one who never came)."""
    account = db.session.get(Account, account_id)
    if (account is None or not account.active or account.role != Role.ASSOCIATE or account.shop_id != shop_id
            or db.session.get(DeviceAssociate, (device_id, account.id)) is None):
        return None
    return account
