"""Customer pickup operations: a pickup opened by its code, parcels handed over, the guessing limit, « Terminé »."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.core import clock
from hub.core.extensions import db
from hub.core.models import PickupCodeFailure
from hub.ops import pickup as ops
from hub.ops.dropoff import join_pickup, receive, start_intake
from hub.ops.turns import load_turn, turn_of
from hub.rules import pickup as rules
from hub.rules.errors import WrongCode
from hub.rules.parcels import State


def received(world, *parcels):
    """The associate scans ``parcels`` in (an « Autre » delivery)."""
    visit = start_intake(world.shop, world.network.id, world.associate, world.actor())
    for parcel in parcels:
        receive(parcel, visit, world.actor())
    return parcels


@pytest.fixture
def waiting(world):
    """Two parcels of one customer received at the shop: (pickup, [parcels])."""
    parcels = received(world, world.parcel("TST0001"), world.parcel("TST0002"))
    return parcels[0].pickup, parcels


def test_the_code_and_the_notice_token_open_the_pickup(world, waiting):
    pickup, _ = waiting
    assert ops.open_pickup(world.shop.id, pickup.code, world.actor()) is pickup
    assert ops.open_pickup(world.shop.id, f" {pickup.token} ", world.actor()) is pickup


def test_a_wrong_code_is_recorded_as_a_keyed_digest_then_refused(world, waiting):
    pickup, _ = waiting
    wrong = "000000" if pickup.code != "000000" else "111111"
    with pytest.raises(WrongCode):
        ops.open_pickup(world.shop.id, wrong, world.actor())
    failure = db.session.scalars(select(PickupCodeFailure)).one()
    assert failure.shop_id == world.shop.id and wrong not in failure.code_digest


def test_ten_wrong_codes_lock_the_device_but_the_notice_barcode_still_opens(world, waiting):
    pickup, _ = waiting
    wrong = "000000" if pickup.code != "000000" else "111111"
    for _ in range(rules.DEVICE_LIMIT):
        with pytest.raises(WrongCode):
            ops.open_pickup(world.shop.id, wrong, world.actor())
    with pytest.raises(rules.TooManyWrongCodes):
        ops.open_pickup(world.shop.id, pickup.code, world.actor())
    assert ops.open_pickup(world.shop.id, pickup.token, world.actor()) is pickup
    assert ops.guard(world.shop.id, "device-1", clock.now()).attempts_left == 0


def test_handing_over_moves_the_parcel_and_another_customers_label_is_refused(world, waiting):
    pickup, (first, second) = waiting
    parcel, move = ops.hand_over(pickup, "tst 0001", world.actor())
    assert parcel is first and first.state == State.COLLECTED and not move.repeat
    someone_else = world.parcel("TST0003", recipient="Léa Bernard", email="lea@example.fr")
    received(world, someone_else)
    with pytest.raises(rules.ParcelOfAnotherCustomer):
        ops.hand_over(pickup, "TST0003", world.actor())


def test_a_turn_ends_with_its_summary_and_frees_the_code_once_nothing_waits(world, waiting):
    pickup, (first, second) = waiting
    turn = turn_of(pickup, clock.now())
    ops.hand_over(pickup, first.tracking_id, world.actor())
    ops.option(second, turn.opened_at, ops.reject, world.actor())
    summary = ops.finish(pickup, turn.opened_at)
    assert summary.handed_over == (first,) and summary.rejected == (second,) and not summary.keeps_code
    assert not pickup.active


def test_a_parcel_not_found_keeps_the_code_and_offers_no_second_option_in_the_same_turn(world, waiting):
    pickup, (first, _) = waiting
    turn = turn_of(pickup, clock.now())
    ops.option(first, turn.opened_at, ops.mark_not_found, world.actor())
    with pytest.raises(ops.AlreadyDealtWith):
        ops.option(first, turn.opened_at, ops.reject, world.actor())
    assert ops.finish(pickup, turn.opened_at).keeps_code and pickup.active


def test_a_ticket_opens_its_turn_at_its_own_shop_only_and_expires(world, waiting):
    pickup, _ = waiting
    turn = turn_of(pickup, clock.now())
    assert load_turn(turn.ticket, world.shop.id, clock.now()).pickup is pickup
    assert load_turn(turn.ticket, world.shop.id + 1, clock.now()) is None
    assert load_turn(turn.ticket[:-2] + "xx", world.shop.id, clock.now()) is None
    with pytest.raises(rules.TurnExpired):
        load_turn(turn.ticket, world.shop.id, clock.now() + rules.TURN_LIFETIME + timedelta(seconds=1))


def test_one_customer_keeps_one_pickup_while_parcels_wait(world, waiting):
    pickup, (first, _) = waiting
    third = world.parcel("TST0003")
    assert join_pickup(third, clock.now()) is pickup
    assert db.session.scalar(select(func.count()).select_from(type(pickup))) == 1
