"""A customer's turn at the counter, named by a signed ticket in the pickup screen's address.

The ticket holds the pickup and the instant its code was entered, so the screen is reached only through
the code (or the notice's barcode), and the turn knows which parcels it handled, for the summary. The
offline bundle hands the device one ticket per active pickup, marked as such: it lives as long as a
queued scan may wait.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import joinedload

from ..core.extensions import db
from ..core.models import Pickup
from ..rules import pickup as rules

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Turn:
    """One customer's turn at the counter: the pickup, and when its code was entered."""

    ticket: str
    pickup: Pickup
    opened_at: datetime


def _signer():
    return URLSafeSerializer(current_app.secret_key, salt="pickup-turn")


def ticket_for(pickup, now, offline=False):
    """The ticket of a turn opened at ``now`` (to the microsecond: a turn opened right after another must
    not claim the other's events)."""
    return _signer().dumps([pickup.id, (now - EPOCH) // MICROSECOND] + ([1] if offline else []))


def turn_of(pickup, now, offline=False):
    """A new turn for ``pickup``, opened at ``now``."""
    return Turn(ticket_for(pickup, now, offline), pickup, now)


def load_turn(ticket, shop_id, when):
    """The turn ``ticket`` names at this shop, or None (a forged ticket, another shop's pickup).

    Raises TurnExpired when the turn is over at ``when``."""
    try:
        pickup_id, stamp, *offline = _signer().loads(ticket)
    except (BadSignature, ValueError, TypeError):
        return None
    # With its parcels, in one statement: every step of the turn reads them.
    pickup = db.session.get(Pickup, pickup_id, options=[joinedload(Pickup.parcels)]) if isinstance(pickup_id, int) else None
    if pickup is None or pickup.shop_id != shop_id:
        return None
    turn = Turn(ticket, pickup, EPOCH + stamp * MICROSECOND)
    if rules.turn_expired(turn.opened_at, when, rules.OFFLINE_TURN_LIFETIME if offline else rules.TURN_LIFETIME):
        raise rules.TurnExpired()
    return turn
