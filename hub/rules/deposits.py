"""« Dépôt d'un client »: a customer brings a parcel to send or to return; the shop keeps it for the carrier.

The network announces each drop-off with a code (shown to the customer as a QR code) and the tracking ID of the
label, printed by the customer or, for a label-less return, by the shop. Pure rules: what a scan names, whether a
code may still be used, and the network's limits."""
import re
import secrets

from .enums import TitledEnum
from .errors import Conflict, DomainError, N_

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O nor 1/I: read aloud or typed, they are confused
CODE_LENGTH = 10  # 32^10 ≈ 10^15: no one finds a live code by trying (and wrong codes are rate-limited)
# Scans that name no drop-off, per device: a mistyping associate never meets the limit; someone trying tracking
# IDs one after another (a network's are often sequential) stops there (hub/views/deposit.py).
UNKNOWN_LIMIT = "30 per 15 minutes"
CODE_PREFIX = "DEP"
SHELF = "R"  # drop-offs wait on their own shelf, « R » as in « à remettre au livreur »
DEFAULT_VALID_DAYS = 14

_CODE = re.compile(rf"^{CODE_PREFIX}-?([{CODE_ALPHABET}]{{{CODE_LENGTH}}})$")


class DepositKind(TitledEnum):
    RETURN = "return", N_("return")
    SENDING = "sending", N_("prepaid sending")


class OverLimit(TitledEnum):
    """Why a parcel is refused at the counter: the network's limits, shown with their values."""

    TOO_HEAVY = "too_heavy", N_("too heavy")
    TOO_LONG = "too_long", N_("too long")


class DepositError(DomainError):
    """A refusal at the counter: the message says what to tell the customer."""


class UnknownDeposit(DepositError):
    status = 422  # answered on the counter's screen (htmx swaps a 422, not a 404)
    message = N_("This code is not a drop-off of this shop's networks. Ask the customer for the code in the "
                 "e-mail or app where they made their drop-off, or to make one.")


class TooManyUnknown(DepositError):
    status = 429
    message = N_("Too many codes that name no drop-off on this device. Wait up to %(minutes)d minutes, "
                 "then scan again.")


class DepositExpired(DepositError):
    message = N_("This drop-off code expired on %(day)s. The customer must make a new one with %(network)s.")


class AlreadyDeposited(Conflict):
    message = N_("Already deposited on %(when)s at %(shop)s: here is its receipt again.")


class DepositedElsewhere(Conflict):
    message = N_("Already deposited on %(when)s at %(shop)s.")


class RefusedBefore(Conflict):
    message = N_("This parcel was refused on %(when)s: %(reason)s.")


class IsAPickup(DepositError):
    message = N_("%(tracking_id)s is a parcel waiting here for its customer: it is a pickup, not a drop-off. "
                 "Open « Customer pickup » with the customer's code.")


class OtherNetwork(DepositError):
    message = N_("This drop-off is for %(network)s, which this shop does not serve. The customer must take it to "
                 "a shop of %(network)s.")


class NoDropOffHere(DepositError):
    message = N_("This shop does not take customers' drop-offs. The customer can find another shop of the network.")


class ChooseAnAnswer(DepositError):
    message = N_("Choose the parcel's size, or why it is refused.")


class TooHeavy(DepositError):
    message = N_("Refused: the parcel weighs more than %(kg)d kg, the most the network takes. Tell the customer it "
                 "cannot be sent from a shop.")


class TooLong(DepositError):
    message = N_("Refused: one side of the parcel is longer than %(cm)d cm, the most the network takes. Tell the "
                 "customer it cannot be sent from a shop.")


class LabelTaken(Conflict):
    message = N_("The barcode %(label)s is already on another parcel. Stick a new one and scan it.")


class TrackingIdAnnounced(Conflict):
    message = N_("The drop-off %(tracking_id)s was announced before with other details.")


def new_code():
    """A drop-off code, e.g. « DEP-7KQ2M9XH4T »: random, unambiguous, typed without a dash too."""
    return CODE_PREFIX + "-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def read_code(text):
    """The code a scan or a typed entry names (« dep 7kq2-m9xh4t » included), or None when it is not one."""
    compact = re.sub(r"[\s\-]", "", (text or "").upper())
    if compact.startswith(CODE_PREFIX):
        match = _CODE.match(compact)
        return f"{CODE_PREFIX}-{match.group(1)}" if match else None
    return None


def over_limits(over, max_kg, max_cm):
    """The refusal for a parcel over the network's limits (``over`` an OverLimit), with the limit's value."""
    return TooHeavy(kg=max_kg) if OverLimit(over) == OverLimit.TOO_HEAVY else TooLong(cm=max_cm)


def shelf_place(taken):
    """The first free place on the drop-offs' shelf, e.g. « R-03 »."""
    slot = 1
    while f"{SHELF}-{slot:02d}" in taken:
        slot += 1
    return f"{SHELF}-{slot:02d}"


class DepositStatus(TitledEnum):
    """Where a drop-off is, as the back office filters them: announced, refused at a counter, or its parcel's
    state once a shop took it (the last three are the parcel's states of the same name)."""

    ANNOUNCED = "announced", N_("announced")
    REFUSED = "refused", N_("refused at the counter")
    DEPOSITED = "deposited", N_("to hand to the carrier")
    DISPATCHED = "dispatched", N_("taken by the carrier")
    MISSING = "missing", N_("missing")
