"""Drop-off operations: a carrier's visit opened with the shop code, parcels scanned in or refused."""
from sqlalchemy import func, select

from ..extensions import db
from ..models import Parcel, ParcelEvent, Pickup, Visit
from ..rules import codes, deadlines
from ..rules import dropoff as rules
from ..rules.errors import NetworkNotServed
from ..rules.parcels import IN_SHOP, Action, State
from . import close_pickup_if_done, notices, record


def open_visit(shop, network_id, account, actor, code, scanned_at, kind="dropoff", key=None):
    """Check the shop's code as it was when scanned, then open the carrier's visit, named ``key``."""
    if network_id not in {n.id for n in shop.networks}:
        raise NetworkNotServed()
    codes.check_shop_code(shop.totp_secret, code, scanned_at, actor.now)
    fields = {"key": key} if key else {}
    return _new_visit(shop, network_id, account, actor, kind=kind, mode="carrier", code_scanned_at=scanned_at,
                      **fields)


def start_intake(shop, network_id, account, actor, key=None):
    """« Autre » carrier: the associate scans the parcels in, against the 30-minute rule."""
    if network_id not in {n.id for n in shop.networks}:
        raise NetworkNotServed()
    fields = {"key": key} if key else {}
    return _new_visit(shop, network_id, account, actor, kind="dropoff", mode="other", **fields)


def _new_visit(shop, network_id, account, actor, **fields):
    for previous in db.session.scalars(select(Visit).where(Visit.account_id == account.id, Visit.closed_at.is_(None))):
        previous.closed_at = max(actor.when, previous.last_activity)  # one visit at a time: a new one ends the last
    visit = Visit(shop=shop, network_id=network_id, account_id=account.id, device_id=actor.device_id,
                  opened_at=actor.when, **fields)
    db.session.add(visit)
    db.session.flush()
    return visit


def find_parcel(network_id, tracking_id):
    return db.session.scalar(
        select(Parcel).where(Parcel.network_id == network_id,
                             Parcel.tracking_id == rules.normalise_tracking_id(tracking_id))
    )


def settle(visit, now):
    """A carrier's visit with no scan for a while is over: the carrier has left the counter."""
    if visit.mode == "carrier" and visit.closed_at is None and rules.visit_timed_out(visit.last_activity, now):
        visit.closed_at = visit.last_activity + rules.VISIT_IDLE_LIMIT
    return visit


def ensure_open(visit, actor):
    """Refuse any scan into a visit finished (or abandoned) before the scan was made; note the activity.

    A scan is judged at the moment it was made: a scan queued offline and sent an hour later still
    belongs to the visit it was made in, if that visit was open then.
    """
    settle(visit, actor.when)
    if visit.closed_at is not None and actor.when >= visit.closed_at:
        raise rules.VisitClosed()
    visit.last_scan_at = max(visit.last_scan_at or actor.when, actor.when)


def scan_in(visit, tracking_id, actor):
    """A label scanned during the visit: receive it, or say why not. Returns (parcel, outcome)."""
    ensure_open(visit, actor)
    parcel = find_parcel(visit.network_id, tracking_id)
    label = parcel and rules.Label(parcel.tracking_id, parcel.shop_id, parcel.shop.name, parcel.state)
    outcome = rules.judge_scan(label, rules.normalise_tracking_id(tracking_id) or tracking_id, visit.shop_id)
    if outcome == rules.Outcome.RECEIVED:
        receive(parcel, visit, actor)
    return parcel, outcome


def receive(parcel, visit, actor):
    """The parcel is in the shop: the 7-day window starts, it gets a shelf place and joins its pickup."""
    record(parcel, Action.RECEIVE, actor, visit=visit)
    tz = parcel.shop.timezone
    parcel.dropped_at = actor.when
    parcel.shelf_place = rules.suggest_shelf_place(deadlines.last_pickup_day(actor.when, tz), _shelf_places_in_use(parcel))
    join_pickup(parcel, actor.now)


def _shelf_places_in_use(parcel):
    return set(db.session.scalars(
        select(Parcel.shelf_place).where(Parcel.shop_id == parcel.shop_id, Parcel.state.in_(IN_SHOP),
                                         Parcel.id != parcel.id, Parcel.shelf_place.is_not(None))
    ))


