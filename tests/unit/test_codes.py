"""The shop's rotating code (RFC 6238) and the customer's pickup code."""
import base64
import random
import string
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.rules.codes import (MAX_SCAN_DELAY, SHOP_CODE_STEP, ImplausibleScanTime, StaleCode, check_shop_code,
    new_pickup_code, new_shop_secret, new_token, shop_code)
from hub.rules.errors import DomainError, WrongCode

UTC = timezone.utc
SECRET = base64.b32encode(b"12345678901234567890").decode()  # the RFC 6238 test key
NOW = datetime(2026, 6, 10, 8, 0, 10, tzinfo=UTC)
STEP = timedelta(seconds=SHOP_CODE_STEP)


def code_at(instant):
    return shop_code(SECRET, instant)


# The codes of the steps around NOW differ from each other (so each assertion below tests one step).
WINDOW = {n: code_at(NOW + n * STEP) for n in range(-25, 6)}
assert len(set(WINDOW.values())) == len(WINDOW)


@pytest.mark.parametrize(
    "seconds, code",
    [(59, "287082"), (1111111109, "081804"), (1111111111, "050471"), (1234567890, "005924"), (2000000000, "279037")],
)
def test_the_shop_code_follows_the_rfc_6238_test_vectors(seconds, code):
    assert shop_code(SECRET, datetime.fromtimestamp(seconds, UTC)) == code


def test_the_shop_code_changes_every_thirty_seconds():
    start = datetime(2026, 6, 10, 8, 0, 0, tzinfo=UTC)
    assert code_at(start) == code_at(start + timedelta(seconds=29))
    assert code_at(start) != code_at(start + timedelta(seconds=30))


def test_each_shop_has_its_own_secret_and_so_its_own_code():
    first, second = new_shop_secret(), new_shop_secret()
    assert first != second
    assert len(base64.b32decode(first)) >= 16
    assert shop_code(first, NOW) != shop_code(second, NOW) or shop_code(first, NOW + STEP) != shop_code(second, NOW + STEP)


def test_the_current_code_is_accepted():
    check_shop_code(SECRET, code_at(NOW), scanned_at=NOW, received_at=NOW)


def test_spaces_around_a_typed_code_are_ignored():
    check_shop_code(SECRET, f"  {code_at(NOW)} ", scanned_at=NOW, received_at=NOW)


@pytest.mark.parametrize("steps", [-2, -1, 1])
def test_codes_within_the_tolerance_are_accepted(steps):
    check_shop_code(SECRET, WINDOW[steps], scanned_at=NOW, received_at=NOW)


def test_a_code_read_a_minute_ago_is_still_accepted():
    check_shop_code(SECRET, code_at(NOW - timedelta(seconds=60)), scanned_at=NOW, received_at=NOW)


def test_a_code_from_five_minutes_ago_is_refused_as_stale():
    with pytest.raises(StaleCode) as caught:
        check_shop_code(SECRET, code_at(NOW - timedelta(minutes=5)), scanned_at=NOW, received_at=NOW)
    assert isinstance(caught.value, WrongCode)
    assert caught.value.status == 422


def test_a_code_just_past_the_tolerance_is_stale():
    with pytest.raises(StaleCode):
        check_shop_code(SECRET, WINDOW[-3], scanned_at=NOW, received_at=NOW)


def test_a_code_from_further_ahead_than_the_tolerance_is_wrong():
    with pytest.raises(WrongCode) as caught:
        check_shop_code(SECRET, WINDOW[2], scanned_at=NOW, received_at=NOW)
    assert not isinstance(caught.value, StaleCode)


@settings(max_examples=200)
@given(st.text(alphabet=string.digits, min_size=6, max_size=6))
def test_a_random_code_is_refused(code):
    recent = {WINDOW[n] for n in range(-20, 2)}
    if code in recent:
        return
    with pytest.raises(WrongCode) as caught:
        check_shop_code(SECRET, code, scanned_at=NOW, received_at=NOW)
    assert not isinstance(caught.value, StaleCode)


