"""Read-only questions the screens ask of the database."""
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..core.models import Parcel, ParcelEvent, Shop
from ..rules import deadlines, hours
from ..rules.dropoff import normalise_tracking_id
from ..rules.parcels import IN_SHOP, Action, State
from ..rules.text import folded  # noqa: F401  (the inventory's search folds names the same way)

FOR_CUSTOMERS = IN_SHOP - {State.DEPOSITED}  # what the shop holds for someone to collect


def shop_load(shop_id):
    """How many parcels the shop is holding now."""
    return db.session.scalar(
        select(func.count()).select_from(Parcel).where(Parcel.shop_id == shop_id, Parcel.state.in_(IN_SHOP))
    )


def loads_by_shop(*where):
    """How many parcels each shop (``where`` it says) holds now, in one query ({shop_id: load})."""
    rows = db.session.execute(
        select(Parcel.shop_id, func.count()).where(Parcel.state.in_(IN_SHOP), *where).group_by(Parcel.shop_id)
    ).all()
    return dict(rows)


def counts_by_state(shop_id):
    """How many parcels the shop holds in each state it holds parcels in (never its history)."""
    rows = db.session.execute(
        select(Parcel.state, func.count()).where(Parcel.shop_id == shop_id, Parcel.state.in_(IN_SHOP))
        .group_by(Parcel.state)
    ).all()
    counts = {state: 0 for state in State}
    counts.update({State(state): n for state, n in rows})
    return counts


def shop_hours(shop):
    """The shop's opening hours as the rules want them."""
    ranges = [deadlines.Range(r.weekday, r.opens, r.closes) for r in shop.ranges]
    return ranges, hours.closed_days(hours.Span(c.starts_on, c.ends_on) for c in shop.closures)


def is_open(shop, now):
    ranges, closed = shop_hours(shop)
    return deadlines.is_open(now, ranges, closed, shop.timezone)


def next_opening(shop, now):
    ranges, closed = shop_hours(shop)
    return deadlines.next_opening(now, ranges, closed, shop.timezone)


def shops_of_network(network_id, returns_at=()):
    """The network's active shops, and those not active where returns wait (``returns_at``: their ids)."""
    return db.session.scalars(
        select(Shop).where(or_(Shop.active, Shop.id.in_(list(returns_at))), Shop.networks.any(id=network_id))
        .order_by(Shop.city, Shop.name)
        .options(selectinload(Shop.ranges), selectinload(Shop.closures))
    ).all()


@dataclass(frozen=True)
class Opening:
    """Whether a shop is open at an instant, and its hours that day, in its own time zone."""

    open: bool
    closes_at: Optional[datetime]
    opens_at: Optional[datetime]
    today: date
    today_ranges: list
    closed_today: bool


def opening(shop, now):
    """Open now (until when), or closed (and when it opens next), computed in the shop's time zone."""
    ranges, closed = shop_hours(shop)
    today = deadlines.local_date(now, shop.timezone)
    intervals = deadlines.open_intervals(today, ranges, closed, shop.timezone)
    open_now = is_open(shop, now)
    closes_at = next((c for o, c in intervals if o <= now < c), None) if open_now else None
    return Opening(open=open_now, closes_at=closes_at, opens_at=None if open_now else next_opening(shop, now),
                   today=today, today_ranges=sorted((r for r in ranges if r.weekday == today.weekday()),
                                                    key=lambda r: r.opens),
                   closed_today=today in closed)


def received_per_day(shop, today, days=30):
    """Parcels received at the shop on each of the last ``days`` local days, oldest first."""
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time(0), tzinfo=ZoneInfo(shop.timezone))
    stamps = db.session.scalars(
        select(ParcelEvent.occurred_at).join(Parcel)
        .where(Parcel.shop_id == shop.id, ParcelEvent.action == Action.RECEIVE, ParcelEvent.occurred_at >= since)
    )
    counts = Counter(deadlines.local_date(stamp, shop.timezone) for stamp in stamps)
    return [(first + timedelta(days=n), counts.get(first + timedelta(days=n), 0)) for n in range(days)]


@dataclass
class Customer:
    """A customer's parcels held by a shop: one pickup, or (without one) the same name."""

    name: str
    pickup_id: Optional[int]
    parcels: list = field(default_factory=list)


def inventory(shop_id, query=""):
    """The parcels the shop holds for its customers, by customer, filtered by a name or tracking-ID fragment
    (customers' drop-offs are listed apart: they wait for the carrier, not for a customer)."""
    parcels = db.session.scalars(
        select(Parcel).where(Parcel.shop_id == shop_id, Parcel.state.in_(FOR_CUSTOMERS)).order_by(Parcel.tracking_id)
    ).all()
    customers = {}
    for parcel in parcels:
        key = parcel.pickup_id or folded(parcel.recipient_name)
        customers.setdefault(key, Customer(parcel.recipient_name, parcel.pickup_id)).parcels.append(parcel)
    found = [c for c in customers.values() if _matches(c, query)]
    return sorted(found, key=lambda c: folded(c.name))


def _matches(customer, query):
    words, tracking = folded(query).split(), normalise_tracking_id(query)
    if not words:
        return True
    if all(word in folded(customer.name) for word in words):
        return True
    return bool(tracking) and any(tracking in p.tracking_id for p in customer.parcels)


def expected_parcels(shop_id):
    """Parcels on their way to the shop, by expected day (unknown days last), then network."""
    return db.session.scalars(
        select(Parcel).where(Parcel.shop_id == shop_id, Parcel.state == State.EXPECTED)
        .order_by(Parcel.expected_on.is_(None), Parcel.expected_on, Parcel.network_id, Parcel.tracking_id)
    ).all()


def _counts(network_id, state):
    """Parcels of the network in ``state``, per shop ({shop_id: count})."""
    rows = db.session.execute(
        select(Parcel.shop_id, func.count()).where(Parcel.network_id == network_id, Parcel.state == state)
        .group_by(Parcel.shop_id)
    ).all()
    return dict(rows)


def todays_shops(network_id, everything=False):
    """The shops with parcels expected or returns waiting (every shop of the network on request),
    busiest first, each with what waits there."""
    expected, returns = _counts(network_id, State.EXPECTED), _counts(network_id, State.TO_RETURN)
    shops = [{"shop": shop, "expected": expected.get(shop.id, 0), "returns": returns.get(shop.id, 0)}
             for shop in shops_of_network(network_id, returns_at=returns)
             if everything or shop.id in expected or shop.id in returns]
    shops.sort(key=lambda s: (-s["expected"], -s["returns"], s["shop"].name))
    return shops
