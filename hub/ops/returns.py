"""Returns: expiring parcels, the return scan, « Impossible à trouver » + « OK », the carrier taking them."""
from sqlalchemy import func, select

from ..core.extensions import db
from ..core.models import Deposit, Parcel, ParcelEvent
from .queries import shop_hours
from ..rules import deadlines
from ..rules import returns as rules
from ..rules.dropoff import VisitKind, read_tracking_id
from ..rules.parcels import FOR_THE_CARRIER, TRANSITIONS, Action, State
from . import Actor, close_pickup_if_done, holds, record
from .dropoff import ensure_open


def expire_due(shop, now):
    """Record the expiry of every parcel whose hold is over, dated when it ended (found through the index on
    the shelf's expiry, never a sweep); the notice appears now, so the return scan is due 2 opening hours
    later. Returns how many."""
    due = db.session.scalars(
        select(Parcel).where(Parcel.shop_id == shop.id, Parcel.state == State.AT_STORE, Parcel.expires_at <= now)
        .order_by(Parcel.expires_at)
    ).all()
    for parcel in due:
        record(parcel, Action.EXPIRE, Actor(account_id=None, device_id=None, now=now, occurred_at=parcel.expires_at))
    shop.next_expiry_at = holds.next_expiry(shop)
    if due:
        ranges, closed = shop_hours(shop)
        holds.watch_task(shop, deadlines.return_scan_deadline(now, ranges, closed, shop.timezone))
    return len(due)


def waiting_scan(shop):
    """Expired parcels not yet scanned for return nor marked missing, by shelf place."""
    return db.session.scalars(
        select(Parcel).where(Parcel.shop_id == shop.id, Parcel.state == State.EXPIRED)
        .order_by(Parcel.shelf_place, Parcel.tracking_id)
    ).all()


def scan_deadline(shop, parcels=None):
    """When the waiting expired parcels must be scanned: 2 opening hours after their notice appeared.

    The notice appears when the server records the expiry (the shop's first look after the 7 days, or
    the ``flask expire`` task), so it is the recording time of each parcel's last expiry that counts.
    """
    parcels = waiting_scan(shop) if parcels is None else parcels
    if not parcels:
        return None
    noticed = db.session.scalars(
        select(func.max(ParcelEvent.recorded_at))
        .where(ParcelEvent.parcel_id.in_([p.id for p in parcels]), ParcelEvent.action == Action.EXPIRE)
        .group_by(ParcelEvent.parcel_id)
    ).all()
    ranges, closed = shop_hours(shop)
    return rules.scan_deadline(noticed, ranges, closed, shop.timezone)


def _in_shop(shop, tracking_id):
    tracking_id = read_tracking_id(tracking_id)
    parcel = db.session.scalar(select(Parcel).where(Parcel.shop_id == shop.id, Parcel.tracking_id == tracking_id))
    if parcel is None:  # a label-less drop-off is named by the shop's barcode stuck on it
        parcel = db.session.scalar(select(Parcel).join(Deposit, Deposit.parcel_id == Parcel.id)
                                   .where(Deposit.network_id.in_([n.id for n in shop.networks]),
                                          Deposit.shop_label == tracking_id, Parcel.shop_id == shop.id))
    if parcel is None:
        raise rules.NotInThisShop(tracking_id=tracking_id)
    return parcel


def stage(shop, tracking_id, actor):
    """An expired parcel scanned: it is ready for the carrier."""
    parcel = _in_shop(shop, tracking_id)
    if parcel.state == State.AT_STORE:
        raise rules.NotExpiredYet(tracking_id=parcel.tracking_id, day=parcel.last_pickup_day)
    return parcel, record(parcel, Action.STAGE_FOR_RETURN, actor)


def mark_missing(parcel, actor):
    """« Impossible à trouver » then « OK »: the expired parcel (or the customer's drop-off) is declared missing."""
    move = record(parcel, Action.MARK_MISSING, actor)
    close_pickup_if_done(parcel.pickup)
    return move


# The two groups the carrier's collection shows apart: parcels going back, and customers' drop-offs going out.
RETURNS, DEPOSITS = frozenset({State.TO_RETURN}), frozenset({State.DEPOSITED})


def _staged(shop, network_id, states=FOR_THE_CARRIER):
    query = select(Parcel).where(Parcel.shop_id == shop.id, Parcel.state.in_(states))
    return query if network_id is None else query.where(Parcel.network_id == network_id)


def to_hand_over(shop, network_id=None, limit=None, states=FOR_THE_CARRIER):
    """Parcels waiting for a carrier — staged for return (expired, or refused by their customer) and customers'
    drop-offs, or only those in ``states`` — (the first ``limit`` of them)."""
    return db.session.scalars(_staged(shop, network_id, states).order_by(Parcel.shelf_place, Parcel.tracking_id)
                              .limit(limit)).all()


def count_to_hand_over(shop, network_id=None, states=FOR_THE_CARRIER):
    """How many staged parcels wait for a carrier (of the network, when given; in ``states``, when given)."""
    return db.session.scalar(select(func.count()).select_from(_staged(shop, network_id, states).subquery()))


def groups_to_hand_over(shop, network_id=None, limit=None):
    """The returns and the customers' drop-offs waiting for a carrier, apart: ``[(states, first parcels, count)]``."""
    return [(states, to_hand_over(shop, network_id, limit, states), count_to_hand_over(shop, network_id, states))
            for states in (RETURNS, DEPOSITS)]


def hand_to_carrier(visit, tracking_id, actor):
    """The carrier takes a staged parcel or a customer's drop-off: it leaves the shop's inventory for good."""
    if visit.kind != VisitKind.RETURN:
        raise rules.WrongVisit()
    ensure_open(visit, actor)
    parcel = _in_shop(visit.shop, tracking_id)
    action = Action.DISPATCH if parcel.outgoing else Action.HAND_TO_CARRIER
    if parcel.network_id != visit.network_id or parcel.state not in TRANSITIONS[action][0] | {TRANSITIONS[action][1]}:
        raise rules.NothingToReturn(tracking_id=parcel.tracking_id, state=parcel.state.title)
    move = record(parcel, action, actor, visit=visit)
    close_pickup_if_done(parcel.pickup)
    return parcel, move


def waiting_too_long(shop, now):
    """Staged parcels and customers' drop-offs a carrier has not taken within 3 days."""
    return [p for p in to_hand_over(shop) if p.state_since and deadlines.needs_escalation(p.state_since, now)]