@pytest.mark.parametrize("code", ["", None, "12345", "1234567", "12a456", "١٢٣٤٥٦"])
def test_a_malformed_code_is_wrong(code):
    with pytest.raises(WrongCode):
        check_shop_code(SECRET, code, scanned_at=NOW, received_at=NOW)


def test_a_scan_queued_offline_is_checked_against_the_time_it_was_made():
    scanned = NOW
    received = NOW + timedelta(hours=2)
    check_shop_code(SECRET, code_at(scanned), scanned_at=scanned, received_at=received)
    # The code the shop shows when the scan arrives is not the one the carrier could have read.
    with pytest.raises(WrongCode):
        check_shop_code(SECRET, code_at(received), scanned_at=scanned, received_at=received)


def test_a_scan_queued_for_almost_a_week_is_still_believed():
    scanned = NOW - MAX_SCAN_DELAY
    check_shop_code(SECRET, code_at(scanned), scanned_at=scanned, received_at=NOW)


def test_a_scan_older_than_a_week_is_not_believable():
    scanned = NOW - MAX_SCAN_DELAY - timedelta(seconds=1)
    with pytest.raises(ImplausibleScanTime) as caught:
        check_shop_code(SECRET, code_at(scanned), scanned_at=scanned, received_at=NOW)
    assert isinstance(caught.value, DomainError) and not isinstance(caught.value, WrongCode)


def test_a_device_clock_a_little_ahead_is_tolerated():
    scanned = NOW + timedelta(minutes=5)
    check_shop_code(SECRET, code_at(scanned), scanned_at=scanned, received_at=NOW)


def test_a_scan_from_the_future_is_not_believable():
    scanned = NOW + timedelta(minutes=5, seconds=1)
    with pytest.raises(ImplausibleScanTime):
        check_shop_code(SECRET, code_at(scanned), scanned_at=scanned, received_at=NOW)


def test_an_implausible_time_is_refused_even_with_the_right_code():
    scanned = NOW + timedelta(days=1)
    with pytest.raises(ImplausibleScanTime):
        check_shop_code(SECRET, code_at(scanned), scanned_at=scanned, received_at=NOW)


# --- Pickup codes ------------------------------------------------------------------------------


class Scripted:
    """A source of numbers that answers from a list: it makes collisions happen on purpose."""

    def __init__(self, numbers):
        self.numbers = list(numbers)

    def randrange(self, stop):
        number = self.numbers.pop(0)
        assert 0 <= number < stop
        return number


def test_a_pickup_code_is_six_digits():
    for _ in range(200):
        code = new_pickup_code(set())
        assert isinstance(code, str) and len(code) == 6 and code.isdigit()


def test_small_numbers_keep_their_leading_zeros():
    assert new_pickup_code(set(), rng=Scripted([42])) == "000042"
    assert new_pickup_code(set(), rng=Scripted([0])) == "000000"
    assert new_pickup_code(set(), rng=Scripted([999999])) == "999999"


def test_a_pickup_code_avoids_the_codes_already_taken():
    taken = {"000005", "000042"}
    assert new_pickup_code(taken, rng=Scripted([5, 42, 5, 77])) == "000077"


@settings(max_examples=100)
@given(seed=st.integers(), taken=st.sets(st.integers(min_value=0, max_value=999), max_size=900))
def test_a_pickup_code_is_never_one_already_taken(seed, taken):
    # Codes crowded into a small range, drawn from a source that only gives numbers there.
    taken = {f"{n:06d}" for n in taken}
    source = random.Random(seed)
    crowded = type("Crowded", (), {"randrange": lambda self, stop: source.randrange(1000)})()
    if len(taken) < 1000:
        code = new_pickup_code(taken, rng=crowded)
        assert code not in taken and len(code) == 6 and code.isdigit()


def test_a_shop_with_every_code_taken_is_an_error_not_a_duplicate():
    with pytest.raises(RuntimeError):
        new_pickup_code({"000001"}, rng=Scripted([1] * 1000))


def test_notice_tokens_are_unguessable_and_url_safe():
    tokens = {new_token() for _ in range(500)}
    assert len(tokens) == 500
    for token in tokens:
        assert len(token) >= 24
        assert set(token) <= set(string.ascii_letters + string.digits + "-_")
