"""Accounts, sign-ins and devices: accounts made (with a one-time link to set their password), signing in
and out, a password change, a deactivation, a device revoked.

Each ends the sign-ins it concerns (hub/rules/accounts.py), so every copy of their cookies and every
offline replay token they gave stops working at once. Like every operation, these flush and never commit.
"""
import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.extensions import db
from ..core.models import Account, Device, LinkKind, OneTimeLink, Role, SignIn, SignInEnd
from ..rules import passwords
from ..rules.errors import Conflict, DomainError, N_
from ..rules.text import plain_text
from . import pins
from .shop import email_address

# An invitation waits for someone who may read it the next day; a reset is asked for by who uses it now.
LINK_LIFETIME = {LinkKind.INVITATION: timedelta(hours=48), LinkKind.RESET: timedelta(hours=1)}


class UnknownLink(DomainError):
    status = 404
    message = N_("This link is not valid. Ask your network for a new one.")


class LinkExpired(DomainError):
    status = 410
    message = N_("This link has expired. Ask your network for a new one.")


class LinkUsed(DomainError):
    status = 410
    message = N_("This link has already been used. Ask your network for a new one if you need it.")


class PasswordsDiffer(DomainError):
    message = N_("The two passwords are not the same.")


class AccountTaken(Conflict):
    message = N_("An account already uses « %(value)s ».")


class MissingName(DomainError):
    message = N_("A username and a name are needed.")


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
    account.last_sign_in_at = now
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
    passwords.check(password, account.username)
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
    pins.forget_device(device)
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


def _taken(username, email):
    """The username or e-mail address (lowercase) another account already has as either, or None."""
    for value in filter(None, (username, email)):
        if db.session.scalar(select(Account.id).where(
                or_(func.lower(Account.username) == value, Account.email == value)).limit(1)):
            return value
    return None


def create_account(username, display_name, role, *, email=None, shop=None, network=None, networks=()):
    """A new account with no password yet (its one-time link sets one). Username and e-mail are unique,
    case aside; an operator's username is its e-mail address."""
    username, email = plain_text(username, 80).lower(), (email or "").strip().lower() or None
    display_name = plain_text(display_name, 120)
    if not username or not display_name:
        raise MissingName()
    for address in filter(None, (email, username if role == Role.OPERATOR else None)):
        email_address(address)
    taken = _taken(username, email)
    if taken:
        raise AccountTaken(value=taken)
    # "!" is no hash at all: nothing signs in with this account before its link sets a password.
    account = Account(username=username, email=email, display_name=display_name, role=role, shop=shop,
                      network=network, operated_networks=list(networks), password_hash="!")
    db.session.add(account)
    db.session.flush()
    return account


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(account, kind, now):
    """A one-time link to set the account's password: returns (row, token). Only the token's digest is
    kept; the token itself is shown once."""
    token = secrets.token_urlsafe(32)
    row = OneTimeLink(digest=_digest(token), kind=kind, account=account, created_at=now,
                      expires_at=now + LINK_LIFETIME[kind])
    db.session.add(row)
    db.session.flush()
    return row, token


def link_for(token, now):
    """The link ``token`` opens, still usable at ``now``; else why not."""
    row = db.session.scalar(select(OneTimeLink).where(OneTimeLink.digest == _digest(token or "")))
    if row is None:
        raise UnknownLink()
    if row.used_at is not None:
        raise LinkUsed()
    if now >= row.expires_at or not row.account.active:
        raise LinkExpired()
    return row


def use_link(token, password, confirmation, now):
    """Set the password through a one-time link: the link is used up, and every other sign-in of the
    account ends."""
    row = link_for(token, now)
    if password != confirmation:
        raise PasswordsDiffer()
    set_password(row.account, password, now)
    # Used up only if still unused: of two submissions at once, the second finds it used and changes nothing.
    claimed = db.session.execute(update(OneTimeLink).where(OneTimeLink.id == row.id, OneTimeLink.used_at.is_(None))
                                 .values(used_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise LinkUsed()
    return row.account
