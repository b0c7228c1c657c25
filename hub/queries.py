"""Read-only questions the screens ask of the database."""
from sqlalchemy import func, select

from .extensions import db
from .models import Parcel, Shop
from .rules import deadlines
from .rules.parcels import IN_SHOP, State


def shop_load(shop_id):
    """How many parcels the shop is holding now."""
    return db.session.scalar(
        select(func.count()).select_from(Parcel).where(Parcel.shop_id == shop_id, Parcel.state.in_(IN_SHOP))
    )


def counts_by_state(shop_id):
    rows = db.session.execute(
        select(Parcel.state, func.count()).where(Parcel.shop_id == shop_id).group_by(Parcel.state)
    ).all()
    counts = {state: 0 for state in State}
    counts.update({State(state): n for state, n in rows})
    return counts


def shop_hours(shop):
    """The shop's opening hours as the rules want them."""
    ranges = [deadlines.Range(r.weekday, r.opens, r.closes) for r in shop.ranges]
    closed_days = set()
    for closure in shop.closures:
        day = closure.starts_on
        while day <= closure.ends_on:
            closed_days.add(day)
            day = day.fromordinal(day.toordinal() + 1)
    return ranges, closed_days


def is_open(shop, now):
    ranges, closed = shop_hours(shop)
    return deadlines.is_open(now, ranges, closed, shop.timezone)


def next_opening(shop, now):
    ranges, closed = shop_hours(shop)
    return deadlines.next_opening(now, ranges, closed, shop.timezone)


def shops_of_network(network_id):
    return db.session.scalars(
        select(Shop).where(Shop.active, Shop.networks.any(id=network_id)).order_by(Shop.city, Shop.name)
    ).all()