def join_pickup(parcel, now):
    """One pickup, one code, for all of a customer's parcels waiting at a shop."""
    same_customer = (Pickup.customer_email == parcel.recipient_email) if parcel.recipient_email else (
        func.lower(Pickup.customer_name) == parcel.recipient_name.lower())
    pickup = db.session.scalar(
        select(Pickup).where(Pickup.shop_id == parcel.shop_id, Pickup.active, same_customer).order_by(Pickup.id)
    )
    if pickup is None:
        taken = set(db.session.scalars(select(Pickup.code).where(Pickup.shop_id == parcel.shop_id, Pickup.active)))
        pickup = Pickup(shop_id=parcel.shop_id, customer_name=parcel.recipient_name,
                        customer_email=parcel.recipient_email, code=codes.new_pickup_code(taken),
                        token=codes.new_token(), created_at=now)
        db.session.add(pickup)
        db.session.flush()
    parcel.pickup = pickup
    notices.pickup_notice(pickup, parcel, now)
    return pickup


def reopen_pickup(pickup, parcel, now):
    """A parcel waiting again under a pickup that had ended: the code comes back (a new one if another
    customer has it now) and the customer is told."""
    if pickup.active:
        return pickup
    taken = set(db.session.scalars(select(Pickup.code).where(Pickup.shop_id == pickup.shop_id, Pickup.active)))
    if pickup.code in taken:
        pickup.code = codes.new_pickup_code(taken)
    pickup.active = True
    notices.pickup_notice(pickup, parcel, now)
    return pickup


def find_again(parcel, actor):
    """« Colis retrouvé »: a parcel marked not found (or missing) is back on its shelf, under its code."""
    move = record(parcel, Action.FOUND_AGAIN, actor)
    if parcel.pickup is not None:
        reopen_pickup(parcel.pickup, parcel, actor.now)
    return move


def refuse_damaged(visit, parcel, actor):
    """« Refuser — colis endommagé »: it stays with the carrier and the customer is refunded.

    Only during a drop-off, and only a parcel still expected or received by this very visit.
    """
    if visit.kind != "dropoff":
        raise rules.NotThisVisitsParcel(tracking_id=parcel.tracking_id)
    ensure_open(visit, actor)
    if parcel.shop_id != visit.shop_id or parcel.network_id != visit.network_id:
        raise rules.ParcelForAnotherShop(tracking_id=parcel.tracking_id, shop=parcel.shop.name)
    if not rules.may_refuse(parcel.state, _received_in(visit, parcel)):
        raise rules.NotThisVisitsParcel(tracking_id=parcel.tracking_id)
    move = record(parcel, Action.REFUSE_DAMAGED, actor, visit=visit)
    if move.repeat:
        return move
    pickup, parcel.pickup, parcel.shelf_place = parcel.pickup, None, None
    close_pickup_if_done(pickup)
    notices.refund_notice(parcel, actor.now)
    return move


def _received_in(visit, parcel):
    return db.session.scalar(
        select(func.count()).select_from(ParcelEvent)
        .where(ParcelEvent.parcel_id == parcel.id, ParcelEvent.visit_id == visit.id,
               ParcelEvent.action == Action.RECEIVE)
    ) > 0


def finish_visit(visit, actor):
    """« Terminer la livraison »: the visit closes (a second press changes nothing)."""
    if visit.open:
        visit.closed_at = actor.now
        db.session.flush()
    return visit


def expected_parcels(visit):
    """Parcels still expected at the visit's shop from its network."""
    return db.session.scalars(
        select(Parcel).where(Parcel.shop_id == visit.shop_id, Parcel.network_id == visit.network_id,
                             Parcel.state == State.EXPECTED).order_by(Parcel.tracking_id)
    ).all()


def visit_parcels(visit):
    """The parcels this visit received or refused, in scan order, as they are now."""
    first_event = (select(ParcelEvent.parcel_id, func.min(ParcelEvent.id).label("first"))
                   .where(ParcelEvent.visit_id == visit.id).group_by(ParcelEvent.parcel_id).subquery())
    return db.session.scalars(
        select(Parcel).join(first_event, first_event.c.parcel_id == Parcel.id).order_by(first_event.c.first)
    ).all()
