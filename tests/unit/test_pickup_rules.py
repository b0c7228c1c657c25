from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.rules import pickup as rules
from hub.rules.errors import DomainError
from hub.rules.parcels import COLLECTABLE, Action, State
from hub.rules.pickup import Handling, TurnOutcome

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=timezone.utc)


def minutes_ago(*minutes):
    return [NOW - timedelta(minutes=m) for m in minutes]


# Which parcels a turn shows, and what became of them

@pytest.mark.parametrize("state", sorted(COLLECTABLE))
def test_a_parcel_the_customer_may_still_collect_waits_and_can_be_handled(state):
    h = Handling(state, Action.RECEIVE)
    assert rules.outcome(h) == TurnOutcome.WAITING
    assert rules.handleable(h)
    assert rules.gone_because(h) is None


def test_an_expired_parcel_and_one_staged_for_return_can_still_be_handed_over():
    for state in (State.EXPIRED, State.TO_RETURN):
        assert rules.handleable(Handling(state, Action.STAGE_FOR_RETURN))


@pytest.mark.parametrize("state", [State.RETURNED, State.COLLECTED, State.MISSING, State.REFUSED_AT_DROPOFF,
                                   State.EXPECTED])
def test_a_parcel_no_longer_in_the_shop_is_listed_as_gone_with_the_reason(state):
    h = Handling(state, Action.HAND_TO_CARRIER)
    assert rules.outcome(h) == TurnOutcome.GONE
    assert not rules.handleable(h)
    assert rules.gone_because(h)


def test_a_parcel_taken_by_the_carrier_says_so():
    assert "carrier" in rules.gone_because(Handling(State.RETURNED, Action.HAND_TO_CARRIER))


@pytest.mark.parametrize("action, state, expected", [
    (Action.HAND_TO_CUSTOMER, State.COLLECTED, TurnOutcome.HANDED_OVER),
    (Action.MARK_NOT_FOUND, State.NOT_FOUND, TurnOutcome.NOT_FOUND),
    (Action.REJECT, State.TO_RETURN, TurnOutcome.REJECTED),
])
def test_what_this_turn_did_is_its_outcome(action, state, expected):
    assert rules.outcome(Handling(state, action, this_turn=True)) == expected


def test_a_parcel_handed_over_at_an_earlier_turn_is_gone_not_handed_over_now():
    h = Handling(State.COLLECTED, Action.HAND_TO_CUSTOMER, this_turn=False)
    assert rules.outcome(h) == TurnOutcome.GONE
    assert rules.gone_because(h) == "Already handed over to the customer."


def test_a_parcel_handed_over_during_this_turn_is_not_called_gone():
    assert rules.gone_because(Handling(State.COLLECTED, Action.HAND_TO_CUSTOMER, this_turn=True)) is None


def test_a_parcel_marked_not_found_earlier_waits_and_can_be_handed_over_if_found():
    h = Handling(State.NOT_FOUND, Action.MARK_NOT_FOUND, this_turn=False)
    assert rules.outcome(h) == TurnOutcome.WAITING
    assert rules.handleable(h)


# « Terminé »

def test_the_summary_sorts_the_turn_into_handed_over_not_found_rejected_and_left():
    summary = rules.summarise([
        ("a", Handling(State.COLLECTED, Action.HAND_TO_CUSTOMER, True)),
        ("b", Handling(State.NOT_FOUND, Action.MARK_NOT_FOUND, True)),
        ("c", Handling(State.TO_RETURN, Action.REJECT, True)),
        ("d", Handling(State.AT_STORE, Action.RECEIVE, False)),
        ("e", Handling(State.RETURNED, Action.HAND_TO_CARRIER, False)),
    ])
    assert (summary.handed_over, summary.not_found, summary.rejected, summary.left) == (("a",), ("b",), ("c",), ("d",))
    assert summary.keeps_code


def test_a_pickup_whose_parcels_are_all_handed_over_or_rejected_frees_its_code():
    summary = rules.summarise([
        ("a", Handling(State.COLLECTED, Action.HAND_TO_CUSTOMER, True)),
        ("c", Handling(State.TO_RETURN, Action.REJECT, True)),
        ("e", Handling(State.RETURNED, Action.HAND_TO_CARRIER, False)),
    ])
    assert not summary.keeps_code
    assert summary.left == ()


def test_a_parcel_left_for_later_keeps_the_code_even_when_expired():
    summary = rules.summarise([("x", Handling(State.EXPIRED, Action.EXPIRE, False))])
    assert summary.keeps_code and summary.left == ("x",)


def test_a_parcel_not_found_keeps_the_code_so_the_customer_can_come_back():
    assert rules.summarise([("b", Handling(State.NOT_FOUND, Action.MARK_NOT_FOUND, True))]).keeps_code


def test_a_parcel_rejected_at_an_earlier_turn_no_longer_holds_the_code():
    h = Handling(State.TO_RETURN, Action.REJECT, this_turn=False)
    assert not rules.holds_code(h)
    assert rules.summarise([("c", h)]) == rules.Summary((), (), (), (), False)


