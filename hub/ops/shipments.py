"""Shipments a network's system announces to its shops, and changes its mind about before they arrive."""
from sqlalchemy import select

from ..core.extensions import db
from ..core.models import Parcel, Shop
from ..rules.dropoff import normalise_tracking_id
from ..rules.errors import DomainError, N_
from ..rules.parcels import Action
from . import documents, record
from . import shop as shop_ops

COMPARED = ("shop_id", "recipient_name", "recipient_email", "recipient_phone", "size", "description", "expected_on")


class UnknownShop(DomainError):
    status = 404
    message = N_("There is no shop %(shop_id)s in your network.")


class UnknownParcel(DomainError):
    status = 404
    message = N_("There is no parcel %(tracking_id)s in your network.")


class TrackingIdTaken(shop_ops.TrackingIdTaken):
    """The same tracking ID announced again with other contents: the answer carries the parcel that exists."""

    def __init__(self, existing):
        super().__init__(tracking_id=existing.tracking_id)
        self.existing = documents.parcel_doc(existing)


def shop_of(network, shop_id):
    """One of the network's shops; any other (unknown, or another network's) is unknown to it."""
    shop = db.session.get(Shop, shop_id) if isinstance(shop_id, int) and 0 < shop_id < 2**31 else None
    if shop is None or network not in shop.networks:
        raise UnknownShop(shop_id=shop_id)
    return shop


def parcel_of(network, tracking_id):
    """One of the network's parcels, by its tracking ID as written on the label."""
    parcel = db.session.scalar(select(Parcel).where(Parcel.network_id == network.id,
                                                    Parcel.tracking_id == normalise_tracking_id(tracking_id)[:64]))
    if parcel is None:
        raise UnknownParcel(tracking_id=tracking_id[:64])
    return parcel


def announce(network, item, actor):
    """A parcel on its way to a shop: ``(parcel, created)``. The same announcement again changes nothing; the
    same tracking ID with other contents is refused with the parcel that exists."""
    shop = shop_of(network, item["shop_id"])
    try:
        existing = parcel_of(network, item["tracking_id"])
    except UnknownParcel:
        existing = None
    if existing is not None:
        return _same_again(existing, shop, item), False
    parcel = shop_ops.send_expected(
        shop, network, actor, tracking_id=item["tracking_id"], recipient_name=item.get("recipient_name", ""),
        recipient_email=item.get("recipient_email") or "", recipient_phone=item.get("recipient_phone") or "",
        size=item.get("size") or "small", description=item.get("description") or "",
        expected_on=item.get("expected_on"))
    return parcel, True


def _same_again(existing, shop, item):
    wanted = dict(shop_id=shop.id, recipient_name=(item.get("recipient_name") or "").strip(),
                  recipient_email=(item.get("recipient_email") or "").strip(),
                  recipient_phone=shop_ops.mobile(item.get("recipient_phone")), size=item.get("size") or "small",
                  description=(item.get("description") or "").strip(), expected_on=item.get("expected_on"))
    if any(getattr(existing, field) != wanted[field] for field in COMPARED):
        raise TrackingIdTaken(existing)
    return existing


def cancel(parcel, actor):
    """The parcel will not come: only before it reaches the shop."""
    return record(parcel, Action.CANCEL, actor)


def redirect(parcel, shop, actor):
    """The parcel goes to another of the network's shops: only before it reaches the first one."""
    if shop.id == parcel.shop_id:
        return parcel
    shop_ops.check_can_accept(shop)
    before = parcel.shop.name
    parcel.shop = shop
    record(parcel, Action.REDIRECT, actor, note=f"{before} → {shop.name}"[:300])
    return parcel
