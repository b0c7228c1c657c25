"""Accounts, sign-ins and devices: signing in and out, a password change, a deactivation, a device revoked.

Each ends the sign-ins it concerns (hub/rules/accounts.py), so every copy of their cookies and every
offline replay token they gave stops working at once. Like every operation, these flush and never commit.
"""
import secrets
from functools import lru_cache

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.extensions import db
from ..core.models import Account, Device, SignIn, SignInEnd
from ..rules import accounts as rules
from ..rules.errors import DomainError, N_


class PasswordTooShort(DomainError):
    message = N_("A password needs at least %(min)d characters.")


class UnknownAccount(DomainError):
    status = 404
    message = N_("No account is named « %(username)s ».")


class UnknownDevice(DomainError):
    status = 404
    message = N_("No device has the id « %(device)s ».")


@lru_cache(maxsize=1)
def _dummy_hash():
    return generate_password_hash(secrets.token_hex(16))


def find_account(username):
    """The account of ``username`` (case and surrounding spaces aside), or None."""
    name = (username or "").strip().lower()
    return db.session.scalar(select(Account).where(func.lower(Account.username) == name))


def authenticate(username, password):
    """The active account ``username`` names when ``password`` is its own, else None. A password is
    always checked against a hash, a dummy one when there is no such account, so the time an answer
    takes does not tell whether the account exists."""
    account = find_account(username)
    if account is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    right = account.check_password(password or "")
    return account if right and account.active else None


def start_sign_in(account, device_id, now):
    """A new sign-in of ``account`` on the device; any other still open on that device ends (one browser,
    one sign-in)."""
    end_where(SignIn.device_id == device_id, SignInEnd.REPLACED, now)
    sign_in = SignIn(id=secrets.token_urlsafe(32), account_id=account.id, device_id=device_id, created_at=now,
                     last_seen_at=now)
    db.session.add(sign_in)
    db.session.flush()
    return sign_in


def end_sign_in(sign_in, reason, now):
    """End one sign-in (signing out)."""
    if sign_in is not None and sign_in.open:
        sign_in.ended_at, sign_in.end_reason = now, reason
        db.session.flush()


def end_where(condition, reason, now):
    """End every open sign-in that meets ``condition``; returns how many."""
    ended = db.session.scalars(select(SignIn).where(condition, SignIn.ended_at.is_(None))).all()
    for sign_in in ended:
        sign_in.ended_at, sign_in.end_reason = now, reason
    db.session.flush()
    return len(ended)


def set_password(account, password, now):
    """A new password; every sign-in of the account ends (whoever knew the old one is signed out)."""
    if len(password or "") < rules.MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(min=rules.MIN_PASSWORD_LENGTH)
    account.set_password(password)
    db.session.flush()
    return end_where(SignIn.account_id == account.id, SignInEnd.PASSWORD_CHANGED, now)


def deactivate(account, now):
    """The account can no longer sign in, and each of its sign-ins ends."""
    account.active = False
    db.session.flush()
    return end_where(SignIn.account_id == account.id, SignInEnd.DEACTIVATED, now)


def revoke_device(device, reason, now):
    """A lost or stolen device: every sign-in on it ends, and its id never signs in again."""
    if device.revoked_at is None:
        device.revoked_at, device.revoke_reason = now, (reason or "").strip()[:200]
    db.session.flush()
    return end_where(SignIn.device_id == device.id, SignInEnd.DEVICE_REVOKED, now)


def account_named(username):
    """The account ``username`` names, or UnknownAccount."""
    account = find_account(username)
    if account is None:
        raise UnknownAccount(username=username)
    return account


def device_named(device_id):
    """The device of that id, or UnknownDevice."""
    device = db.session.get(Device, (device_id or "").strip())
    if device is None:
        raise UnknownDevice(device=device_id)
    return device