@given(st.lists(st.tuples(st.sampled_from(list(State)), st.sampled_from([None, *Action]), st.booleans()), max_size=8))
def test_every_parcel_lands_in_at_most_one_list_and_the_code_stays_only_for_waiting_parcels(items):
    parcels = [(n, Handling(state, action, turn)) for n, (state, action, turn) in enumerate(items)]
    summary = rules.summarise(parcels)
    listed = summary.handed_over + summary.not_found + summary.rejected + summary.left
    assert len(listed) == len(set(listed))
    assert summary.keeps_code == any(h.state in COLLECTABLE and h.last_action != Action.REJECT for _, h in parcels)


# What was typed or scanned at the start

@pytest.mark.parametrize("raw, code", [("123456", True), (" 123 456 ", True), ("12345", False), ("1234567", False),
                                       ("abcdef", False), ("Xk3_-9aQ", False), ("", False)])
def test_six_digits_are_a_code_and_anything_else_may_be_a_barcode(raw, code):
    assert rules.looks_like_code(rules.normalise_entry(raw)) is code


def test_a_scanned_token_keeps_its_case():
    assert rules.normalise_entry(" aBc-D_e \n") == "aBc-D_e"


# Labels scanned during the turn

def test_a_label_of_this_pickup_is_accepted():
    rules.judge_label(rules.LabelOwner(shop_id=1, pickup_id=7), "CE1", shop_id=1, pickup_id=7)


def test_a_label_of_another_customer_of_the_shop_is_refused_as_such():
    with pytest.raises(rules.ParcelOfAnotherCustomer):
        rules.judge_label(rules.LabelOwner(shop_id=1, pickup_id=8), "CE1", shop_id=1, pickup_id=7)


@pytest.mark.parametrize("owner", [None, rules.LabelOwner(shop_id=2, pickup_id=7)])
def test_an_unknown_label_or_one_of_another_shop_is_refused_without_saying_whose_it_is(owner):
    with pytest.raises(rules.NotThisCustomersParcel) as err:
        rules.judge_label(owner, "CE1", shop_id=1, pickup_id=7)
    assert isinstance(err.value, DomainError) and "shop" not in err.value.message


# The guessing limit

def test_nine_wrong_codes_do_not_lock_a_device():
    assert rules.locked_until(minutes_ago(*range(9)), [], NOW) is None


def test_the_tenth_wrong_code_locks_the_device_until_the_oldest_leaves_the_window():
    failures = minutes_ago(12, *range(9))
    assert rules.locked_until(failures, failures, NOW) == NOW - timedelta(minutes=12) + rules.WINDOW


def test_failures_older_than_the_window_do_not_count():
    assert rules.locked_until(minutes_ago(*range(9), 15, 16, 40), [], NOW) is None


def test_the_lock_lifts_exactly_when_the_window_has_passed():
    failures = minutes_ago(*range(10))
    until = rules.locked_until(failures, [], NOW)
    assert rules.locked_until(failures, [], until - timedelta(seconds=1)) == until
    assert rules.locked_until(failures, [], until) is None


def test_the_shop_ceiling_locks_every_device_of_the_shop():
    shop = [NOW - timedelta(seconds=20 * n) for n in range(rules.SHOP_LIMIT)]
    assert rules.locked_until([], shop, NOW) == shop[-1] + rules.WINDOW
    assert rules.locked_until([], shop[:-1], NOW) is None


def test_the_later_of_two_locks_wins():
    device = minutes_ago(*range(10))
    shop = [NOW - timedelta(seconds=10 * n) for n in range(rules.SHOP_LIMIT)]
    assert rules.locked_until(device, shop, NOW) == max(device[-1], shop[-1]) + rules.WINDOW


def test_the_limits_are_ten_per_device_and_thirty_per_shop_in_fifteen_minutes():
    assert (rules.DEVICE_LIMIT, rules.SHOP_LIMIT, rules.WINDOW) == (10, 30, timedelta(minutes=15))


def test_attempts_left_count_down_within_the_window():
    assert rules.attempts_left([], NOW) == 10
    assert rules.attempts_left(minutes_ago(1, 2, 20), NOW) == 8
    assert rules.attempts_left(minutes_ago(*range(12)), NOW) == 0


def test_the_countdown_rounds_up_and_never_goes_negative():
    assert rules.seconds_left(NOW + timedelta(seconds=90.2), NOW) == 91
    assert rules.seconds_left(NOW - timedelta(seconds=3), NOW) == 0


@given(st.lists(st.integers(min_value=0, max_value=3600), max_size=40), st.integers(min_value=0, max_value=3600))
def test_no_device_gets_more_than_ten_wrong_codes_in_any_window(offsets, probe):
    # Replay attempts in time order, accepting each only when the device is not locked.
    accepted = []
    for t in sorted(NOW + timedelta(seconds=s) for s in offsets):
        if rules.locked_until(accepted, accepted, t) is None:
            accepted.append(t)
    start = NOW + timedelta(seconds=probe)
    assert sum(1 for t in accepted if start <= t < start + rules.WINDOW) <= rules.DEVICE_LIMIT


def test_a_pickup_screen_serves_one_turn_only():
    assert not rules.turn_expired(NOW, NOW + rules.TURN_LIFETIME)
    assert rules.turn_expired(NOW, NOW + rules.TURN_LIFETIME + timedelta(seconds=1))
