"""Personal PINs on a shared counter: their form, the lock after wrong ones, the keyed hash a device checks
offline, and when an unused counter asks who is at it.

Plain Python: no Flask, no database; time comes as an argument.
"""
import hashlib
from datetime import timedelta

from .errors import DomainError, N_
from .text import whole_number

MIN_LENGTH, MAX_LENGTH = 4, 6
MAX_FAILURES = 5
# PBKDF2-SHA256 rounds of the keyed hash a device gets: a PIN has at most a million values, so each guess
# must cost the holder of a stolen device's storage as much as a cheap phone can bear to check one PIN.
ITERATIONS = 200_000
IDLE_DEFAULT, IDLE_MIN, IDLE_MAX = 10, 1, 120


class BadPin(DomainError):
    message = N_("A PIN is %(min)d to %(max)d digits, and digits only.")


class PinsDiffer(DomainError):
    message = N_("The two PINs are not the same.")


class WrongPin(DomainError):
    message = N_("Wrong PIN. Tries left before it locks: %(left)d.")


class PinLocked(DomainError):
    message = N_("PIN locked: sign in with your password.")


class NoPin(DomainError):
    message = N_("%(name)s has no personal PIN yet: they sign in with their password and set one.")


class BadIdleMinutes(DomainError):
    message = N_("The delay is a whole number of minutes from %(min)d to %(max)d.")


def check_format(pin):
    """``pin`` when it is 4 to 6 ASCII digits, else BadPin."""
    pin = pin or ""
    if not (MIN_LENGTH <= len(pin) <= MAX_LENGTH and pin.isascii() and pin.isdigit()):
        raise BadPin(min=MIN_LENGTH, max=MAX_LENGTH)
    return pin


def check_new(pin, confirmation):
    """A new PIN, asked twice: well formed, and the same both times."""
    check_format(pin)
    if pin != confirmation:
        raise PinsDiffer()
    return pin


def locked(failures):
    """True once ``failures`` wrong PINs in a row lock it."""
    return failures >= MAX_FAILURES


def refusal(failures):
    """What a wrong PIN answers after ``failures`` wrong ones in a row (this one counted)."""
    if locked(failures):
        return PinLocked()
    return WrongPin(left=MAX_FAILURES - failures)


def keyed_hash(pin, secret, account_id):
    """The PIN's keyed hash for one device (hex): PBKDF2-SHA256 of the PIN, salted with the device's secret
    and the account, so it is worth nothing on another device nor for another associate. The device
    computes the same with WebCrypto (static/counter.js)."""
    salt = f"{secret}:{account_id}".encode()
    return hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, ITERATIONS).hex()


def idle_minutes(raw):
    """The shop's idle delay as typed: a whole number of minutes from 1 to 120."""
    return whole_number(raw, IDLE_MIN, IDLE_MAX, BadIdleMinutes)


def idle(last_active, now, minutes):
    """True when a counter unused since ``last_active`` must ask who is at it at ``now``."""
    return now - last_active >= timedelta(minutes=minutes)
