"""Customers' drop-offs: announced by the network, found from what the customer shows, taken or refused at the
counter, taken away by the carrier."""
from datetime import timedelta
import json

import pytest

from hub.core import clock
from hub.core.extensions import db
from hub.core.models import Network, NoticeKind, OutboxMessage, WebhookDelivery
from hub.ops import deposits as ops
from hub.ops import returns, webhooks
from hub.ops.dropoff import find_again, open_visit
from hub.rules import codes
from hub.rules import deposits as rules
from hub.rules.dropoff import VisitKind
from hub.rules.parcels import Action, Size, State


def announce(world, tracking_id="RET0001", **fields):
    item = dict(tracking_id=tracking_id, sender_name="Inès Moreau", sender_email="ines@example.fr",
                service="Retour Boutique Lune", label_needed=True, **fields)
    return ops.announce(world.network, item, world.actor())[0]


@pytest.fixture
def takes_dropoffs(world):
    world.shop.offers_customer_dropoff = True
    webhooks.add_endpoint(world.network, "https://network.example/hooks", clock.now())
    return world


def types(world):
    return [json.loads(d.body)["type"] for d in db.session.query(WebhookDelivery).order_by(WebhookDelivery.id)]


def test_a_code_or_a_label_finds_the_drop_off(takes_dropoffs):
    world = takes_dropoffs
    deposit = announce(world)
    assert rules.read_code(deposit.code) == deposit.code
    assert ops.find(world.shop, deposit.code.lower().replace("-", " ")) is deposit
    assert ops.find(world.shop, "ret-0001") is deposit


def test_taken_it_waits_on_the_r_shelf_with_a_receipt_mailed_and_the_network_told(takes_dropoffs):
    world = takes_dropoffs
    deposit = announce(world)
    parcel = ops.take(world.shop, deposit, Size.MEDIUM, world.actor())
    assert (parcel.state, parcel.outgoing, parcel.shelf_place, parcel.size) == (State.DEPOSITED, True, "R-01",
                                                                                Size.MEDIUM)
    assert parcel.events[-1].action == Action.DEPOSIT and deposit.receipt_token
    [mail] = db.session.query(OutboxMessage).filter_by(kind=NoticeKind.DEPOSIT_RECEIPT).all()
    assert mail.recipient == "ines@example.fr" and deposit.receipt_token in mail.body and "Vendeuse" in mail.body
    assert types(world) == ["dropoff.received"]
    second = ops.take(world.shop, announce(world, "RET0002"), Size.SMALL, world.actor())
    assert second.shelf_place == "R-02"


def test_a_second_scan_says_when_it_was_deposited(takes_dropoffs):
    world = takes_dropoffs
    deposit = announce(world)
    ops.take(world.shop, deposit, Size.SMALL, world.actor())
    with pytest.raises(rules.AlreadyDeposited) as refused:
        ops.take(world.shop, deposit, Size.SMALL, world.actor())
    assert refused.value.params["deposit"] is deposit and refused.value.params["shop"] == world.shop.name
    assert len(deposit.parcel.events) == 1


def test_refusals_say_what_to_tell_the_customer(takes_dropoffs):
    world = takes_dropoffs
    with pytest.raises(rules.UnknownDeposit):
        ops.find(world.shop, "DEP-AAAAAAAAAA")
    other = Network(name="Autre Réseau")
    db.session.add(other)
    db.session.flush()
    foreign = ops.announce(other, dict(tracking_id="X1", sender_name="Zoé"), world.actor())[0]
    with pytest.raises(rules.OtherNetwork):
        ops.find(world.shop, foreign.code)
    pickup = world.parcel("PICK0001", state=State.AT_STORE)
    with pytest.raises(rules.IsAPickup):
        ops.find(world.shop, pickup.tracking_id)
    late = announce(world, "RET0003", valid_days=1)
    clock.set_to(clock.now() + timedelta(days=1, seconds=1))
    with pytest.raises(rules.DepositExpired):
        ops.take(world.shop, late, Size.SMALL, world.actor())
    assert late.parcel_id is None


def test_over_the_limits_it_is_refused_once_and_for_all(takes_dropoffs):
    world = takes_dropoffs
    deposit = announce(world)
    refusal = ops.refuse(world.shop, deposit, rules.OverLimit.TOO_HEAVY, world.actor())
    assert isinstance(refusal, rules.TooHeavy) and refusal.params == {"kg": 20}
    assert deposit.refusal == rules.OverLimit.TOO_HEAVY and deposit.refused_by_id == world.associate.id
    with pytest.raises(rules.RefusedBefore):
        ops.take(world.shop, deposit, Size.SMALL, world.actor())
    assert types(world) == ["dropoff.refused"]


def test_a_shop_without_the_service_takes_none(world):
    deposit = announce(world)
    with pytest.raises(rules.NoDropOffHere):
        ops.take(world.shop, deposit, Size.SMALL, world.actor())


def test_the_carrier_takes_drop_offs_at_the_returns_collection_by_label_or_shop_barcode(takes_dropoffs):
    world = takes_dropoffs
    first = ops.take(world.shop, announce(world), Size.SMALL, world.actor())
    second = ops.take(world.shop, announce(world, "RET0002"), Size.SMALL, world.actor(), shop_label="cpt 000 123")
    assert returns.to_hand_over(world.shop) == [first, second]
    code = codes.shop_code(world.shop.totp_secret, clock.now())
    visit = open_visit(world.shop, world.network.id, world.carrier, world.actor(world.carrier), code, clock.now(),
                       kind=VisitKind.RETURN)
    returns.hand_to_carrier(visit, first.tracking_id, world.actor(world.carrier))
    returns.hand_to_carrier(visit, "CPT000123", world.actor(world.carrier))
    assert (first.state, second.state) == (State.DISPATCHED, State.DISPATCHED)
    assert types(world).count("dropoff.collected") == 2


def test_a_drop_off_not_found_is_missing_until_found_again(takes_dropoffs):
    world = takes_dropoffs
    parcel = ops.take(world.shop, announce(world), Size.SMALL, world.actor())
    returns.mark_missing(parcel, world.actor())
    assert parcel.state == State.MISSING
    find_again(parcel, world.actor())
    assert parcel.state == State.DEPOSITED
    assert types(world) == ["dropoff.received", "dropoff.missing", "dropoff.found_again"]


def test_the_same_announcement_twice_changes_nothing_other_details_are_refused(world):
    deposit = announce(world)
    assert ops.announce(world.network, dict(tracking_id="RET0001", sender_name="Inès Moreau",
                                            sender_email="ines@example.fr", service="Retour Boutique Lune",
                                            label_needed=True), world.actor()) == (deposit, False)
    with pytest.raises(rules.TrackingIdAnnounced):
        ops.announce(world.network, dict(tracking_id="RET0001", sender_name="Quelqu'un d'autre"), world.actor())


def test_a_drop_off_found_again_takes_the_next_place_when_its_own_was_given_away(takes_dropoffs):
    world = takes_dropoffs
    lost = ops.take(world.shop, announce(world), Size.SMALL, world.actor())
    returns.mark_missing(lost, world.actor())
    newer = ops.take(world.shop, announce(world, "RET0002"), Size.SMALL, world.actor())
    assert newer.shelf_place == lost.shelf_place == "R-01"
    find_again(lost, world.actor())
    assert (lost.state, lost.shelf_place) == (State.DEPOSITED, "R-02")
