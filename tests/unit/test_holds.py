"""The hold period counts days the shop is open: weekly hours, dated closures, daylight saving, year ends."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.rules.deadlines import Range, expiry_of, last_pickup_day, opens_on, pickup_deadline

PARIS = "Europe/Paris"
# Monday to Saturday 9:00–19:00; Sunday closed.
MON_TO_SAT = [Range(day, time(9), time(19)) for day in range(6)]


def paris(*args):
    return datetime(*args, tzinfo=ZoneInfo(PARIS)).astimezone(timezone.utc)


def days(first, last):
    """Every date from ``first`` to ``last`` included (a closure)."""
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


def test_a_closure_moves_the_last_pickup_day_past_it():
    # Received Monday 30 November, the shop closed from 1 to 20 December: the 7 open days are 21–26 and 28.
    closed = days(date(2026, 12, 1), date(2026, 12, 20))
    assert last_pickup_day(paris(2026, 11, 30, 10, 0), PARIS, MON_TO_SAT, closed) == date(2026, 12, 28)
    assert last_pickup_day(paris(2026, 11, 30, 10, 0), PARIS) == date(2026, 12, 7)  # no hours, no closure


def test_days_the_shop_never_opens_do_not_count():
    # Dropped on Saturday 13 June 2026: Sunday is skipped, Monday 15 is the first of the 7 days.
    assert last_pickup_day(paris(2026, 6, 13, 18, 0), PARIS, MON_TO_SAT) == date(2026, 6, 22)


def test_the_drop_off_day_itself_does_not_count_even_when_open():
    # Monday 15 June: Tuesday 16 to Saturday 20, Monday 22 and Tuesday 23 are its 7 open days.
    assert last_pickup_day(paris(2026, 6, 15, 9, 0), PARIS, MON_TO_SAT) == date(2026, 6, 23)


def test_the_number_of_days_is_a_parameter_of_the_rule():
    assert last_pickup_day(paris(2026, 6, 15, 9, 0), PARIS, MON_TO_SAT, days=5) == date(2026, 6, 20)
    assert last_pickup_day(paris(2026, 6, 15, 9, 0), PARIS, days=14) == date(2026, 6, 29)


def test_a_shop_never_open_again_falls_back_on_the_calendar():
    never = days(date(2026, 6, 16), date(2029, 1, 1))
    assert last_pickup_day(paris(2026, 6, 15, 9, 0), PARIS, MON_TO_SAT, never) == date(2026, 6, 22)


@pytest.mark.parametrize("dropped, last_day, expires", [
    # Across spring forward (28 March 2027): the expiry is midnight local time, an hour less of UTC.
    ((2027, 3, 27, 1, 30), date(2027, 4, 5), datetime(2027, 4, 5, 22, 0, tzinfo=timezone.utc)),
    # Across fall back (25 October 2026).
    ((2026, 10, 25, 2, 30), date(2026, 11, 2), datetime(2026, 11, 2, 23, 0, tzinfo=timezone.utc)),
    # New Year's Eve: the year changes within the hold.
    ((2026, 12, 31, 23, 50), date(2027, 1, 8), datetime(2027, 1, 8, 23, 0, tzinfo=timezone.utc)),
    # Leap day: dropped on 29 February 2028, a Tuesday.
    ((2028, 2, 29, 12, 0), date(2028, 3, 8), datetime(2028, 3, 8, 23, 0, tzinfo=timezone.utc)),
])
def test_holds_at_the_instants_that_break_date_code(dropped, last_day, expires):
    assert last_pickup_day(paris(*dropped), PARIS, MON_TO_SAT) == last_day
    assert expiry_of(last_day, PARIS) == expires == pickup_deadline(paris(*dropped), PARIS, MON_TO_SAT)


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 1, 1)),
       st.sets(st.integers(0, 6), min_size=1), st.integers(1, 14))
def test_the_last_day_is_the_nth_open_day_after_drop_off(dropped, weekdays, n):
    ranges = [Range(d, time(9), time(12)) for d in weekdays]
    dropped = dropped.replace(tzinfo=ZoneInfo(PARIS)).astimezone(timezone.utc)
    last = last_pickup_day(dropped, PARIS, ranges, frozenset(), n)
    first = dropped.astimezone(ZoneInfo(PARIS)).date()
    opened = [first + timedelta(days=k) for k in range(1, (last - first).days + 1)
              if opens_on(first + timedelta(days=k), ranges, frozenset())]
    assert len(opened) == n and opened[-1] == last
