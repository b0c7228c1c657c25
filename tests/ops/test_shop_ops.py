"""Operations on a shop's settings: « Je suis complet », capacity, hours and closures, each one kept as a change."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.core import clock
from hub.core.extensions import db
from hub.core.models import ShopChange, ShopEvent
from hub.ops import shop as ops
from hub.rules import hours as hours_rules
from hub.rules.deadlines import local_date


def changes(world):
    return db.session.scalars(select(ShopEvent.kind).where(ShopEvent.shop_id == world.shop.id)
                              .order_by(ShopEvent.id)).all()


def test_saying_full_twice_records_one_change_and_refuses_new_parcels(world):
    assert ops.declare_full(world.shop, True, world.actor()) is True
    assert ops.declare_full(world.shop, True, world.actor()) is False
    assert changes(world) == [ShopChange.FULL]
    with pytest.raises(ops.ShopFull):
        ops.send_expected(world.shop, world.network, world.actor(), tracking_id="TST0001", recipient_name="Léa")


@pytest.mark.parametrize("raw", ["4", "0", "1001", "100000", "-5", "vingt", ""])
def test_a_capacity_out_of_bounds_is_refused_and_changes_nothing(world, raw):
    with pytest.raises(ops.BadCapacity):
        ops.set_capacity(world.shop, raw, world.actor())
    assert world.shop.capacity == 20 and changes(world) == []


def test_a_new_capacity_is_kept_with_what_it_was(world):
    ops.set_capacity(world.shop, " 35 ", world.actor())
    assert world.shop.capacity == 35
    assert changes(world) == [ShopChange.CAPACITY]


def test_a_week_is_saved_whole_or_not_at_all(world):
    with pytest.raises(hours_rules.Overlap):
        ops.set_week(world.shop, [(0, "09:00", "13:00"), (0, "12:00", "19:00")], world.actor())
    assert len(world.shop.ranges) == 7
    ops.set_week(world.shop, [(0, "09:00", "12:30"), (0, "14:00", "19:00")], world.actor())
    assert [(r.weekday, r.opens.hour) for r in world.shop.ranges] == [(0, 9), (0, 14)]


def test_a_closure_is_added_then_removed_and_both_are_kept(world):
    today = local_date(clock.now(), world.shop.timezone)
    closure, _moved = ops.add_closure(world.shop, today + timedelta(days=3), today + timedelta(days=4), "Inventaire",
                              world.actor(), today)
    assert world.shop.closures == [closure]
    ops.remove_closure(closure, world.actor())
    assert world.shop.closures == []
    assert changes(world) == [ShopChange.CLOSURE_ADDED, ShopChange.CLOSURE_REMOVED]


def test_a_parcel_sent_to_the_shop_is_expected_there_and_a_second_with_its_id_is_refused(world):
    parcel = ops.send_expected(world.shop, world.network, world.actor(), tracking_id="tst-0001",
                               recipient_name="Léa Bernard", recipient_email="lea@example.fr")
    assert parcel.tracking_id == "TST0001" and parcel.shop is world.shop
    with pytest.raises(ops.TrackingIdTaken):
        ops.send_expected(world.shop, world.network, world.actor(), tracking_id="TST0001", recipient_name="Léa")
    with pytest.raises(ops.BadEmail):
        ops.send_expected(world.shop, world.network, world.actor(), tracking_id="TST0002", recipient_name="Léa",
                          recipient_email="pas une adresse")
