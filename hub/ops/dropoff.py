"""Drop-off operations: a carrier's visit opened with the shop code, parcels scanned in or refused."""
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..core.extensions import db
from ..core.models import ACTIVE_PICKUP, Parcel, ParcelEvent, Pickup, Visit
from ..rules import codes
from ..rules import dropoff as rules
from ..rules.dropoff import VisitEnd, VisitKind, VisitMode
from ..rules.errors import NetworkNotServed
from .shop import check_active
from ..rules.parcels import IN_SHOP, Action, State
from . import close_pickup_if_done, event_time, holds, notices, record


def open_visit(shop, network_id, account, actor, code, scanned_at, kind=VisitKind.DROPOFF, key=None):
    """Check the shop's code as it was when scanned, then open the carrier's visit, named ``key``."""
    if network_id not in {n.id for n in shop.networks}:
        raise NetworkNotServed()
    if kind == VisitKind.DROPOFF:
        check_active(shop)  # a shop taken off the network receives nothing; its returns still go
    codes.check_shop_code(shop.totp_secret, code, scanned_at, actor.now)
    fields = {"key": key} if key else {}
    return _new_visit(shop, network_id, account, actor, kind=kind, mode=VisitMode.CARRIER, code_scanned_at=scanned_at,
                      **fields)


def open_intakes(shop):
    return db.session.scalars(
        select(Visit).where(Visit.shop_id == shop.id, Visit.mode == VisitMode.OTHER, Visit.closed_at.is_(None))
        .order_by(Visit.opened_at)
    ).all()


def start_intake(shop, network_id, account, actor, key=None):
    """« Autre » carrier: the associate scans the parcels in, within the network's intake window, where the
    network allows it. Online, the counter's open intake of that network goes on; one started offline was
    scanned into under its own name."""
    network = next((n for n in shop.networks if n.id == network_id), None)
    if network is None:
        raise NetworkNotServed()
    if not network.other_carrier_allowed:
        raise rules.OtherCarrierNotAllowed(network=network.name)
    check_active(shop)
    if not actor.offline:
        going_on = next((v for v in open_intakes(shop) if v.network_id == network_id), None)
        if going_on is not None:
            return going_on
    fields = {"key": key} if key else {}
    holds.watch_task(shop, actor.now)  # the intake window now runs: the next look at the shop finds its deadline
    return _new_visit(shop, network_id, account, actor, kind=VisitKind.DROPOFF, mode=VisitMode.OTHER, **fields)


def _new_visit(shop, network_id, account, actor, **fields):
    """One visit at a time per account: a new one ends the last. An opening that arrives late (from an
    offline queue) ends only the visits opened before it, and is itself over when the next one began."""
    if fields.get("key") and db.session.scalar(select(Visit.id).where(Visit.key == fields["key"])):
        del fields["key"]  # a name already taken (never by an honest device): the visit gets a fresh one
    when = actor.when
    for previous in db.session.scalars(select(Visit).where(Visit.account_id == account.id, Visit.closed_at.is_(None),
                                                           Visit.opened_at <= when)):
        if settle(previous, when).closed_at is None:
            _end(previous, max(when, previous.last_activity), VisitEnd.REPLACED)
    visit = Visit(shop=shop, network_id=network_id, account_id=account.id, device_id=actor.device_id,
                  opened_at=when, **fields)
    next_opening = _next_opening(account.id, when)
    if next_opening is not None:
        _end(visit, next_opening, VisitEnd.REPLACED)
    db.session.add(visit)
    db.session.flush()
    return visit


def _next_opening(account_id, after, but=None):
    """When the account next opened a visit after ``after`` (any visit but ``but``), or None."""
    query = select(func.min(Visit.opened_at)).where(Visit.account_id == account_id, Visit.opened_at > after)
    if but is not None:
        query = query.where(Visit.id != but.id)
    return db.session.scalar(query)


def _end(visit, at, reason):
    visit.closed_at, visit.end_reason = at, reason


def find_parcel(network_id, tracking_id):
    """The parcel of the network with that (read) tracking ID, or None; its network comes in the same statement
    (receiving it reads the network's hold period)."""
    return db.session.scalar(select(Parcel).where(Parcel.network_id == network_id, Parcel.tracking_id == tracking_id)
                             .options(joinedload(Parcel.network)))


