"""What a text scanned on a screen with no scan field is for a shop: a customer's notice, a customer's drop-off
code, one of the shop's parcels, or nothing it knows. Asked by static/scan.js, so that no scan at rest goes unanswered."""
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select

from ..core.extensions import db
from ..core.models import Parcel, Pickup, shop_networks
from ..rules import deposits as deposit_rules
from ..rules import pickup as pickup_rules
from ..rules.dropoff import normalise_tracking_id
from ..rules.errors import DomainError, N_
from . import pickup as pickup_ops


class NotUnderstood(DomainError):
    message = N_("Scan not recognised: it is neither a customer’s notice nor a parcel of this shop.")


@dataclass(frozen=True)
class Scanned:
    """What the text named: a pickup to open, a drop-off code (« DEP-… ») or a parcel of the shop (one of them)."""

    pickup: Optional[Pickup] = None
    parcel: Optional[Parcel] = None
    deposit_code: Optional[str] = None


def identify(shop_id, text, actor):
    """A notice's barcode (or a 6-digit code, under the guessing limit) opens its pickup; a label names the
    shop's parcel; a drop-off code is for « Dépôt d'un client », which finds it; anything else is NotUnderstood
    and, not being a code, costs no guess."""
    deposit_code = deposit_rules.read_code(text)
    if deposit_code:
        return Scanned(deposit_code=deposit_code)
    entry = pickup_rules.normalise_entry(text)[:pickup_ops.MAX_ENTRY]
    if pickup_rules.looks_like_code(entry):
        return Scanned(pickup=pickup_ops.open_pickup(shop_id, entry, actor))
    if entry:
        pickup = db.session.scalar(select(Pickup).where(Pickup.shop_id == shop_id, Pickup.token == entry))
        if pickup is not None:
            return Scanned(pickup=pickup)
        # By (network, tracking ID), the unique index: the look-up costs the same however many parcels the shop had.
        networks = select(shop_networks.c.network_id).where(shop_networks.c.shop_id == shop_id)
        parcel = db.session.scalar(select(Parcel).where(Parcel.network_id.in_(networks), Parcel.shop_id == shop_id,
                                                        Parcel.tracking_id == normalise_tracking_id(entry)).limit(1))
        if parcel is not None:
            return Scanned(parcel=parcel)
    raise NotUnderstood()
