"""Personal PINs: their form, the lock after wrong ones, the keyed hash a device checks offline, the idle delay."""
import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from hub.rules import pins


@pytest.mark.parametrize("pin", ["0000", "12345", "987654"])
def test_four_to_six_digits_make_a_pin(pin):
    assert pins.check_format(pin) == pin


@pytest.mark.parametrize("pin", ["", "123", "1234567", "12a4", "12 34", "١٢٣٤", "１２３４", None, "-123"])
def test_anything_else_is_refused(pin):
    with pytest.raises(pins.BadPin):
        pins.check_format(pin)


def test_a_new_pin_is_asked_twice():
    assert pins.check_new("2468", "2468") == "2468"
    with pytest.raises(pins.PinsDiffer):
        pins.check_new("2468", "2486")
    with pytest.raises(pins.BadPin):
        pins.check_new("24", "24")


def test_wrong_pins_count_down_then_lock_at_five():
    assert [pins.refusal(n).params["left"] for n in range(1, 5)] == [4, 3, 2, 1]
    assert isinstance(pins.refusal(5), pins.PinLocked) and pins.locked(5) and not pins.locked(4)


def test_the_keyed_hash_is_pbkdf2_of_the_pin_with_the_devices_secret_and_the_account():
    expected = hashlib.pbkdf2_hmac("sha256", b"1357", b"secret:7", pins.ITERATIONS).hex()
    assert pins.keyed_hash("1357", "secret", 7) == expected
    assert pins.keyed_hash("1357", "other", 7) != expected and pins.keyed_hash("1357", "secret", 8) != expected
    assert pins.ITERATIONS >= 100_000


@pytest.mark.parametrize("raw, minutes", [("1", 1), (" 10 ", 10), ("120", 120)])
def test_idle_minutes_from_1_to_120(raw, minutes):
    assert pins.idle_minutes(raw) == minutes


@pytest.mark.parametrize("raw", ["0", "121", "-5", "1.5", "dix", "", None])
def test_other_idle_minutes_are_refused(raw):
    with pytest.raises(pins.BadIdleMinutes):
        pins.idle_minutes(raw)


def test_a_counter_is_idle_once_its_minutes_have_passed():
    then = datetime(2026, 3, 29, 0, 55, tzinfo=timezone.utc)
    assert not pins.idle(then, then + timedelta(minutes=9, seconds=59), 10)
    assert pins.idle(then, then + timedelta(minutes=10), 10)
