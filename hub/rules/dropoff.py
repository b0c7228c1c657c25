"""Drop-off: what a label scanned during a carrier's visit means, shelf places, capacity.

Shelf places group parcels that expire on the same day: the letter is the weekday of the last
pickup day (A = Monday … G = Sunday), the number the next free slot under that letter. When the
carrier comes for returns, the parcels due back together sit together.
"""
import string
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from .enums import TitledEnum
from .errors import Conflict, DomainError, N_
from .parcels import State

SHELF_LETTERS = "ABCDEFG"
TRACKING_CHARACTERS = frozenset(string.ascii_uppercase + string.digits)


class ScanOutcome(TitledEnum):
    """What a label scanned during a delivery did."""

    RECEIVED = "received", N_("received")
    ALREADY_HERE = "already_here", N_("already here")


class VisitKind(TitledEnum):
    """Why a carrier is at the counter."""

    DROPOFF = "dropoff", N_("delivery")
    RETURN = "return", N_("returns pick-up")


class VisitMode(TitledEnum):
    """Who scans: the network's carrier in their app, or the associate for another driver (« Autre »)."""

    CARRIER = "carrier", N_("carrier")
    OTHER = "other", N_("other carrier")


class VisitEnd(TitledEnum):
    """How a visit ended."""

    FINISHED = "finished", N_("finished")  # « Terminer »
    # No scan for a while: the server's guess, which a late scan from the visit's own device can prove wrong.
    IDLE = "idle", N_("left idle")
    REPLACED = "replaced", N_("replaced by another")  # the account opened another visit


class OtherCarrierNotAllowed(DomainError):
    message = N_("%(network)s does not let shops scan in another driver's parcels: ask the driver to use the "
                 "network's carrier app.")


class UnknownParcel(DomainError):
    message = N_("Unknown parcel %(tracking_id)s: it is not expected in this network. Keep it with you.")


class ParcelForAnotherShop(DomainError):
    message = N_("Parcel %(tracking_id)s is expected at another shop: %(shop)s. Keep it with you.")


# The associate scans in the parcels of another carrier's driver (« Autre »): a parcel that is not theirs to
# keep goes back to the driver, who is standing there; the carrier's own words would tell them to keep it. The
# associate is not told which shop expects it: one shop never learns where another's customers collect.
class UnknownParcelForDriver(UnknownParcel):
    message = N_("Unknown parcel %(tracking_id)s: it is not expected in this network. Do not keep it: hand it "
                 "back to the driver.")


class ParcelNotForThisShop(DomainError):
    message = N_("Parcel %(tracking_id)s is not for this shop. Do not keep it: hand it back to the driver.")


class ParcelNotExpected(Conflict):
    message = N_("Parcel %(tracking_id)s cannot be received here: it is %(state)s.")


class VisitClosed(Conflict):
    message = N_("This delivery is finished. Start a new one to scan more parcels.")


class NotThisVisitsParcel(Conflict):
    message = N_("Parcel %(tracking_id)s was not received during this delivery: it cannot be refused now.")


# A visit nobody scans in for this long is over: the carrier has left the counter.
VISIT_IDLE_LIMIT = timedelta(minutes=45)


def visit_timed_out(last_activity, now):
    """True when a visit has seen no scan for VISIT_IDLE_LIMIT."""
    return now - last_activity >= VISIT_IDLE_LIMIT


def may_refuse(state, received_in_this_visit):
    """« Refuser — colis endommagé »: an expected parcel, or one this very visit received; never a
    parcel that was already on the shelf."""
    if state == State.EXPECTED:
        return True
    return state in (State.AT_STORE, State.REFUSED_AT_DROPOFF) and received_in_this_visit


@dataclass(frozen=True)
class Label:
    """What the rules need to know of the parcel a label names."""

    tracking_id: str
    shop_id: int
    shop_name: str
    state: State


# What people and scanners put between a label's characters: white space (a scanner may send a GS1 group
# separator, which Python counts as white space), dashes, dots, slashes and underscores.
TRACKING_SEPARATORS = frozenset("-./_")
MAX_TRACKING_ID = 64  # the column's width


class NotATrackingId(DomainError):
    message = N_("This is not a tracking ID: a label holds only the letters A to Z and digits, at most 64 of them.")


def read_tracking_id(raw):
    """The tracking ID a scanned label or a typed text holds, upper-cased, without its separators; "" when
    nothing was given. Anything else left (another script's letters or digits, a control character, more
    than 64 characters) is no tracking ID: NotATrackingId, never a part of it kept. The device applies the
    same rule offline (static/worker/rules.js ``trackingId``)."""
    kept = "".join(ch for ch in (raw or "") if not (ch.isspace() or ch in TRACKING_SEPARATORS))
    if not kept:
        return ""
    if len(kept) > MAX_TRACKING_ID or not all(ch.upper() in TRACKING_CHARACTERS and ch.isascii() for ch in kept):
        raise NotATrackingId()
    return kept.upper()


def normalise_tracking_id(raw):
    """A search for a tracking ID or a part of one: only its ASCII letters and digits count, without case
    (a search is never refused; what is scanned or typed as a label is read by ``read_tracking_id``)."""
    return "".join(ch for ch in (raw or "").upper() if ch in TRACKING_CHARACTERS)


def judge_scan(label: Optional[Label], tracking_id, visit_shop_id, by_associate=False):
    """What a drop-off scan at ``visit_shop_id`` does with ``label`` (None: no such parcel).

    The refusals speak to the carrier, whose round it is (a parcel for another shop names that shop), or to
    the associate who scans in for another carrier's driver (``by_associate``), who learns only that the
    parcel is not for this shop and goes back to the driver."""
    if label is None:
        raise (UnknownParcelForDriver if by_associate else UnknownParcel)(tracking_id=tracking_id)
    if label.shop_id != visit_shop_id:
        if by_associate:
            raise ParcelNotForThisShop(tracking_id=label.tracking_id)
        raise ParcelForAnotherShop(tracking_id=label.tracking_id, shop=label.shop_name)
    if label.state == State.EXPECTED:
        return ScanOutcome.RECEIVED
    if label.state in (State.AT_STORE, State.EXPIRED, State.TO_RETURN, State.NOT_FOUND):
        return ScanOutcome.ALREADY_HERE
    raise ParcelNotExpected(tracking_id=label.tracking_id, state=label.state.title)


def shelf_letter(last_day):
    return SHELF_LETTERS[last_day.weekday()]


def suggest_shelf_place(last_day, taken):
    """The first free slot under the letter of ``last_day``, e.g. « C-04 »; ``taken`` are places in use."""
    letter = shelf_letter(last_day)
    slot = 1
    while f"{letter}-{slot:02d}" in taken:
        slot += 1
    return f"{letter}-{slot:02d}"


def over_capacity(load, capacity):
    """True once the shop holds more parcels than agreed."""
    return load > capacity
