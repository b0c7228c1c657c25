"""Customer pickup: which parcels a customer's turn at the counter shows, what « Terminé » means,
and how many wrong pickup codes a counter may type.

A turn starts when the associate opens a pickup with its code or its notice's barcode. During the
turn each parcel of the pickup is either still waiting, or handled (handed over, not found, rejected),
or gone: no longer in the shop (taken back by the carrier, already handed over at an earlier turn,
marked missing, refused at drop-off). A parcel that has expired or is staged for return is still
waiting: the customer may take it until the carrier has it (seed FAQ).

« Terminé » ends the turn. The pickup keeps its code while a parcel waits under it: one left for
later or not found this time. A parcel the customer rejected waits for the carrier, not for the
customer, so it no longer holds the code; once nothing holds it, the code is free for another pickup.

Guessing limit. A pickup code is 6 digits, so a shop with 20 active pickups has 20 right codes in a
million. A device may type at most ``DEVICE_LIMIT`` = 10 wrong codes in any ``WINDOW`` of 15 minutes,
and all the devices of a shop together at most ``SHOP_LIMIT`` = 30 (a device id is only a cookie, so a
guesser could shed it; the shop's ceiling still holds). Reaching a limit locks until the oldest
failure counted leaves the window. An associate who mistypes a few times never meets the limit. A
sweep is held to 2,880 guesses a day, about one chance in 17 a day of hitting one of 20 codes, while
the shop's counter stays locked all that time and every failure is recorded: nobody misses it. One
device alone cannot lock its shop: its own limit stops it at 10.
"""
import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from .codes import MAX_SCAN_DELAY
from .enums import TitledEnum
from .errors import DomainError, N_
from .parcels import COLLECTABLE, Action, State

WINDOW = timedelta(minutes=15)
DEVICE_LIMIT = 10
SHOP_LIMIT = 30
# Wrong codes left before a lock that are worth a warning.
WARN_WHEN_LEFT = 3
CODE_LENGTH = 6
# A pickup screen opened with the code serves one customer's turn; after this, open it again with the code.
TURN_LIFETIME = timedelta(hours=4)
# A pickup screen synced to a device for offline use: its scans may wait as long as a queued scan may.
OFFLINE_TURN_LIFETIME = MAX_SCAN_DELAY + TURN_LIFETIME


class TurnOutcome(TitledEnum):
    """What became of a parcel during the customer's turn."""

    WAITING = "waiting", N_("to hand over")
    HANDED_OVER = "handed_over", N_("handed over")
    NOT_FOUND = "not_found", N_("not found")
    REJECTED = "rejected", N_("rejected")
    GONE = "gone", N_("no longer here")

OUTCOME_OF_ACTION = {
    Action.HAND_TO_CUSTOMER: TurnOutcome.HANDED_OVER,
    Action.MARK_NOT_FOUND: TurnOutcome.NOT_FOUND,
    Action.REJECT: TurnOutcome.REJECTED,
}

# Why a parcel of the pickup can no longer be handed over.
GONE_BECAUSE = {
    State.RETURNED: N_("Already taken back by the carrier: it can no longer be handed over."),
    State.COLLECTED: N_("Already handed over to the customer."),
    State.MISSING: N_("Marked missing: it can no longer be handed over."),
    State.REFUSED_AT_DROPOFF: N_("Refused at drop-off: it never reached the shop."),
    State.EXPECTED: N_("Not delivered to the shop yet."),
}


@dataclass(frozen=True)
class Handling:
    """What the rules need to know of a parcel: its state, its latest action, and whether this turn made it."""

    state: State
    last_action: Optional[Action] = None
    this_turn: bool = False


def outcome(h: Handling):
    """What became of the parcel during this turn."""
    if h.this_turn and h.last_action in OUTCOME_OF_ACTION:
        return OUTCOME_OF_ACTION[h.last_action]
    return TurnOutcome.WAITING if h.state in COLLECTABLE else TurnOutcome.GONE


def handleable(h: Handling):
    """True when the associate may still hand the parcel over, reject it or mark it not found.

    A parcel this turn already dealt with offers no options (a tap on « Impossible à trouver » must not
    undo a rejection); a customer who changes their mind still gets it by a scan of its label.
    """
    return h.state in COLLECTABLE and outcome(h) == TurnOutcome.WAITING


def holds_code(h: Handling):
    """True while the parcel waits for this customer under the pickup's code."""
    return h.state in COLLECTABLE and h.last_action != Action.REJECT


