"""The geometry of the server-drawn bar chart: bars inside the frame, the capacity line where it belongs."""
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.rules import chart

DAYS = [date(2026, 3, 1) + timedelta(days=n) for n in range(30)]


@pytest.mark.parametrize("value, expected", [(0, 1), (1, 1), (1.5, 2), (2.2, 3), (7, 8), (11, 15), (22, 25),
                                             (99, 100), (120, 150), (450, 500)])
def test_the_top_of_the_scale_is_a_round_number(value, expected):
    assert chart.nice_ceiling(value) == expected


def test_thirty_days_give_thirty_bars_oldest_first_labelled_every_week_from_today():
    drawn = chart.bar_chart(list(zip(DAYS, range(30))), 20)
    assert [bar.day for bar in drawn.bars] == DAYS
    assert [bar.day for bar in drawn.bars if bar.labelled] == [DAYS[n] for n in (1, 8, 15, 22, 29)]
    assert all(a.x < b.x for a, b in zip(drawn.bars, drawn.bars[1:]))


def test_a_day_over_capacity_is_marked_and_reaches_above_the_line():
    drawn = chart.bar_chart([(DAYS[0], 25), (DAYS[1], 20), (DAYS[2], 0)], 20)
    assert [bar.over for bar in drawn.bars] == [True, False, False]
    assert drawn.bars[0].y < drawn.limit_y == drawn.bars[1].y
    assert drawn.bars[2].height == 0


def test_an_empty_month_still_shows_the_capacity_inside_the_frame():
    drawn = chart.bar_chart([(day, 0) for day in DAYS], 20)
    assert drawn.top_value == 25 and chart.TOP <= drawn.top_y < drawn.limit_y < drawn.baseline


@given(st.lists(st.integers(0, 5000), min_size=1, max_size=40), st.integers(5, 999))
def test_every_bar_stays_inside_the_frame(values, capacity):
    drawn = chart.bar_chart([(DAYS[0], v) for v in values], capacity)
    for bar in drawn.bars:
        assert chart.TOP - 0.1 <= bar.y <= drawn.baseline and bar.height >= 0
        assert chart.LEFT <= bar.x and bar.x + bar.width <= drawn.right + 0.1
    assert chart.TOP - 0.1 <= drawn.limit_y <= drawn.baseline
