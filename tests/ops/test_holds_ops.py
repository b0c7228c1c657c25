"""Holds kept as state: set when a parcel is received, moved with the shop's closures and hours (customers
told), expired by index; the shop row says when anything is next due."""
from datetime import timedelta

from sqlalchemy import select

from hub.core import clock
from hub.core.extensions import db
from hub.core.models import NoticeKind, OutboxMessage
from hub.ops import holds
from hub.ops import shop as shop_ops
from hub.ops.dropoff import finish_visit, receive, start_intake
from hub.ops.queries import shop_hours
from hub.ops.returns import expire_due
from hub.ops.tasks import blocking_task, pending_tasks
from hub.rules import deadlines
from hub.rules.parcels import State

from ..conftest import statements


def received(world, *tracking_ids, recipient="Camille Martin"):
    visit = start_intake(world.shop, world.network.id, world.associate, world.actor())
    parcels = [world.parcel(t, recipient=recipient) for t in tracking_ids]
    for parcel in parcels:
        receive(parcel, visit, world.actor())
    finish_visit(visit, world.actor())
    return parcels


def moved_notices():
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == NoticeKind.DEADLINE_MOVED)).all()


def test_a_received_parcel_carries_its_hold_and_the_shop_its_earliest_expiry(world):
    [parcel] = received(world, "TST0001")
    ranges, closed = shop_hours(world.shop)
    assert parcel.last_day == deadlines.last_pickup_day(parcel.dropped_at, world.shop.timezone, ranges, closed)
    assert parcel.expires_at == deadlines.expiry_of(parcel.last_day, world.shop.timezone)
    assert world.shop.next_expiry_at == parcel.expires_at


def test_a_closure_over_the_last_day_moves_it_and_tells_the_customer_once(world):
    first, second = received(world, "TST0001", "TST0002")
    before = first.last_day
    today = deadlines.local_date(clock.now(), world.shop.timezone)
    closure, moved = shop_ops.add_closure(world.shop, before - timedelta(days=1), before, "Congés", world.actor(), today)
    assert set(moved) == {first, second}
    assert first.last_day == before + timedelta(days=2) and first.expires_at > deadlines.expiry_of(before, "Europe/Paris")
    [notice] = moved_notices()
    assert notice.pickup_id == first.pickup_id and "TST0001" in notice.body and "TST0002" in notice.body
    assert world.shop.next_expiry_at == first.expires_at
    assert shop_ops.remove_closure(closure, world.actor()) == [first, second]
    assert first.last_day == before and len(moved_notices()) == 2


def test_a_closure_after_every_last_day_concerns_no_parcel(world):
    [parcel] = received(world, "TST0001")
    today = deadlines.local_date(clock.now(), world.shop.timezone)
    after = parcel.last_day + timedelta(days=3)
    _closure, moved = shop_ops.add_closure(world.shop, after, after, "", world.actor(), today)
    assert moved == [] and moved_notices() == []


def test_fewer_opening_days_move_the_last_day(world):
    [parcel] = received(world, "TST0001")
    before = parcel.last_day
    _week, moved = shop_ops.set_week(world.shop, [(d, "09:00", "12:00") for d in range(5)], world.actor())
    assert moved == [parcel] and parcel.last_day > before and parcel.last_day.weekday() < 5


def test_expiry_goes_by_the_stored_instant_and_the_shop_learns_the_next_one(world):
    first, = received(world, "TST0001")
    clock.set_to(first.expires_at + timedelta(days=2))
    [later] = received(world, "TST0002", recipient="Léa Bernard")
    assert world.shop.next_expiry_at == first.expires_at and holds.expiry_due(world.shop, clock.now())
    assert expire_due(world.shop, clock.now()) == 1
    assert first.state == State.EXPIRED and later.state == State.AT_STORE
    assert world.shop.next_expiry_at == later.expires_at and not holds.expiry_due(world.shop, clock.now())


def test_an_expiry_makes_the_shop_look_at_its_tasks_once_then_it_knows_the_deadline(world):
    [parcel] = received(world, "TST0001")
    world.shop.tasks_due_at = None  # the « Autre » intake is over
    clock.set_to(parcel.expires_at + timedelta(minutes=5))
    expire_due(world.shop, clock.now())
    assert holds.tasks_due(world.shop, clock.now())
    assert blocking_task(world.shop, clock.now()) is None
    [task] = pending_tasks(world.shop)
    assert world.shop.tasks_due_at == task.deadline > clock.now()
    assert blocking_task(world.shop, task.deadline) == task


def test_with_no_task_waiting_the_counter_asks_nothing_of_the_database(world):
    received(world, "TST0001")
    now = clock.now()
    blocking_task(world.shop, now)  # what the intake left to look at
    db.session.flush()
    with statements() as run:
        assert pending_tasks(world.shop) == [] and blocking_task(world.shop, now) is None
        assert not holds.expiry_due(world.shop, now)
    assert run == []


def test_the_scheduled_pass_expires_the_shops_whose_earliest_expiry_has_passed(world, app):
    from hub.worker.schedule import expire_all

    [parcel] = received(world, "TST0001")
    db.session.commit()
    assert expire_all(parcel.expires_at - timedelta(seconds=1)) == 0
    assert expire_all(parcel.expires_at) == 1
    assert parcel.state == State.EXPIRED and world.shop.next_expiry_at is None
    assert app.test_cli_runner().invoke(args=["expire"]).output == "0 parcel(s) expired.\n"  # nothing left