def settle(visit, now):
    """A carrier's visit with no scan for a while is over: the carrier has left the counter."""
    if visit.mode == VisitMode.CARRIER and visit.closed_at is None and rules.visit_timed_out(visit.last_activity, now):
        _end(visit, visit.last_activity + rules.VISIT_IDLE_LIMIT, VisitEnd.IDLE)
    return visit


def ensure_open(visit, actor, late_allowed=True):
    """Refuse any scan into a finished (or abandoned) visit; note the activity of a live one.

    A step from the visit's own device that arrives late from its offline queue is judged at the moment
    it was made: it belongs to the visit if the visit was open then (not ended, not idle for the limit).
    Such a step proves the carrier was still there, so an end for idleness, the server's guess, moves.
    Any other step is judged at the server's time.
    """
    if not (late_allowed and _late(visit, actor)):
        if settle(visit, actor.now).closed_at is not None:
            raise rules.VisitClosed()
        visit.last_scan_at = actor.now
        return
    when, last = actor.when, visit.last_activity
    ended = visit.closed_at is not None and visit.end_reason != VisitEnd.IDLE and when >= visit.closed_at
    idle = visit.mode == VisitMode.CARRIER and last <= when and rules.visit_timed_out(last, when)
    if ended or idle:
        raise rules.VisitClosed()
    visit.last_scan_at = max(last, when)
    if visit.end_reason == VisitEnd.IDLE:  # the carrier was there after all: the end moves with their last scan
        visit.closed_at, visit.end_reason = None, None
        next_opening = _next_opening(visit.account_id, visit.opened_at, but=visit)
        if next_opening is not None and next_opening < visit.last_activity + rules.VISIT_IDLE_LIMIT:
            _end(visit, next_opening, VisitEnd.REPLACED)
        else:
            settle(visit, actor.now)


def _late(visit, actor):
    """True for a step of the visit's own device sent late from its offline queue."""
    return (actor.offline and actor.device_id is not None and actor.device_id == visit.device_id
            and actor.when < actor.now)


def scan_in(visit, tracking_id, actor):
    """A label scanned during the visit: receive it, or say why not. Returns (parcel, outcome)."""
    tracking_id = rules.read_tracking_id(tracking_id)
    ensure_open(visit, actor)
    parcel = find_parcel(visit.network_id, tracking_id)
    label = parcel and rules.Label(parcel.tracking_id, parcel.shop_id, parcel.shop.name, parcel.state)
    outcome = rules.judge_scan(label, tracking_id, visit.shop_id, by_associate=visit.mode == VisitMode.OTHER)
    if outcome == rules.ScanOutcome.RECEIVED:
        check_active(visit.shop)  # deactivated while the visit was open
        receive(parcel, visit, actor)
    return parcel, outcome


def receive(parcel, visit, actor):
    """The parcel is in the shop: its hold starts (7 open days), it gets a shelf place and joins its pickup."""
    with db.session.no_autoflush:  # one UPDATE of the parcel: its move, its hold and its shelf place
        parcel.dropped_at = event_time(actor, parcel, visit)  # the event's time: never before the visit opened
        parcel.shelf_place = rules.suggest_shelf_place(holds.hold(parcel), _shelf_places_in_use(parcel))
    record(parcel, Action.RECEIVE, actor, visit=visit)
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
        select(Pickup).where(Pickup.shop_id == parcel.shop_id, ACTIVE_PICKUP, same_customer).order_by(Pickup.id)
    )
    if pickup is None:
        taken = set(db.session.scalars(select(Pickup.code).where(Pickup.shop_id == parcel.shop_id, ACTIVE_PICKUP)))
        pickup = Pickup(shop_id=parcel.shop_id, customer_name=parcel.recipient_name,
                        customer_email=parcel.recipient_email, code=codes.new_pickup_code(taken),
                        token=codes.new_token(), created_at=now)
        db.session.add(pickup)
        db.session.flush()
    pickup.customer_phone = parcel.recipient_phone or pickup.customer_phone
    parcel.pickup = pickup
    notices.pickup_notice(pickup, parcel, now)
    return pickup


