"""Deadlines kept as state, so that no request sweeps a shop's parcels to find them.

Each parcel on the shelf carries its hold (its last pickup day and the instant it expires), computed by
the rules from the shop's weekly hours and closures when it is received, and again when those change.
The shop row carries the earliest expiry among its shelf (``next_expiry_at``) and the earliest
deadline of a task that may block the counter (``tasks_due_at``). Both may be earlier than the truth,
never later: a request that finds one reached does the indexed work (expire by ``expires_at``, look
at the tasks) and writes the next value; the scheduled worker (``flask worker``) does the same for
every shop whose expiry is due, so the notices are there even when nobody opens the app.
"""
from sqlalchemy import func, select

from ..core.extensions import db
from ..core.models import Network, Parcel
from ..rules import deadlines
from ..rules.parcels import State
from .queries import shop_hours

# Parcels whose hold still matters: on the shelf, or not found (it may be found again before its day).
HELD = (State.AT_STORE, State.NOT_FOUND)


def hold_of(shop, dropped_at, hours=None, days=deadlines.PICKUP_DAYS):
    """(last pickup day, expiry instant) of a parcel dropped off at ``dropped_at`` at ``shop``, held ``days``
    days the shop is open."""
    ranges, closed = hours or shop_hours(shop)
    last_day = deadlines.last_pickup_day(dropped_at, shop.timezone, ranges, closed, days)
    return last_day, deadlines.expiry_of(last_day, shop.timezone)


def hold(parcel, hours=None):
    """Give a parcel just dropped off its hold — its network's period, kept on the parcel so that a later change
    of the period does not move the day its customer was told — and let its shop know when it expires."""
    parcel.hold_days = db.session.get(Network, parcel.network_id).hold_days
    parcel.last_day, parcel.expires_at = hold_of(parcel.shop, parcel.dropped_at, hours, parcel.hold_days)
    parcel.remind_at = deadlines.reminder_at(parcel.last_day, parcel.shop.timezone)
    watch_expiry(parcel.shop, parcel.expires_at)
    return parcel.last_day


def watch_expiry(shop, at):
    """A parcel on the shelf expires at ``at``: the shop looks again then at the latest."""
    if at is not None and (shop.next_expiry_at is None or at < shop.next_expiry_at):
        shop.next_expiry_at = at


def watch_task(shop, due):
    """A task that blocks the counter once ``due`` has passed is now waiting."""
    if due is not None and (shop.tasks_due_at is None or due < shop.tasks_due_at):
        shop.tasks_due_at = due


def next_expiry(shop):
    """The earliest expiry on the shop's shelf (one step down an index), or None."""
    return db.session.scalar(
        select(func.min(Parcel.expires_at)).where(Parcel.shop_id == shop.id, Parcel.state == State.AT_STORE)
    )


def expiry_due(shop, now):
    """True once the earliest expiry on the shop's shelf has been reached: a comparison, no query."""
    return shop.next_expiry_at is not None and deadlines.reached(shop.next_expiry_at, now)


def tasks_due(shop, now):
    """True once a waiting task may be overdue: a comparison, no query."""
    return shop.tasks_due_at is not None and deadlines.reached(shop.tasks_due_at, now)


def held_parcels(shop):
    """The shop's parcels whose hold still matters (on the shelf, or not found), by index."""
    return db.session.scalars(
        select(Parcel).where(Parcel.shop_id == shop.id, Parcel.state.in_(HELD), Parcel.dropped_at.is_not(None))
        .order_by(Parcel.id)
    ).all()


def rehold(shop, hours=None):
    """The shop's hours or closures changed: recompute every held parcel's hold. Returns the parcels whose
    last pickup day moved (their customers are told by the caller)."""
    hours = hours or shop_hours(shop)
    moved = []
    for parcel in held_parcels(shop):
        last_day, expires_at = hold_of(shop, parcel.dropped_at, hours, parcel.hold_days or deadlines.PICKUP_DAYS)
        if last_day != parcel.last_day:
            moved.append(parcel)
            if parcel.remind_at is not None:  # not reminded yet: the reminder moves with the day
                parcel.remind_at = deadlines.reminder_at(last_day, shop.timezone)
        parcel.last_day, parcel.expires_at = last_day, expires_at
    db.session.flush()
    shop.next_expiry_at = next_expiry(shop)
    return moved
