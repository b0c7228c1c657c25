"""Opening hours and closures: what may be saved, and the first problem named when not."""
from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.rules import hours
from hub.rules.deadlines import Range

TODAY = date(2026, 3, 10)  # a Tuesday


def rows(*items):
    return [(day, opens, closes) for day, opens, closes in items]


@pytest.mark.parametrize("raw, expected", [
    ("09:30", time(9, 30)), ("9:30", time(9, 30)), ("9h30", time(9, 30)), ("9H", time(9)), ("14", time(14)),
    ("00:00", time(0)), ("23:59", time(23, 59)), (" 08.15 ", time(8, 15)),
])
def test_a_time_is_read_the_ways_people_write_it(raw, expected):
    assert hours.parse_time(raw) == expected


@pytest.mark.parametrize("raw", ["", "abc", "24:00", "12:60", "9:5", "9:30:00", "-1", "9 h 30"])
def test_anything_else_is_not_a_time(raw):
    with pytest.raises(hours.BadTime):
        hours.parse_time(raw)


@pytest.mark.parametrize("raw, expected", [("2026-12-24", date(2026, 12, 24)), ("24/12/2026", date(2026, 12, 24)),
                                           ("1/2/2027", date(2027, 2, 1))])
def test_a_date_comes_from_a_date_input_or_typed_the_french_way(raw, expected):
    assert hours.parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["demain", "2026-02-30", "31/04/2026", "2026/12/24", "12-24-2026"])
def test_anything_else_is_not_a_date(raw):
    with pytest.raises(hours.BadDate):
        hours.parse_date(raw)


@pytest.mark.parametrize("raw", ["", "  ", None])
def test_a_missing_date_is_asked_for(raw):
    with pytest.raises(hours.MissingDate):
        hours.parse_date(raw)


def test_a_lunch_break_is_two_ranges_on_one_day():
    week = hours.week_from_rows(rows((1, "14:00", "19:00"), (1, "09:00", "12:30")))
    assert week == [Range(1, time(9), time(12, 30)), Range(1, time(14), time(19))]


def test_rows_left_empty_are_dropped_and_a_day_without_ranges_is_closed():
    assert hours.week_from_rows(rows((0, "", ""), (2, " ", ""), (3, "10:00", "11:00"))) == [Range(3, time(10), time(11))]


def test_ranges_that_touch_do_not_overlap():
    assert len(hours.week_from_rows(rows((4, "09:00", "12:00"), (4, "12:00", "18:00")))) == 2


def test_the_same_hours_on_different_days_do_not_overlap():
    assert len(hours.week_from_rows(rows((0, "09:00", "12:00"), (1, "09:00", "12:00")))) == 2


@pytest.mark.parametrize("opens, closes", [("", "12:00"), ("09:00", "")])
def test_a_range_needs_both_times(opens, closes):
    with pytest.raises(hours.MissingTime) as err:
        hours.week_from_rows(rows((2, opens, closes)))
    assert err.value.params == {"day": "Wednesday"}


@pytest.mark.parametrize("opens, closes", [("12:00", "09:00"), ("09:00", "09:00")])
def test_a_range_that_ends_before_it_starts_is_refused(opens, closes):
    with pytest.raises(hours.EndBeforeStart) as err:
        hours.week_from_rows(rows((0, opens, closes)))
    assert err.value.params == {"day": "Monday", "opens": opens, "closes": closes}


def test_overlapping_ranges_are_refused_whatever_their_order():
    with pytest.raises(hours.Overlap) as err:
        hours.week_from_rows(rows((5, "14:00", "19:00"), (5, "09:00", "14:30")))
    assert err.value.params == {"day": "Saturday", "first": "09:00–14:30", "second": "14:00–19:00"}


def test_a_range_inside_another_overlaps_it():
    with pytest.raises(hours.Overlap):
        hours.week_from_rows(rows((6, "08:00", "20:00"), (6, "10:00", "11:00")))


def test_a_bad_time_is_named():
    with pytest.raises(hours.BadTime) as err:
        hours.week_from_rows(rows((0, "9:00", "25:00")))
    assert err.value.params == {"value": "25:00"}


@pytest.mark.parametrize("day", [-1, 7, "1", None])
def test_a_day_outside_the_week_is_refused(day):
    with pytest.raises(hours.BadWeekday):
        hours.week_from_rows([(day, "09:00", "10:00")])


def test_a_day_can_have_six_ranges_but_not_seven():
    six = [(0, f"{h:02d}:00", f"{h:02d}:30") for h in range(8, 14)]
    assert len(hours.week_from_rows(six)) == 6
    with pytest.raises(hours.TooManyRanges):
        hours.week_from_rows(six + [(0, "18:00", "19:00")])


def test_the_first_problem_of_the_week_is_the_one_named():
    with pytest.raises(hours.EndBeforeStart) as err:
        hours.week_from_rows(rows((3, "10:00", "09:00"), (1, "12:00", "11:00")))
    assert err.value.params["day"] == "Tuesday"


ranges = st.builds(lambda d, a, b: (d, f"{min(a, b) // 60:02d}:{min(a, b) % 60:02d}", f"{max(a, b) // 60:02d}:{max(a, b) % 60:02d}"),
                   st.integers(0, 6), st.integers(0, 1439), st.integers(0, 1439))


