"""A network's settings in use: its hold period (open days, kept on each parcel as it arrives), its « Autre »
rules, a shop that is not active; and the back office's operations, each change in the audit log."""
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from hub.core.extensions import db
from hub.core.models import AuditAction, AuditEntry, Network, OpeningRange, ShopChange, ShopEvent
from hub.ops import deposits as deposit_ops
from hub.ops import dropoff, network as ops, pickup, returns
from hub.rules.deposits import OverLimit
from hub.ops import shop as shop_ops
from hub.ops.queries import shop_hours
from hub.ops.tasks import blocking_task, pending_tasks
from hub.rules import codes, deadlines
from hub.rules import networks as rules
from hub.rules.dropoff import OtherCarrierNotAllowed, VisitKind
from hub.rules.parcels import State


def received(world, tracking_id):
    visit = dropoff.start_intake(world.shop, world.network.id, world.associate, world.actor())
    parcel = world.parcel(tracking_id)
    dropoff.receive(parcel, visit, world.actor())
    dropoff.finish_visit(visit, world.actor())
    return parcel


def settings(world, **changes):
    network = world.network
    values = dict(name=network.name, hold_days=network.hold_days, default_capacity=network.default_capacity,
                  other_carrier_allowed=network.other_carrier_allowed, intake_minutes=network.intake_minutes,
                  dropoff_max_kg=network.dropoff_max_kg, dropoff_max_cm=network.dropoff_max_cm)
    return ops.update_settings(network, world.carrier, world.actor().now, **dict(values, **changes))


def audit(world):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.network_id == world.network.id)
                              .order_by(AuditEntry.id)).all()


def weekdays_only(world):
    """The shop opens Monday to Friday: Saturdays and Sundays do not count."""
    world.shop.ranges = [OpeningRange(weekday=d, opens=time(8), closes=time(20)) for d in range(5)]
    db.session.flush()


def test_a_parcel_is_held_for_its_networks_period_counted_in_the_days_the_shop_opens(world):
    weekdays_only(world)
    settings(world, hold_days="3")
    parcel = received(world, "TST0001")
    ranges, closed = shop_hours(world.shop)
    assert parcel.hold_days == 3
    assert parcel.last_day == deadlines.last_pickup_day(parcel.dropped_at, world.shop.timezone, ranges, closed, 3)
    assert parcel.last_day != deadlines.last_pickup_day(parcel.dropped_at, world.shop.timezone, ranges, closed, 7)
    assert parcel.last_day.weekday() < 5
    assert parcel.expires_at == deadlines.expiry_of(parcel.last_day, world.shop.timezone)


def test_a_new_hold_period_leaves_the_parcels_already_held_even_when_the_hours_change(world):
    parcel = received(world, "TST0001")
    told = parcel.last_day
    settings(world, hold_days="14")
    assert parcel.hold_days == 7 and parcel.last_day == told
    weekdays_only(world)
    shop_ops.hours_changed(world.shop, world.actor())
    ranges, closed = shop_hours(world.shop)
    assert parcel.last_day == deadlines.last_pickup_day(parcel.dropped_at, world.shop.timezone, ranges, closed, 7)
    later = received(world, "TST0002")
    assert later.hold_days == 14
    assert later.last_day == deadlines.last_pickup_day(later.dropped_at, world.shop.timezone, ranges, closed, 14)


def test_the_other_carriers_intake_is_due_after_the_networks_minutes_of_opening_time(world):
    settings(world, intake_minutes="90")
    visit = dropoff.start_intake(world.shop, world.network.id, world.associate, world.actor())
    ranges, closed = shop_hours(world.shop)
    [task] = pending_tasks(world.shop)
    assert task.deadline == deadlines.intake_deadline(visit.opened_at, ranges, closed, world.shop.timezone,
                                                      timedelta(minutes=90))
    assert task.deadline != deadlines.intake_deadline(visit.opened_at, ranges, closed, world.shop.timezone)
    assert blocking_task(world.shop, task.deadline - timedelta(seconds=1)) is None
    assert blocking_task(world.shop, task.deadline).kind == "intake"


