"""Drop-off operations: the visit opened with the shop code, parcels received into pickups and shelves."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.core import clock
from hub.core.extensions import db
from hub.core.models import NoticeKind, OutboxMessage, ParcelEvent
from hub.ops import dropoff as ops
from hub.ops import record
from hub.rules import codes, deadlines
from hub.rules.dropoff import ParcelForAnotherShop, ScanOutcome, UnknownParcel, VisitClosed, VisitEnd, shelf_letter
from hub.rules.errors import WrongCode
from hub.rules.parcels import Action, State


def open_visit(world, **fields):
    who = world.actor(world.carrier)
    code = codes.shop_code(world.shop.totp_secret, who.now)
    return ops.open_visit(world.shop, world.network.id, world.carrier, who, code, who.now, **fields)


def test_a_right_shop_code_opens_a_visit_and_a_wrong_one_opens_nothing(world):
    visit = open_visit(world)
    assert visit.open and visit.code_scanned_at == visit.opened_at
    wrong = "000000" if codes.shop_code(world.shop.totp_secret, clock.now()) != "000000" else "111111"
    with pytest.raises(WrongCode):
        ops.open_visit(world.shop, world.network.id, world.carrier, world.actor(world.carrier), wrong, clock.now())


def test_a_scanned_parcel_is_received_with_its_event_shelf_place_pickup_and_notice(world):
    parcel = world.parcel("TST0001")
    visit = open_visit(world)
    scanned, outcome = ops.scan_in(visit, "tst-0001", world.actor(world.carrier))
    assert scanned is parcel and outcome == ScanOutcome.RECEIVED and parcel.state == State.AT_STORE
    last_day = deadlines.last_pickup_day(parcel.dropped_at, world.shop.timezone)
    assert parcel.shelf_place == f"{shelf_letter(last_day)}-01"
    assert parcel.pickup.active and len(parcel.pickup.code) == 6
    [event] = parcel.events
    assert (event.action, event.visit_id, event.account_id) == (Action.RECEIVE, visit.id, world.carrier.id)
    notice = db.session.scalar(select(OutboxMessage).where(OutboxMessage.pickup_id == parcel.pickup.id))
    assert notice.kind == NoticeKind.PICKUP_NOTICE and parcel.pickup.code in notice.body


def test_two_parcels_of_one_customer_share_a_pickup_and_take_two_shelf_places(world):
    first, second = world.parcel("TST0001"), world.parcel("TST0002")
    visit = open_visit(world)
    for tracking_id in ("TST0001", "TST0002"):
        ops.scan_in(visit, tracking_id, world.actor(world.carrier))
    assert first.pickup is second.pickup
    assert first.shelf_place != second.shelf_place


def test_scanning_a_parcel_again_is_a_harmless_repeat(world):
    world.parcel("TST0001")
    visit = open_visit(world)
    ops.scan_in(visit, "TST0001", world.actor(world.carrier))
    parcel, outcome = ops.scan_in(visit, "TST0001", world.actor(world.carrier))
    assert outcome == ScanOutcome.ALREADY_HERE and len(parcel.events) == 1


def test_an_unknown_label_and_a_parcel_of_another_shop_are_refused(world):
    visit = open_visit(world)
    with pytest.raises(UnknownParcel):
        ops.scan_in(visit, "NOPE0001", world.actor(world.carrier))
    other_shop = world.shop.__class__(name="Ailleurs", street="2 rue", postcode="69001", city="Lyon",
                                      totp_secret=codes.new_shop_secret(), networks=[world.network])
    db.session.add(other_shop)
    db.session.flush()
    world.parcel("TST0009", shop=other_shop)
    with pytest.raises(ParcelForAnotherShop):
        ops.scan_in(visit, "TST0009", world.actor(world.carrier))


def test_a_visit_left_idle_is_over_and_a_finished_one_takes_no_scan(world):
    visit = open_visit(world)
    ops.settle(visit, clock.now() + timedelta(hours=1))
    assert visit.end_reason == VisitEnd.IDLE
    visit = open_visit(world)
    ops.finish_visit(visit, world.actor(world.carrier))
    assert visit.end_reason == VisitEnd.FINISHED
    world.parcel("TST0001")
    with pytest.raises(VisitClosed):
        ops.scan_in(visit, "TST0001", world.actor(world.carrier))


def test_a_damaged_parcel_is_refused_out_of_its_pickup_with_a_refund_notice(world):
    parcel = world.parcel("TST0001")
    visit = open_visit(world)
    ops.scan_in(visit, "TST0001", world.actor(world.carrier))
    pickup = parcel.pickup
    ops.refuse_damaged(visit, parcel, world.actor(world.carrier))
    assert parcel.state == State.REFUSED_AT_DROPOFF and parcel.pickup is None and parcel.shelf_place is None
    assert not pickup.active
    kinds = db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.parcel_id == parcel.id)).all()
    assert NoticeKind.REFUND in kinds


def test_an_other_carriers_intake_goes_on_online_and_is_its_own_offline(world):
    first = ops.start_intake(world.shop, world.network.id, world.associate, world.actor())
    assert ops.start_intake(world.shop, world.network.id, world.associate, world.actor()) is first
    offline = ops.start_intake(world.shop, world.network.id, world.associate, world.actor(offline=True),
                               key="started-offline-1")
    assert offline is not first and offline.key == "started-offline-1"


def test_a_parcel_found_again_gets_its_customers_code_back(world):
    parcel = world.parcel("TST0001")
    ops.scan_in(open_visit(world), "TST0001", world.actor(world.carrier))
    from hub.ops import pickup as pickup_ops

    pickup_ops.mark_not_found(parcel, world.actor())
    parcel.pickup.active = False  # the turn ended with nothing left to hand over
    ops.find_again(parcel, world.actor())
    assert parcel.state == State.AT_STORE and parcel.pickup.active
    assert db.session.scalar(select(ParcelEvent.action).order_by(ParcelEvent.id.desc()).limit(1)) == Action.FOUND_AGAIN


def test_a_missing_parcel_found_again_takes_the_next_place_when_its_own_was_given_away(world):
    first, second = world.parcel("TST0001"), world.parcel("TST0002", recipient="Autre Client", email="a@example.fr")
    visit = open_visit(world)
    ops.scan_in(visit, "TST0001", world.actor(world.carrier))
    place = first.shelf_place
    for action in (Action.EXPIRE, Action.MARK_MISSING):
        record(first, action, world.actor())
    second.dropped_at = first.dropped_at  # same last day: the same letter
    ops.scan_in(visit, "TST0002", world.actor(world.carrier))
    second.shelf_place = place  # the freed place went to the next parcel
    db.session.flush()
    ops.find_again(first, world.actor())
    assert first.state == State.AT_STORE and first.shelf_place not in (None, place)


def test_a_parcel_found_again_joins_the_customers_pickup_opened_since(world):
    first, later = world.parcel("TST0001"), world.parcel("TST0002")
    visit = open_visit(world)
    ops.scan_in(visit, "TST0001", world.actor(world.carrier))
    old = first.pickup
    record(first, Action.MARK_NOT_FOUND, world.actor())
    old.active = False  # the customer's turn ended with nothing left to hand over
    db.session.flush()
    ops.scan_in(visit, "TST0002", world.actor(world.carrier))
    assert later.pickup is not old and later.pickup.active
    ops.find_again(first, world.actor())
    assert first.pickup is later.pickup and not old.active
