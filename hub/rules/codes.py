"""Codes: the shop's rotating 6-digit code (RFC 6238) and the customer's pickup code.

The shop code is a TOTP: SHA-1, 6 digits, a 30-second step. A code is accepted when it
matches one of the steps from ``SHOP_CODE_PAST_STEPS`` before to one step after the instant
the carrier read it, so a carrier gets about a minute and a half, and a scan queued offline
is checked against the time it was made, not the time it arrived.
"""
import secrets
from datetime import timedelta

import pyotp

from .errors import DomainError, N_, WrongCode

SHOP_CODE_STEP = 30
SHOP_CODE_PAST_STEPS = 2
SHOP_CODE_FUTURE_STEPS = 1
# A device's clock and a queued scan's stamp are believed this far back, no further.
MAX_SCAN_DELAY = timedelta(days=7)


def new_shop_secret():
    return pyotp.random_base32()


def shop_code(secret, at):
    """The shop's code at instant ``at``."""
    return pyotp.TOTP(secret, interval=SHOP_CODE_STEP).at(at)


class StaleCode(WrongCode):
    message = N_("This shop code has expired. Ask the shop to show its current code.")


class ImplausibleScanTime(DomainError):
    message = N_("The time of this scan is not believable. Check the device's clock.")


def check_shop_code(secret, code, scanned_at, received_at):
    """Raise unless ``code`` was the shop's code when it was scanned."""
    if scanned_at > received_at + timedelta(minutes=5) or received_at - scanned_at > MAX_SCAN_DELAY:
        raise ImplausibleScanTime()
    code = (code or "").strip()
    # isdigit() alone lets other scripts' digits through, which compare_digest cannot compare.
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        raise WrongCode()
    totp = pyotp.TOTP(secret, interval=SHOP_CODE_STEP)
    for step in range(-SHOP_CODE_PAST_STEPS, SHOP_CODE_FUTURE_STEPS + 1):
        if secrets.compare_digest(totp.at(scanned_at, counter_offset=step), code):
            return
    for step in range(-20, -SHOP_CODE_PAST_STEPS):
        if secrets.compare_digest(totp.at(scanned_at, counter_offset=step), code):
            raise StaleCode()
    raise WrongCode()


def new_pickup_code(taken, rng=secrets.SystemRandom()):
    """A 6-digit code not in ``taken`` (the shop's active pickup codes)."""
    for _ in range(1000):
        code = f"{rng.randrange(10**6):06d}"
        if code not in taken:
            return code
    raise RuntimeError("no free pickup code")  # a shop with ~a million active pickups


def new_token():
    """An unguessable token for a customer's notice URL and barcode."""
    return secrets.token_urlsafe(18)