def test_a_network_that_refuses_the_other_carrier_starts_no_intake(world):
    settings(world, other_carrier_allowed=False)
    with pytest.raises(OtherCarrierNotAllowed):
        dropoff.start_intake(world.shop, world.network.id, world.associate, world.actor())
    assert pending_tasks(world.shop) == []


def open_visit(world, kind=VisitKind.DROPOFF):
    who = world.actor(world.carrier)
    code = codes.shop_code(world.shop.totp_secret, who.now)
    return dropoff.open_visit(world.shop, world.network.id, world.carrier, who, code, who.now, kind=kind)


def test_a_shop_not_active_receives_nothing_but_still_hands_over_what_it_holds(world):
    waiting, to_return = received(world, "TST0001"), received(world, "TST0002")
    visit = open_visit(world)
    expected = world.parcel("TST0003")
    shop_ops.set_active(world.shop, False, world.actor())
    with pytest.raises(shop_ops.ShopInactive):
        dropoff.scan_in(visit, "TST0003", world.actor(world.carrier))
    with pytest.raises(shop_ops.ShopInactive):
        open_visit(world)
    with pytest.raises(shop_ops.ShopInactive):
        dropoff.start_intake(world.shop, world.network.id, world.associate, world.actor())
    assert expected.state == State.EXPECTED
    collected, _move = pickup.hand_over(waiting.pickup, "TST0001", world.actor())
    assert collected.state == State.COLLECTED
    returns.expire_due(world.shop, to_return.expires_at)
    returns.stage(world.shop, "TST0002", world.actor())
    taken, _move = returns.hand_to_carrier(open_visit(world, VisitKind.RETURN), "TST0002", world.actor(world.carrier))
    assert taken.state == State.RETURNED


@pytest.mark.parametrize("field, raw, error", [
    ("hold_days", "0", rules.BadHoldDays), ("hold_days", "31", rules.BadHoldDays),
    ("default_capacity", "0", rules.BadCapacity), ("default_capacity", "100000", rules.BadCapacity),
    ("intake_minutes", "0", rules.BadIntakeMinutes), ("name", " ", shop_ops.MissingField),
])
def test_a_setting_out_of_bounds_changes_nothing(world, field, raw, error):
    with pytest.raises(error):
        settings(world, **{"hold_days": "10", "intake_minutes": "60", field: raw})
    assert world.network.hold_days == 7 and audit(world) == []


def test_each_setting_changed_is_an_audit_entry_before_and_after(world):
    assert settings(world, name="Réseau Neuf", hold_days="10", default_capacity="40", other_carrier_allowed=False,
                    intake_minutes="45") == 5
    assert [(e.action, e.before, e.after) for e in audit(world)] == [
        (AuditAction.NETWORK_NAME, "Réseau Test", "Réseau Neuf"), (AuditAction.HOLD_DAYS, "7", "10"),
        (AuditAction.DEFAULT_CAPACITY, "20", "40"), (AuditAction.OTHER_CARRIER, "yes", "no"),
        (AuditAction.INTAKE_MINUTES, "30", "45")]
    assert settings(world) == 0 and len(audit(world)) == 5


def test_new_drop_off_limits_are_audited_and_the_next_refusal_names_them(world):
    assert settings(world, dropoff_max_kg="12", dropoff_max_cm="80") == 2
    assert [(e.action, e.before, e.after) for e in audit(world)] == [
        (AuditAction.DROPOFF_MAX_KG, "20", "12"), (AuditAction.DROPOFF_MAX_CM, "100", "80")]
    world.shop.offers_customer_dropoff = True
    deposit = deposit_ops.announce(world.network, dict(tracking_id="RET0001", sender_name="Inès Moreau"),
                                   world.actor())[0]
    refusal = deposit_ops.refuse(world.shop, deposit, OverLimit.TOO_HEAVY, world.actor())
    assert refusal.params["kg"] == 12


