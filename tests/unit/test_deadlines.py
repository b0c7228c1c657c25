"""Deadlines in the shop's time zone: the 7-day window, open-time rules, opening hours, escalation.

Daylight saving in Europe/Paris: 2026-03-29, 2026-10-25, 2027-03-28 and 2027-10-31 (last Sundays).
"""
import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hub.rules.deadlines import (CARRIER_ESCALATION, Range, add_open_time, days_from, intake_deadline, is_expired, is_open,
    last_pickup_day, local_date, needs_escalation, next_opening, open_intervals, pickup_deadline,
    return_scan_deadline)

PARIS = "Europe/Paris"
UTC = timezone.utc
MICRO = timedelta(microseconds=1)

# Monday afternoon only; Tuesday to Saturday 9:00–12:30 and 14:00–19:00 (a lunch break); Sunday closed.
HOURS = [Range(0, time(14), time(19))] + [
    Range(day, opens, closes) for day in range(1, 6) for opens, closes in ((time(9), time(12, 30)), (time(14), time(19)))
]
NO_CLOSURES = frozenset()


def paris(*args, fold=0):
    """An instant given by its Paris wall-clock time."""
    return datetime(*args, tzinfo=ZoneInfo(PARIS), fold=fold).astimezone(UTC)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def wall(instant):
    return instant.astimezone(ZoneInfo(PARIS))


# --- The 7-day pickup window -------------------------------------------------------------------


def test_a_parcel_dropped_on_a_day_can_be_collected_until_the_end_of_the_seventh_day_after():
    dropped = paris(2026, 6, 10, 10, 0)
    assert pickup_deadline(dropped, PARIS) == paris(2026, 6, 18, 0, 0)
    assert last_pickup_day(dropped, PARIS) == date(2026, 6, 17)
    assert not is_expired(dropped, PARIS, paris(2026, 6, 17, 23, 59, 59))
    assert is_expired(dropped, PARIS, paris(2026, 6, 18, 0, 0))


def test_the_day_of_drop_off_is_the_local_day_not_the_utc_day():
    # 00:30 in Paris on 11 June is still 10 June in UTC.
    assert pickup_deadline(utc(2026, 6, 10, 22, 30), PARIS) == paris(2026, 6, 19, 0, 0)
    # 23:59 in Paris on 10 June.
    assert pickup_deadline(utc(2026, 6, 10, 21, 59), PARIS) == paris(2026, 6, 18, 0, 0)
    assert last_pickup_day(utc(2026, 6, 10, 22, 30), PARIS) == date(2026, 6, 18)


def test_the_same_instant_expires_at_local_midnight_of_each_shops_zone():
    dropped = utc(2026, 6, 10, 12, 0)
    assert pickup_deadline(dropped, "Europe/Paris") == utc(2026, 6, 17, 22, 0)
    assert pickup_deadline(dropped, "America/Martinique") == utc(2026, 6, 18, 4, 0)
    assert pickup_deadline(dropped, "Indian/Reunion") == utc(2026, 6, 17, 20, 0)


@pytest.mark.parametrize(
    "dropped, deadline",
    [
        # Spring 2026: the window spans the change; it is one hour shorter in real time.
        (paris(2026, 3, 24, 10, 0), utc(2026, 3, 31, 22, 0)),
        # Dropped on the day of the change itself, after the jump.
        (utc(2026, 3, 29, 1, 30), utc(2026, 4, 5, 22, 0)),
        # Autumn 2026: one hour longer.
        (paris(2026, 10, 20, 10, 0), utc(2026, 10, 27, 23, 0)),
        (paris(2026, 10, 24, 18, 0), utc(2026, 10, 31, 23, 0)),
        # Spring 2027.
        (paris(2027, 3, 27, 18, 0), utc(2027, 4, 3, 22, 0)),
        # Autumn 2027, inside the hour that happens twice (02:30 summer time, then 02:30 winter time).
        (utc(2027, 10, 31, 0, 30), utc(2027, 11, 7, 23, 0)),
        (utc(2027, 10, 31, 1, 30), utc(2027, 11, 7, 23, 0)),
    ],
    ids=["spring-2026", "on-spring-2026", "autumn-2026", "eve-of-autumn-2026", "spring-2027",
         "autumn-2027-first-0230", "autumn-2027-second-0230"],
)
def test_the_window_ends_at_local_midnight_across_daylight_saving_changes(dropped, deadline):
    assert pickup_deadline(dropped, PARIS) == deadline
    assert wall(deadline).time() == time(0, 0)
    assert wall(deadline).date() == wall(dropped).date() + timedelta(days=8)
    assert not is_expired(dropped, PARIS, deadline - MICRO)
    assert is_expired(dropped, PARIS, deadline)


