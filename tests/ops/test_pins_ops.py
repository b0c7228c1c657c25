"""Personal PINs and the shared counter: set, check, lock, unlock by a password sign-in, and a switch that
keeps the device's sign-in."""
import pytest
from sqlalchemy import select

from hub.core import clock
from hub.core.extensions import db
from hub.core.models import Account, Device, DeviceAssociate, Role, ShopChange, ShopEvent
from hub.ops import accounts, pins
from hub.rules import pins as rules


@pytest.fixture
def device(world):
    """A device where the world's associate and a colleague signed in with their passwords."""
    now = clock.now()
    row = Device(id="00000000-0000-4000-8000-000000000001", shop_id=world.shop.id, first_seen_at=now, last_seen_at=now)
    colleague = Account(username="collegue", display_name="Collègue", role=Role.ASSOCIATE, shop=world.shop,
                        password_hash="-")
    db.session.add_all([row, colleague])
    db.session.flush()
    for account in (world.associate, colleague):
        pins.remember(row, account, now)
    world.colleague = colleague
    return row


def set_pin(world, account, pin, confirmation, device, password=None):
    """``account`` signed in with their password on ``device`` sets a PIN."""
    sign_in = accounts.start_sign_in(account, device.id, clock.now())
    return pins.set_pin(account, pin, confirmation, device, sign_in, password=password)


def test_a_pin_is_kept_as_a_hash_and_as_this_devices_keyed_hash(world, device):
    set_pin(world, world.associate, "2468", "2468", device)
    assert world.associate.pin_hash and "2468" not in world.associate.pin_hash
    known = db.session.get(DeviceAssociate, (device.id, world.associate.id))
    assert device.pin_secret and known.pin_key == rules.keyed_hash("2468", device.pin_secret, world.associate.id)


def test_a_new_pin_drops_the_keyed_hashes_other_devices_hold(world, device):
    now = clock.now()
    other = Device(id="00000000-0000-4000-8000-000000000002", first_seen_at=now, last_seen_at=now)
    db.session.add(other)
    db.session.flush()
    pins.remember(other, world.associate, now)
    world.associate.set_password("mot de passe 2468")
    set_pin(world, world.associate, "2468", "2468", other)
    set_pin(world, world.associate, "1357", "1357", device, password="mot de passe 2468")
    assert db.session.get(DeviceAssociate, (other.id, world.associate.id)).pin_key is None


def test_a_pin_is_replaced_only_with_the_password(world, device):
    world.associate.set_password("mot de passe 2468")
    set_pin(world, world.associate, "2468", "2468", device)  # a first PIN: the sign-in is enough
    first = world.associate.pin_hash
    for wrong in (None, "", "2468", "mot de passe"):
        with pytest.raises(pins.PasswordToReplace):
            set_pin(world, world.associate, "1357", "1357", device, password=wrong)
    assert world.associate.pin_hash == first


def test_a_refused_pin_changes_nothing(world, device):
    with pytest.raises(rules.BadPin):
        set_pin(world, world.associate, "12", "12", device)
    with pytest.raises(rules.PinsDiffer):
        set_pin(world, world.associate, "1234", "4321", device)
    assert world.associate.pin_hash is None


def test_five_wrong_pins_lock_and_a_password_sign_in_unlocks(world, device):
    set_pin(world, world.colleague, "2468", "2468", device)
    for left in (4, 3, 2, 1):
        with pytest.raises(rules.WrongPin) as refused:
            pins.check_pin(world.colleague, "0000")
        assert refused.value.params == {"left": left}
    with pytest.raises(rules.PinLocked):
        pins.check_pin(world.colleague, "0000")
    with pytest.raises(rules.PinLocked):
        pins.check_pin(world.colleague, "2468")
    pins.remember(device, world.colleague, clock.now())
    pins.check_pin(world.colleague, "2468")
    assert world.colleague.pin_failures == 0


def test_a_right_pin_starts_the_count_again(world, device):
    set_pin(world, world.colleague, "2468", "2468", device)
    for _ in range(4):
        with pytest.raises(rules.WrongPin):
            pins.check_pin(world.colleague, "0000")
    pins.check_pin(world.colleague, "2468")
    with pytest.raises(rules.WrongPin) as refused:
        pins.check_pin(world.colleague, "0000")
    assert refused.value.params == {"left": 4}


def test_a_switch_keeps_the_sign_in_open_and_changes_who_acts(world, device):
    set_pin(world, world.colleague, "2468", "2468", device)
    set_pin(world, world.associate, "1357", "1357", device)
    sign_in = accounts.start_sign_in(world.associate, device.id, clock.now())
    assert pins.switch(sign_in, world.colleague, "2468") is world.colleague
    assert sign_in.open and sign_in.at_counter is world.colleague and sign_in.account is world.associate
    pins.switch(sign_in, world.associate, "1357")
    assert sign_in.open
    assert sign_in.acting_account_id is None and sign_in.at_counter is world.associate


def test_a_deactivated_associate_at_the_counter_gives_it_back_to_the_sign_in(world, device):
    set_pin(world, world.colleague, "2468", "2468", device)
    sign_in = accounts.start_sign_in(world.associate, device.id, clock.now())
    pins.switch(sign_in, world.colleague, "2468")
    accounts.deactivate(world.colleague, clock.now())
    assert sign_in.open and sign_in.at_counter is world.associate


def test_only_the_shops_active_associates_known_on_the_device_are_listed(world, device):
    now = clock.now()
    stranger = Account(username="inconnu", display_name="Inconnu", role=Role.ASSOCIATE, shop=world.shop, password_hash="-")
    db.session.add(stranger)
    db.session.flush()
    assert {a.username for a in pins.known_on(device.id, world.shop.id)} == {"vendeuse", "collegue"}
    with pytest.raises(pins.NotKnownHere):
        pins.known_associate(device.id, world.shop.id, stranger.id)
    pins.remember(device, world.carrier, now)  # a carrier is never one of the counter's associates
    assert db.session.get(DeviceAssociate, (device.id, world.carrier.id)) is None


def test_the_idle_minutes_change_is_kept_in_the_shops_log(world):
    pins.set_idle_minutes(world.shop, "3", world.actor())
    event = db.session.scalars(select(ShopEvent).where(ShopEvent.shop_id == world.shop.id)).one()
    assert world.shop.idle_minutes == 3 and event.kind == ShopChange.IDLE_MINUTES and event.detail == "10 → 3"
    with pytest.raises(rules.BadIdleMinutes):
        pins.set_idle_minutes(world.shop, "0", world.actor())
    assert world.shop.idle_minutes == 3


def test_a_revoked_device_loses_its_secret_and_keyed_hashes(world, device):
    set_pin(world, world.associate, "2468", "2468", device)
    accounts.revoke_device(device, "volé", clock.now())
    assert device.pin_secret is None
    assert db.session.get(DeviceAssociate, (device.id, world.associate.id)).pin_key is None


def test_an_associate_at_the_counter_by_pin_cannot_change_a_pin(world, device):
    set_pin(world, world.colleague, "2468", "2468", device)
    sign_in = accounts.start_sign_in(world.associate, device.id, clock.now())
    pins.switch(sign_in, world.colleague, "2468")
    with pytest.raises(pins.PasswordFirst):
        pins.set_pin(world.colleague, "1111", "1111", device, sign_in)
    pins.check_pin(world.colleague, "2468")
