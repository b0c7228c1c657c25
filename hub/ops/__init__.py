"""Operations: load, ask the rules, record the event, flush. They never commit; the view does, once.

This package holds what every workflow shares; each workflow keeps its own operations in a module here."""
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from ..core.extensions import db
from ..core.models import ParcelEvent
from ..rules import parcels as rules
from . import holds, webhooks


@dataclass(frozen=True)
class Actor:
    """Who does something, from which device, and when the device says it happened."""

    account_id: Optional[int]
    device_id: Optional[str]
    now: datetime
    occurred_at: Optional[datetime] = None
    offline: bool = False
    command_id: Optional[str] = None
    # Why the events were not recorded as the device asked (an offline step's associate who may not act).
    note: str = ""

    @property
    def when(self):
        return self.occurred_at or self.now


def record(parcel, action, actor, note="", visit=None, keep_repeat=False):
    """Move ``parcel`` by ``action`` and keep the event.

    A repeat (the parcel is already where the action leads) records nothing, unless ``keep_repeat``:
    some repeats are news (a customer refusing a parcel already staged for return frees their code).
    """
    move = rules.move(parcel.state, action)
    if move.repeat and not keep_repeat and move.action not in rules.SAME_STATE:
        return move
    when = event_time(actor, parcel, visit)
    event = ParcelEvent(
        parcel=parcel,
        action=move.action,
        from_state=move.before,
        to_state=move.after,
        account_id=actor.account_id,
        device_id=actor.device_id,
        command_id=actor.command_id,
        occurred_at=when,
        recorded_at=actor.now,
        offline=actor.offline,
        note="; ".join(filter(None, (note, actor.note)))[:300],
        visit_id=visit.id if visit else None,
    )
    db.session.add(event)
    parcel.state = move.after
    parcel.state_since = when
    if move.after == rules.State.EXPIRED:
        # Its return scan is now a task of the shop's: the next look at the shop finds its deadline.
        holds.watch_task(parcel.shop, actor.now)
    db.session.flush()
    webhooks.parcel_event(parcel, event)  # in the same transaction: the network hears of every event
    return move


def event_time(actor, parcel, visit=None):
    """When the event happened: the device's time for a step it made offline, but never before the parcel's
    previous event nor the visit's opening (a device's clock, or its user, cannot put a step before them)."""
    if actor.occurred_at is None:
        return actor.when
    floors = [t for t in (parcel.state_since, visit.opened_at if visit is not None else None) if t is not None]
    return max([actor.occurred_at, *floors])


def close_pickup_if_done(pickup):
    """A pickup with nothing left to collect frees its code."""
    if pickup is not None and pickup.active:
        pickup.active = any(p.state in rules.COLLECTABLE for p in pickup.parcels)