@given(st.lists(ranges, max_size=12))
def test_a_week_that_is_accepted_has_no_overlap_and_no_empty_range(items):
    try:
        week = hours.week_from_rows(items)
    except hours.HoursError:
        return
    for before, after in zip(week, week[1:]):
        assert before.opens < before.closes
        if before.weekday == after.weekday:
            assert before.closes <= after.opens


def span(start, days):
    return hours.Span(start, start + timedelta(days=days - 1))


def test_a_closure_of_one_day_starting_today_is_accepted():
    assert hours.check_closure(span(TODAY, 1), [], TODAY) == span(TODAY, 1)


def test_a_closure_that_ends_before_it_starts_is_refused():
    with pytest.raises(hours.ClosureEndsBeforeStart) as err:
        hours.check_closure(hours.Span(date(2026, 3, 20), date(2026, 3, 19)), [], TODAY)
    assert err.value.params == {"start": "20/03/2026", "end": "19/03/2026"}


def test_a_closure_already_over_is_refused():
    with pytest.raises(hours.ClosureOver):
        hours.check_closure(span(TODAY - timedelta(days=3), 2), [], TODAY)


def test_a_closure_that_began_yesterday_and_is_not_over_is_accepted():
    assert hours.check_closure(span(TODAY - timedelta(days=1), 3), [], TODAY)


def test_a_closure_overlapping_another_is_refused():
    other = span(date(2026, 4, 1), 5)
    with pytest.raises(hours.ClosureOverlaps) as err:
        hours.check_closure(span(date(2026, 4, 5), 2), [other], TODAY)
    assert err.value.params == {"start": "01/04/2026", "end": "05/04/2026"}


def test_closures_side_by_side_do_not_overlap():
    assert hours.check_closure(span(date(2026, 4, 6), 2), [span(date(2026, 4, 1), 5)], TODAY)


def test_a_past_closure_neither_overlaps_nor_counts():
    past = [span(date(2025, 1, 1) + timedelta(days=2 * n), 1) for n in range(40)]
    assert hours.check_closure(span(TODAY, 1), past, TODAY)


def test_thirty_active_closures_is_the_most():
    active = [span(TODAY + timedelta(days=2 * n), 1) for n in range(29)]
    thirtieth = span(TODAY + timedelta(days=100), 1)
    assert hours.check_closure(thirtieth, active, TODAY)
    with pytest.raises(hours.TooManyClosures) as err:
        hours.check_closure(span(TODAY + timedelta(days=200), 1), active + [thirtieth], TODAY)
    assert err.value.params == {"max": 30}


def test_a_closure_of_more_than_a_year_is_refused():
    assert hours.check_closure(span(TODAY, 366), [], TODAY)
    with pytest.raises(hours.ClosureTooLong):
        hours.check_closure(span(TODAY, 367), [], TODAY)


def test_a_closure_over_seven_days_is_long():
    assert not hours.is_long(span(TODAY, 7))
    assert hours.is_long(span(TODAY, 8))


def test_every_message_reads_with_its_parameters():
    errors = [hours.BadTime(value="x"), hours.MissingTime(day="Monday"),
              hours.EndBeforeStart(day="Monday", opens="10:00", closes="09:00"),
              hours.Overlap(day="Monday", first="a", second="b"), hours.TooManyRanges(day="Monday", max=6),
              hours.BadDate(value="x"), hours.ClosureEndsBeforeStart(start="a", end="b"), hours.ClosureOver(end="b"),
              hours.ClosureTooLong(max=366), hours.ClosureOverlaps(start="a", end="b"), hours.TooManyClosures(max=30),
              hours.BadWeekday(), hours.MissingDate()]
    for error in errors:
        assert "%(" not in str(error) and error.status == 422


def test_a_closure_ending_more_than_a_year_ahead_is_refused():
    assert hours.check_closure(hours.Span(TODAY + timedelta(days=300), TODAY + timedelta(days=366)), [], TODAY)
    with pytest.raises(hours.ClosureTooFar) as err:
        hours.check_closure(hours.Span(TODAY + timedelta(days=300), TODAY + timedelta(days=367)), [], TODAY)
    assert err.value.params == {"last": hours.dmy(TODAY + timedelta(days=366))}


def test_a_closure_to_the_end_of_the_calendar_is_refused_however_it_is_typed():
    for start in (TODAY, date(9999, 12, 30)):
        with pytest.raises((hours.ClosureTooFar, hours.ClosureTooLong)):
            hours.check_closure(hours.Span(start, hours.parse_date("31/12/9999")), [], TODAY)


def test_a_day_typed_ahead_lies_between_today_and_a_year_ahead():
    assert hours.check_ahead(TODAY, TODAY) == TODAY
    assert hours.check_ahead(TODAY + timedelta(days=366), TODAY)
    for day in (TODAY - timedelta(days=1), TODAY + timedelta(days=367), date.max, date.min):
        with pytest.raises(hours.DateOutOfRange):
            hours.check_ahead(day, TODAY)


def test_the_closed_days_stop_at_the_calendars_last_day():
    days = hours.closed_days([hours.Span(date.max - timedelta(days=2), date.max)])
    assert days == {date.max - timedelta(days=2), date.max - timedelta(days=1), date.max}


def test_a_stored_closure_longer_than_allowed_closes_at_most_its_first_year():
    days = hours.closed_days([hours.Span(TODAY, date.max)])
    assert len(days) == hours.MAX_CLOSURE_DAYS and min(days) == TODAY