def test_a_bad_drop_off_limit_changes_no_setting(world):
    with pytest.raises(rules.BadDropoffCm):
        settings(world, hold_days="10", dropoff_max_kg="30", dropoff_max_cm="301")
    assert (world.network.hold_days, world.network.dropoff_max_kg) == (7, 20) and audit(world) == []


def test_a_network_cannot_take_another_networks_name(world):
    db.session.add(Network(name="Autre Réseau"))
    with pytest.raises(shop_ops.NetworkTaken):
        settings(world, name="autre réseau")


def new_shop(world, operated=None, **fields):
    values = dict(name="Bazar du Port", street="3 quai", postcode="13002", city="Marseille", timezone="Europe/Paris",
                  capacity="25", capabilities=["PICK_UP", "DROP_OFF"], active=True, networks=[world.network.id])
    return ops.create_shop(world.carrier, world.actor(), operated or [world.network], **dict(values, **fields))


def test_a_new_shop_gets_a_shop_code_the_default_week_and_an_audit_entry(world):
    shop = new_shop(world)
    assert shop.networks == [world.network] and shop.capacity == 25 and shop.offers_customer_dropoff
    assert len(shop.totp_secret) >= 16 and codes.shop_code(shop.totp_secret, world.actor().now).isdigit()
    assert [(r.weekday, r.opens, r.closes) for r in shop.ranges] == [(d, time(9), time(19)) for d in range(6)]
    [entry] = audit(world)
    assert entry.action == AuditAction.SHOP_CREATED and entry.shop is shop and "Marseille" in entry.after


@pytest.mark.parametrize("fields, error", [
    (dict(networks=[]), shop_ops.NoNetworkChosen), (dict(networks=[None]), shop_ops.NetworkNotYours),
    (dict(timezone=""), shop_ops.MissingTimezone), (dict(timezone="Europe/Lutece"), shop_ops.BadTimezone),
    (dict(capacity="0"), rules.BadCapacity), (dict(capacity="100000"), rules.BadCapacity),
    (dict(city=""), shop_ops.MissingField), (dict(capabilities=["TELEPORT"]), shop_ops.BadCapability),
])
def test_a_shop_with_bad_settings_is_refused(world, fields, error):
    with pytest.raises(error):
        new_shop(world, **fields)


def test_a_shop_is_attached_only_to_the_operators_networks(world):
    theirs = Network(name="Leur Réseau")
    db.session.add(theirs)
    db.session.flush()
    with pytest.raises(shop_ops.NetworkNotYours):
        new_shop(world, networks=[world.network.id, theirs.id])
    world.shop.networks.append(theirs)
    edit(world, networks=[world.network.id])
    assert world.shop.networks == [theirs, world.network]  # another operator's network stays


def edit(world, **fields):
    shop = world.shop
    values = dict(name=shop.name, street=shop.street, postcode=shop.postcode, city=shop.city, timezone=shop.timezone,
                  capacity=str(shop.capacity), capabilities=["PICK_UP"], active=shop.active,
                  networks=[world.network.id])
    return ops.update_shop(shop, world.carrier, world.actor(), [world.network], **dict(values, **fields))


def test_an_edited_shop_has_each_change_in_the_audit_log_and_the_shops_log(world):
    assert edit(world, capacity="60", active=False) == 2
    assert [(e.action, e.before, e.after) for e in audit(world)] == [
        (AuditAction.SHOP_CAPACITY, "20", "60"), (AuditAction.SHOP_ACTIVE, "active", "inactive")]
    kinds = db.session.scalars(select(ShopEvent.kind).where(ShopEvent.shop_id == world.shop.id)).all()
    assert kinds == [ShopChange.CAPACITY, ShopChange.ACTIVE]
    assert edit(world) == 0


def test_the_scheduled_pass_expires_the_parcels_of_a_shop_not_active(world):
    from hub.worker.schedule import expire_all

    parcel = received(world, "TST0001")
    shop_ops.set_active(world.shop, False, world.actor())
    db.session.commit()
    assert expire_all(parcel.expires_at) == 1 and parcel.state == State.EXPIRED