def reopen_pickup(pickup, parcel, now):
    """A parcel waiting again under a pickup that had ended: the code comes back (a new one if another
    customer has it now) and the customer is told. If the customer has another pickup open at the shop
    since, the parcel joins that one (one active pickup per customer)."""
    if pickup.active:
        return pickup
    since = db.session.scalar(select(Pickup).where(Pickup.shop_id == pickup.shop_id, ACTIVE_PICKUP,
                                                   Pickup.customer_key == pickup.customer_key))
    if since is not None:
        parcel.pickup = since
        notices.pickup_notice(since, parcel, now)
        return since
    taken = set(db.session.scalars(select(Pickup.code).where(Pickup.shop_id == pickup.shop_id, ACTIVE_PICKUP)))
    if pickup.code in taken:
        pickup.code = codes.new_pickup_code(taken)
    pickup.active = True
    notices.pickup_notice(pickup, parcel, now)
    return pickup


def find_again(parcel, actor):
    """« Colis retrouvé »: a parcel marked not found (or missing) is back on its shelf, under its code. A
    missing parcel's place may hold another parcel by now: it then gets the next free one. A customer's
    drop-off found again waits for the carrier again."""
    if parcel.outgoing:
        from .deposits import found_again
        return found_again(parcel, actor)
    in_use = _shelf_places_in_use(parcel)
    if parcel.shelf_place in in_use:
        parcel.shelf_place = rules.suggest_shelf_place(parcel.last_pickup_day, in_use)
    move = record(parcel, Action.FOUND_AGAIN, actor)
    holds.watch_expiry(parcel.shop, parcel.expires_at)
    if parcel.pickup is not None:
        reopen_pickup(parcel.pickup, parcel, actor.now)
    return move


def refuse_damaged(visit, parcel, actor):
    """« Refuser — colis endommagé »: it stays with the carrier and the customer is refunded.

    Only during a drop-off, and only a parcel still expected or received by this very visit.
    """
    if visit.kind != VisitKind.DROPOFF:
        raise rules.NotThisVisitsParcel(tracking_id=parcel.tracking_id)
    ensure_open(visit, actor, late_allowed=False)  # a refund is never granted into a visit already over
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
    """« Terminer la livraison »: the visit closes (a second press changes nothing). An end for idleness
    becomes this one: nobody's late scan moves it any more."""
    late = _late(visit, actor)
    settle(visit, actor.when if late else actor.now)
    if visit.open:
        _end(visit, max(actor.when if late else actor.now, visit.last_activity), VisitEnd.FINISHED)
    elif visit.end_reason == VisitEnd.IDLE:
        visit.end_reason = VisitEnd.FINISHED
    db.session.flush()
    return visit


# Lines of a visit's lists a screen shows: a delivery of hundreds of parcels gets answers of the same size
# as one of ten (the rest is counted).
SHOWN = 20


def _expected(visit):
    return select(Parcel).where(Parcel.shop_id == visit.shop_id, Parcel.network_id == visit.network_id,
                                Parcel.state == State.EXPECTED)


def expected_parcels(visit, limit=None):
    """Parcels still expected at the visit's shop from its network (the first ``limit`` of them)."""
    return db.session.scalars(_expected(visit).order_by(Parcel.tracking_id).limit(limit)).all()


def count_expected(visit):
    """How many parcels are still expected at the visit's shop from its network."""
    return db.session.scalar(select(func.count()).select_from(_expected(visit).subquery()))


def _first_events(visit):
    return (select(ParcelEvent.parcel_id, func.min(ParcelEvent.id).label("first"))
            .where(ParcelEvent.visit_id == visit.id).group_by(ParcelEvent.parcel_id).subquery())


def visit_parcels(visit, last=None):
    """The parcels this visit received or refused, in scan order, as they are now (the ``last`` ones)."""
    first = _first_events(visit)
    query = select(Parcel).join(first, first.c.parcel_id == Parcel.id)
    if last is None:
        return db.session.scalars(query.order_by(first.c.first)).all()
    return list(reversed(db.session.scalars(query.order_by(first.c.first.desc()).limit(last)).all()))


def visit_tally(visit):
    """How many parcels the visit scanned, and how many of them it refused as damaged."""
    first = _first_events(visit)
    rows = db.session.execute(select(Parcel.state, func.count()).join(first, first.c.parcel_id == Parcel.id)
                              .group_by(Parcel.state)).all()
    scanned = sum(n for _, n in rows)
    refused = sum(n for state, n in rows if state == State.REFUSED_AT_DROPOFF)
    return {"scanned": scanned, "refused": refused, "received": scanned - refused}
