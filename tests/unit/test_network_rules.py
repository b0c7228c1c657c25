"""A network's settings: the bounds each is checked against, the hold period counted in the days the shop is
open, and the « Autre » intake window of the network's own length."""
from datetime import date, timedelta

import pytest

from hub.rules import networks as rules
from hub.rules.deadlines import intake_deadline, last_pickup_day
from hub.rules.hours import DEFAULT_WEEK

from .test_deadlines import HOURS, NO_CLOSURES, PARIS, paris


@pytest.mark.parametrize("raw, expected", [("1", 1), ("7", 7), (" 30 ", 30), (14, 14)])
def test_a_hold_period_from_1_to_30_days_is_accepted(raw, expected):
    assert rules.hold_days(raw) == expected


@pytest.mark.parametrize("raw", ["0", "31", "-3", "7.5", "sept", "", None, "٣", "1e1"])
def test_any_other_hold_period_is_refused(raw):
    with pytest.raises(rules.BadHoldDays) as refused:
        rules.hold_days(raw)
    assert refused.value.params == {"min": 1, "max": 30}


@pytest.mark.parametrize("raw", ["5", "20", "1000"])
def test_a_capacity_from_5_to_1000_is_accepted(raw):
    assert rules.capacity(raw) == int(raw)


@pytest.mark.parametrize("raw", ["0", "4", "1001", "100000", "", "vingt", "20.0"])
def test_a_capacity_outside_5_to_1000_is_refused(raw):
    with pytest.raises(rules.BadCapacity):
        rules.capacity(raw)


@pytest.mark.parametrize("raw, accepted", [("5", True), ("30", True), ("240", True), ("0", False), ("4", False),
                                           ("241", False), ("", False), ("trente", False)])
def test_the_intake_window_is_5_to_240_minutes(raw, accepted):
    if accepted:
        assert rules.intake_minutes(raw) == int(raw)
    else:
        with pytest.raises(rules.BadIntakeMinutes):
            rules.intake_minutes(raw)


def test_a_hold_period_counts_only_the_days_the_shop_opens():
    # Wednesday 10 June 2026, in a shop closed on Sundays: 3 open days are Thursday, Friday, Saturday;
    # 4 skip Sunday and end on Monday.
    dropped = paris(2026, 6, 10, 10, 0)
    assert last_pickup_day(dropped, PARIS, HOURS, NO_CLOSURES, days=3) == date(2026, 6, 13)
    assert last_pickup_day(dropped, PARIS, HOURS, NO_CLOSURES, days=4) == date(2026, 6, 15)
    assert last_pickup_day(dropped, PARIS, HOURS, frozenset({date(2026, 6, 11)}), days=3) == date(2026, 6, 15)


def test_the_intake_window_is_the_networks_counted_in_opening_minutes():
    # 45 minutes from 12:15: 15 before lunch, 30 from 14:00.
    assert intake_deadline(paris(2026, 6, 10, 12, 15), HOURS, NO_CLOSURES, PARIS,
                           window=timedelta(minutes=45)) == paris(2026, 6, 10, 14, 30)


def test_a_new_shops_week_is_monday_to_saturday_9_to_19():
    assert [(r.weekday, r.opens.hour, r.closes.hour) for r in DEFAULT_WEEK] == [(d, 9, 19) for d in range(6)]



@pytest.mark.parametrize("read, refusal, bounds, cases", [
    (rules.dropoff_max_kg, rules.BadDropoffKg, (1, 70),
     [("1", True), ("20", True), ("70", True), ("0", False), ("71", False), ("", False), ("20.5", False), ("vingt", False)]),
    (rules.dropoff_max_cm, rules.BadDropoffCm, (20, 300),
     [("20", True), ("100", True), ("300", True), ("19", False), ("301", False), ("", False), ("-100", False), ("cent", False)]),
])
def test_the_drop_off_limits_are_1_to_70_kg_and_20_to_300_cm(read, refusal, bounds, cases):
    for raw, accepted in cases:
        if accepted:
            assert read(raw) == int(raw)
            continue
        with pytest.raises(refusal) as refused:
            read(raw)
        assert refused.value.params == {"min": bounds[0], "max": bounds[1]}