def test_the_window_is_seven_days_and_the_rest_of_the_day_in_real_time_across_the_spring_change():
    dropped = paris(2026, 3, 28, 12, 0)
    # 12 hours to midnight + 7 days, less the hour lost on 29 March.
    assert pickup_deadline(dropped, PARIS) - dropped == timedelta(days=7, hours=11)


def test_the_deadline_is_an_aware_utc_instant():
    deadline = pickup_deadline(paris(2026, 6, 10, 10, 0), PARIS)
    assert deadline.utcoffset() == timedelta(0)


@settings(max_examples=300)
@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)))
@example(utc(2026, 3, 22, 22, 59, 59))  # a minute before midnight, a week before the spring change: shortest
@example(utc(2026, 10, 23, 22, 0))  # local midnight, a week before the autumn change: longest
def test_every_drop_off_in_2026_and_2027_expires_at_local_midnight_eight_days_later(dropped):
    deadline = pickup_deadline(dropped, PARIS)
    assert wall(deadline).time() == time(0, 0)
    assert wall(deadline).date() == wall(dropped).date() + timedelta(days=8)
    assert last_pickup_day(dropped, PARIS) == wall(deadline).date() - timedelta(days=1)
    # Real time: 7 days and the rest of day D, give or take the hour a daylight-saving change adds or removes.
    assert timedelta(days=7, hours=-1) < deadline - dropped <= timedelta(days=8, hours=1)
    assert not is_expired(dropped, PARIS, deadline - MICRO)
    assert is_expired(dropped, PARIS, deadline)


def test_local_date_is_the_shops_calendar_day():
    assert local_date(utc(2026, 6, 10, 22, 30), PARIS) == date(2026, 6, 11)
    assert local_date(utc(2026, 6, 10, 22, 30), "UTC") == date(2026, 6, 10)


# --- Open time: the 2-hour return-scan rule and the 30-minute intake rule ---------------------


def test_a_notice_at_midnight_is_due_two_opening_hours_after_the_shop_opens():
    assert return_scan_deadline(paris(2026, 6, 10, 0, 0), HOURS, NO_CLOSURES, PARIS) == paris(2026, 6, 10, 11, 0)


def test_a_notice_at_midnight_on_a_monday_waits_for_the_afternoon_opening():
    assert return_scan_deadline(paris(2026, 6, 8, 0, 0), HOURS, NO_CLOSURES, PARIS) == paris(2026, 6, 8, 16, 0)


def test_a_notice_during_opening_hours_is_due_two_hours_later():
    assert return_scan_deadline(paris(2026, 6, 10, 9, 15), HOURS, NO_CLOSURES, PARIS) == paris(2026, 6, 10, 11, 15)


def test_the_lunch_break_is_not_counted():
    # 30 minutes before lunch, then 1 h 30 from 14:00.
    assert return_scan_deadline(paris(2026, 6, 10, 12, 0), HOURS, NO_CLOSURES, PARIS) == paris(2026, 6, 10, 15, 30)
    # Exactly at closing time for lunch: nothing counts until 14:00.
    assert return_scan_deadline(paris(2026, 6, 10, 12, 30), HOURS, NO_CLOSURES, PARIS) == paris(2026, 6, 10, 16, 0)


def test_the_intake_rule_counts_thirty_opening_minutes_across_lunch():
    assert intake_deadline(paris(2026, 6, 10, 10, 0), HOURS, NO_CLOSURES, PARIS) == paris(2026, 6, 10, 10, 30)
    assert intake_deadline(paris(2026, 6, 10, 12, 15), HOURS, NO_CLOSURES, PARIS) == paris(2026, 6, 10, 14, 15)
    assert intake_deadline(paris(2026, 6, 10, 20, 0), HOURS, NO_CLOSURES, PARIS) == paris(2026, 6, 11, 9, 30)