def gone_because(h: Handling):
    """The msgid saying why a parcel that is gone cannot be handed over (None if it is not gone)."""
    return GONE_BECAUSE.get(h.state) if outcome(h) == TurnOutcome.GONE else None


@dataclass(frozen=True)
class Summary:
    """« Terminé »: what the turn did, and whether the pickup keeps its code."""

    handed_over: tuple
    not_found: tuple
    rejected: tuple
    left: tuple
    keeps_code: bool


def summarise(parcels):
    """``parcels``: (key, Handling) pairs. Keys are sorted into the summary's four lists."""
    groups = {o: [] for o in TurnOutcome}
    for key, h in parcels:
        groups[outcome(h)].append(key)
    return Summary(
        handed_over=tuple(groups[TurnOutcome.HANDED_OVER]),
        not_found=tuple(groups[TurnOutcome.NOT_FOUND]),
        rejected=tuple(groups[TurnOutcome.REJECTED]),
        left=tuple(key for key, h in parcels if outcome(h) == TurnOutcome.WAITING and holds_code(h)),
        keeps_code=any(holds_code(h) for _, h in parcels),
    )


def customer_key(email, name):
    """Who a pickup is for, as the shop's active pickups are kept apart: by e-mail address, else by name,
    without case. The database allows one active pickup per key and shop, so two parcels of one new
    customer arriving at the same moment cannot make two pickups (two codes, two notices)."""
    return "email:" + email.strip().lower() if (email or "").strip() else "name:" + (name or "").strip().lower()


def normalise_entry(raw):
    """What was scanned or typed at the start screen, without the spaces a person or a scanner adds."""
    return "".join((raw or "").split())


def entry_digest(key, shop_id, entry):
    """The keyed hash of what was scanned or typed at a pickup's start, as the device computes it offline:
    the offline bundle holds these, never a code in clear."""
    return hmac.new(key, f"{shop_id}:{entry}".encode(), hashlib.sha256).hexdigest()


def looks_like_code(entry):
    """Six ASCII digits are a pickup code; anything else may be a notice's barcode (its token).

    isdigit() alone would take other scripts' digits (« ١٢٣٤٥٦ », « １２３４５６ ») for a code, as the
    device does not."""
    return len(entry) == CODE_LENGTH and entry.isascii() and entry.isdigit()


def turn_expired(opened_at, when, lifetime=TURN_LIFETIME):
    """True when a pickup screen opened at ``opened_at`` may no longer act at ``when``."""
    return when - opened_at > lifetime


def recent_failures(failures, now):
    """The wrong codes that still count at ``now``: those of the last WINDOW."""
    return [at for at in failures if now - WINDOW < at <= now]


def _lock(failures, limit, now):
    recent = sorted(recent_failures(failures, now))
    if len(recent) < limit:
        return None
    return recent[-limit] + WINDOW


def locked_until(device_failures, shop_failures, now):
    """When wrong codes may be typed again (None: they may now), from the recent failures' times."""
    locks = [lock for lock in (_lock(device_failures, DEVICE_LIMIT, now), _lock(shop_failures, SHOP_LIMIT, now))
             if lock is not None]
    return max(locks, default=None)


def attempts_left(device_failures, now):
    """Wrong codes this device may still type before it is locked."""
    return max(0, DEVICE_LIMIT - len(recent_failures(device_failures, now)))


def seconds_left(until, now):
    """Whole seconds until ``until`` (a countdown never shows 0 while still locked)."""
    return max(0, math.ceil((until - now).total_seconds()))


class TurnExpired(DomainError):
    status = 409
    message = N_("This pickup screen has expired. Scan the customer’s notice or enter their code again.")


class TooManyWrongCodes(DomainError):
    status = 429
    message = N_("Too many wrong codes. Wait until the countdown ends, then try again.")


class ParcelOfAnotherCustomer(DomainError):
    message = N_("Parcel %(tracking_id)s belongs to another customer. Do not hand it over.")


class NotThisCustomersParcel(DomainError):
    message = N_("%(tracking_id)s is not one of this customer’s parcels. Do not hand it over.")


@dataclass(frozen=True)
class LabelOwner:
    """Where the parcel a label names belongs."""

    shop_id: int
    pickup_id: Optional[int]


def judge_label(owner: Optional[LabelOwner], tracking_id, shop_id, pickup_id):
    """Refuse a label that is not one of this pickup's parcels; say whose it is only within the shop."""
    if owner is None or owner.shop_id != shop_id:
        raise NotThisCustomersParcel(tracking_id=tracking_id)
    if owner.pickup_id != pickup_id:
        raise ParcelOfAnotherCustomer(tracking_id=tracking_id)
