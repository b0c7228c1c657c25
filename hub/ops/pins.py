"""Personal PINs and the shared counter: a PIN set, the associates a device knows, and a switch of who is at
the counter within the device's open sign-in (hub/rules/pins.py says what a PIN is and when it locks).

A switch never ends the sign-in: the device's offline replay token names the sign-in, and the steps queued
on the device must still reach the server. Like every operation, these flush and never commit.
"""
import secrets

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..core import signins
from ..core.extensions import db
from ..core.models import Account, Device, DeviceAssociate, Role, ShopChange
from ..rules import pins as rules
from ..rules.errors import DomainError, N_
from .shop import set_number


class PasswordFirst(DomainError):
    message = N_("To change your PIN, sign in with your password on this device.")


class PasswordToReplace(DomainError):
    message = N_("Wrong password: your PIN has not changed.")


class NotKnownHere(DomainError):
    status = 404
    message = N_("This associate has not signed in on this device with their password yet.")


def remember(device, account, now):
    """A password sign-in on ``device``: its associate is known there from now on, and their PIN, if it
    was locked, works again (the password proved who they are)."""
    account.pin_failures = 0
    if account.role != Role.ASSOCIATE or db.session.get(DeviceAssociate, (device.id, account.id)):
        return
    db.session.add(DeviceAssociate(device_id=device.id, account_id=account.id, first_seen_at=now))
    db.session.flush()


def _device_key(device, account, pin):
    """The PIN's keyed hash for ``device``, made with its secret (made now if it has none)."""
    if device.pin_secret is None:
        device.pin_secret = secrets.token_hex(32)
    return rules.keyed_hash(pin, device.pin_secret, account.id)


def _note_on_device(device, account, pin):
    """The server saw ``pin`` typed on ``device``: keep its keyed hash there, for the device to check offline."""
    known = db.session.get(DeviceAssociate, (device.id, account.id))
    if known is not None:
        known.pin_key = _device_key(device, account, pin)


def set_pin(account, pin, confirmation, device, sign_in, password=None):
    """A new personal PIN (asked twice), set by the associate who signed in with their password (a PIN
    alone does not change a PIN). One that replaces a PIN asks for the password again: a colleague who finds
    the counter still in someone's name must not choose that person's PIN. The keyed hashes other devices
    hold of the old one are dropped: they get the new one when it is next typed there."""
    if sign_in.account_id != account.id:
        raise PasswordFirst()
    rules.check_new(pin, confirmation)
    if account.pin_hash is not None and not account.check_password(password or ""):
        raise PasswordToReplace()
    account.pin_hash, account.pin_failures = generate_password_hash(pin), 0
    for known in db.session.scalars(select(DeviceAssociate).where(DeviceAssociate.account_id == account.id)):
        known.pin_key = None
    _note_on_device(device, account, pin)
    db.session.flush()


def device_keys(device_id, shop_id):
    """(associate, keyed hash or None) for each active associate of ``shop_id`` known on this device whose
    PIN is not locked: what the device may check offline."""
    rows = db.session.execute(
        select(Account, DeviceAssociate.pin_key).join(DeviceAssociate, DeviceAssociate.account_id == Account.id)
        .where(DeviceAssociate.device_id == device_id, Account.shop_id == shop_id, Account.active,
               Account.role == Role.ASSOCIATE)
        .order_by(Account.display_name)).all()
    return [(account, key if account.pin_hash and not rules.locked(account.pin_failures) else None)
            for account, key in rows]


def known_on(device_id, shop_id):
    """The active associates of ``shop_id`` who signed in on this device, by name."""
    return [account for account, _key in device_keys(device_id, shop_id)]


def known_associate(device_id, shop_id, account_id):
    """The associate ``account_id`` names when known on this device, of ``shop_id`` and active; else
    NotKnownHere."""
    account = signins.known_associate(device_id, shop_id, account_id)
    if account is None:
        raise NotKnownHere()
    return account


def check_pin(account, pin):
    """Check ``account``'s PIN: a wrong one counts towards the lock (kept even though the request is refused:
    the view commits it) and is refused with the tries left; a locked PIN is refused whatever is typed."""
    if account.pin_hash is None:
        raise rules.NoPin(name=account.display_name)
    if rules.locked(account.pin_failures):
        raise rules.PinLocked()
    if not check_password_hash(account.pin_hash, pin or ""):
        account.pin_failures += 1
        db.session.flush()
        raise rules.refusal(account.pin_failures)
    account.pin_failures = 0


def switch(sign_in, account, pin):
    """``account`` takes the device's counter over with their PIN: the sign-in stays open (its replay token
    with it) and acts as them from now on."""
    check_pin(account, pin)
    sign_in.acting = None if account.id == sign_in.account_id else account
    _note_on_device(db.session.get(Device, sign_in.device_id), account, pin)
    db.session.flush()
    return account


def set_idle_minutes(shop, raw, actor):
    """How many minutes without activity before a counter device asks who is at it."""
    return set_number(shop, "idle_minutes", rules.idle_minutes(raw), ShopChange.IDLE_MINUTES, actor)


def forget_device(device):
    """A revoked device: its secret and the keyed hashes made for it are dropped, so no bundle carries them
    again."""
    device.pin_secret = None
    for known in db.session.scalars(select(DeviceAssociate).where(DeviceAssociate.device_id == device.id)):
        known.pin_key = None