def test_a_closed_sunday_is_skipped():
    # Saturday 18:00: one hour until closing, then Monday 14:00 plus one hour.
    assert return_scan_deadline(paris(2026, 6, 13, 18, 0), HOURS, NO_CLOSURES, PARIS) == paris(2026, 6, 15, 15, 0)


def test_closure_days_are_skipped():
    tuesday_midnight = paris(2026, 6, 9, 0, 0)
    closed = frozenset({date(2026, 6, 9)})
    assert return_scan_deadline(tuesday_midnight, HOURS, closed, PARIS) == paris(2026, 6, 10, 11, 0)
    closed = frozenset({date(2026, 6, 9), date(2026, 6, 10)})
    assert return_scan_deadline(tuesday_midnight, HOURS, closed, PARIS) == paris(2026, 6, 11, 11, 0)


def test_a_notice_during_a_closure_waits_for_the_reopening():
    closed = frozenset({date(2026, 6, 10)})
    assert intake_deadline(paris(2026, 6, 10, 10, 0), HOURS, closed, PARIS) == paris(2026, 6, 11, 9, 30)


def test_open_time_across_the_spring_change_lands_on_summer_time():
    # Saturday 27 March 2027 18:30: 30 minutes, then Sunday (closed, the clocks jump), then Monday 14:00 CEST.
    due = return_scan_deadline(paris(2027, 3, 27, 18, 30), HOURS, NO_CLOSURES, PARIS)
    assert due == paris(2027, 3, 29, 15, 30) == utc(2027, 3, 29, 13, 30)


def test_open_time_across_the_autumn_change_lands_on_winter_time():
    due = return_scan_deadline(paris(2026, 10, 24, 18, 30), HOURS, NO_CLOSURES, PARIS)
    assert due == paris(2026, 10, 26, 15, 30) == utc(2026, 10, 26, 14, 30)


def test_a_shop_open_through_the_night_of_the_change_counts_real_hours_not_wall_clock_hours():
    night = [Range(6, time(0), time(6))]  # Sunday 00:00–06:00
    # 29 March 2026: 00:00 to 06:00 local is only 5 real hours; 4 hours from midnight is 05:00 summer time.
    assert add_open_time(paris(2026, 3, 29, 0, 0), timedelta(hours=4), night, NO_CLOSURES, PARIS) == utc(2026, 3, 29, 3, 0)
    # 25 October 2026: 00:00 to 06:00 local is 7 real hours; 6 hours from midnight is 05:00 winter time.
    due = add_open_time(paris(2026, 10, 25, 0, 0), timedelta(hours=6), night, NO_CLOSURES, PARIS)
    assert due == utc(2026, 10, 25, 4, 0)
    assert wall(due).time() == time(5, 0)


def test_the_order_of_the_opening_ranges_does_not_matter():
    shuffled = list(HOURS)
    random.Random(4).shuffle(shuffled)
    start = paris(2026, 6, 10, 11, 30)
    assert return_scan_deadline(start, shuffled, NO_CLOSURES, PARIS) == return_scan_deadline(start, HOURS, NO_CLOSURES, PARIS)


def test_a_shop_without_opening_hours_counts_as_always_open():
    start = paris(2026, 6, 10, 23, 0)
    assert return_scan_deadline(start) == start + timedelta(hours=2)
    assert intake_deadline(start) == start + timedelta(minutes=30)


def test_a_shop_closed_for_months_falls_back_to_the_plain_clock():
    start = paris(2026, 6, 10, 0, 0)
    closed = frozenset(date(2026, 6, 10) + timedelta(days=n) for n in range(90))
    assert return_scan_deadline(start, HOURS, closed, PARIS) == start + timedelta(hours=2)


def _open_time_between(start, end, ranges, closures, tz):
    """How much open time lies between two instants, summed day by day."""
    total, day = timedelta(0), wall(start).date() - timedelta(days=1)
    while day <= wall(end).date():
        for opens, closes in open_intervals(day, ranges, closures, tz):
            total += max(timedelta(0), min(closes, end) - max(opens, start))
        day += timedelta(days=1)
    return total


