"""Returns operations: expiry on time, the return scan, missing parcels, the carrier taking them."""
from datetime import timedelta

import pytest

from hub.core import clock
from hub.core.models import ParcelEvent
from hub.ops import returns as ops
from hub.ops.dropoff import finish_visit, open_visit, receive, start_intake
from hub.ops.tasks import blocking_task, pending_tasks
from hub.rules import codes, deadlines
from hub.rules import returns as rules
from hub.rules.dropoff import VisitKind
from hub.rules.parcels import Action, State


@pytest.fixture
def on_shelf(world):
    """A parcel received now (an « Autre » delivery, finished)."""
    parcel, visit = world.parcel("TST0001"), start_intake(world.shop, world.network.id, world.associate, world.actor())
    receive(parcel, visit, world.actor())
    finish_visit(visit, world.actor())
    return parcel


def test_a_parcel_expires_when_its_days_are_over_dated_at_the_deadline(world, on_shelf):
    deadline = deadlines.pickup_deadline(on_shelf.dropped_at, world.shop.timezone)
    clock.set_to(deadline - timedelta(seconds=1))
    assert ops.expire_due(world.shop, clock.now()) == 0
    clock.set_to(deadline + timedelta(hours=1))
    assert ops.expire_due(world.shop, clock.now()) == 1
    expiry = on_shelf.events[-1]
    assert on_shelf.state == State.EXPIRED and expiry.occurred_at == deadline and expiry.recorded_at > deadline
    assert ops.expire_due(world.shop, clock.now()) == 0  # once


def test_expired_parcels_owe_a_scan_within_two_opening_hours_then_block(world, on_shelf):
    clock.set_to(deadlines.pickup_deadline(on_shelf.dropped_at, world.shop.timezone) + timedelta(hours=10))
    ops.expire_due(world.shop, clock.now())
    [task] = pending_tasks(world.shop)
    assert task.endpoint == "returns.expired" and blocking_task(world.shop, clock.now()) is None
    assert blocking_task(world.shop, task.deadline) == task
    ops.stage(world.shop, "TST0001", world.actor())
    assert on_shelf.state == State.TO_RETURN and pending_tasks(world.shop) == []


def test_a_parcel_not_expired_yet_is_not_staged(world, on_shelf):
    with pytest.raises(rules.NotExpiredYet):
        ops.stage(world.shop, "TST0001", world.actor())


def test_a_missing_parcel_is_declared_with_ok(world, on_shelf):
    clock.set_to(deadlines.pickup_deadline(on_shelf.dropped_at, world.shop.timezone) + timedelta(minutes=1))
    ops.expire_due(world.shop, clock.now())
    ops.mark_missing(on_shelf, world.actor())
    assert on_shelf.state == State.MISSING and not on_shelf.pickup.active


def test_the_carrier_takes_staged_parcels_on_a_return_visit_only(world, on_shelf):
    clock.set_to(deadlines.pickup_deadline(on_shelf.dropped_at, world.shop.timezone) + timedelta(minutes=1))
    ops.expire_due(world.shop, clock.now())
    ops.stage(world.shop, "TST0001", world.actor())
    who = world.actor(world.carrier)
    code = codes.shop_code(world.shop.totp_secret, who.now)
    visit = open_visit(world.shop, world.network.id, world.carrier, who, code, who.now, kind=VisitKind.RETURN)
    assert ops.to_hand_over(world.shop) == [on_shelf]
    parcel, move = ops.hand_to_carrier(visit, "TST0001", who)
    assert parcel.state == State.RETURNED and parcel.events[-1].visit_id == visit.id
    delivery = open_visit(world.shop, world.network.id, world.carrier, who, code, who.now)
    with pytest.raises(rules.WrongVisit):
        ops.hand_to_carrier(delivery, "TST0001", who)


def test_staged_parcels_left_three_days_invite_a_support_call(world, on_shelf):
    clock.set_to(deadlines.pickup_deadline(on_shelf.dropped_at, world.shop.timezone) + timedelta(minutes=1))
    ops.expire_due(world.shop, clock.now())
    ops.stage(world.shop, "TST0001", world.actor())
    assert ops.waiting_too_long(world.shop, clock.now() + timedelta(days=2)) == []
    assert ops.waiting_too_long(world.shop, clock.now() + timedelta(days=3, minutes=1)) == [on_shelf]
    assert [e.action for e in on_shelf.events if isinstance(e, ParcelEvent)][-1] == Action.STAGE_FOR_RETURN