@settings(max_examples=200)
@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 20), timezones=st.just(UTC)),
    minutes=st.integers(min_value=1, max_value=600),
    closed_offsets=st.sets(st.integers(min_value=0, max_value=10), max_size=4),
)
def test_the_deadline_leaves_exactly_the_asked_open_time(start, minutes, closed_offsets):
    closures = frozenset(wall(start).date() + timedelta(days=n) for n in closed_offsets)
    duration = timedelta(minutes=minutes)
    due = add_open_time(start, duration, HOURS, closures, PARIS)
    assert _open_time_between(start, due, HOURS, closures, PARIS) == duration
    # The deadline falls while the shop is open, or at the very end of a range.
    assert is_open(due - MICRO, HOURS, closures, PARIS)


# --- Opening hours ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "instant, expected",
    [
        (paris(2026, 6, 10, 9, 0), True),  # opening minute
        (paris(2026, 6, 10, 10, 0), True),
        (paris(2026, 6, 10, 12, 29), True),
        (paris(2026, 6, 10, 12, 30), False),  # lunch
        (paris(2026, 6, 10, 13, 59), False),
        (paris(2026, 6, 10, 14, 0), True),
        (paris(2026, 6, 10, 19, 0), False),  # closing time: closed
        (paris(2026, 6, 8, 10, 0), False),  # Monday morning
        (paris(2026, 6, 8, 15, 0), True),  # Monday afternoon
        (paris(2026, 6, 14, 15, 0), False),  # Sunday
    ],
)
def test_is_open_follows_the_weekly_hours(instant, expected):
    assert is_open(instant, HOURS, NO_CLOSURES, PARIS) is expected


def test_is_open_uses_the_shops_wall_clock_not_utc():
    # 08:30 UTC is 10:30 in Paris in summer: open.
    assert is_open(utc(2026, 6, 10, 8, 30), HOURS, NO_CLOSURES, PARIS)
    assert not is_open(utc(2026, 6, 10, 8, 30), HOURS, NO_CLOSURES, "America/Martinique")


def test_a_closure_day_is_closed_all_day():
    assert not is_open(paris(2026, 6, 10, 10, 0), HOURS, frozenset({date(2026, 6, 10)}), PARIS)


def test_next_opening_after_lunch_break():
    assert next_opening(paris(2026, 6, 10, 12, 45), HOURS, NO_CLOSURES, PARIS) == paris(2026, 6, 10, 14, 0)


def test_next_opening_on_saturday_evening_is_monday_afternoon():
    assert next_opening(paris(2026, 6, 13, 19, 30), HOURS, NO_CLOSURES, PARIS) == paris(2026, 6, 15, 14, 0)


def test_next_opening_skips_closure_days():
    closed = frozenset({date(2026, 6, 9)})
    assert next_opening(paris(2026, 6, 9, 8, 0), HOURS, closed, PARIS) == paris(2026, 6, 10, 9, 0)


def test_next_opening_across_the_spring_change():
    assert next_opening(paris(2027, 3, 27, 20, 0), HOURS, NO_CLOSURES, PARIS) == utc(2027, 3, 29, 12, 0)


def test_next_opening_is_strictly_after_now():
    assert next_opening(paris(2026, 6, 10, 9, 0), HOURS, NO_CLOSURES, PARIS) == paris(2026, 6, 10, 14, 0)


def test_a_shop_that_never_opens_has_no_next_opening():
    assert next_opening(paris(2026, 6, 10, 9, 0), [], NO_CLOSURES, PARIS) is None


# --- The 3-day carrier escalation ---------------------------------------------------------------


def test_a_parcel_staged_for_return_invites_a_support_call_after_three_days():
    staged = paris(2026, 6, 10, 10, 0)
    assert CARRIER_ESCALATION == timedelta(days=3)
    assert not needs_escalation(staged, staged)
    assert not needs_escalation(staged, staged + timedelta(days=3) - MICRO)
    assert needs_escalation(staged, staged + timedelta(days=3))
    assert needs_escalation(staged, staged + timedelta(days=10))


def test_the_escalation_counts_real_time_across_a_daylight_saving_change():
    staged = paris(2026, 3, 28, 10, 0)
    # Three wall-clock days later is only 71 real hours.
    assert not needs_escalation(staged, paris(2026, 3, 31, 10, 0))
    assert needs_escalation(staged, paris(2026, 3, 31, 11, 0))


def test_the_walks_over_days_stop_at_the_calendars_last_day():
    assert list(days_from(date.max - timedelta(days=1), 60)) == [date.max - timedelta(days=1), date.max]
