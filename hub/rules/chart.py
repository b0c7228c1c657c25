"""Geometry of the small bar charts drawn as inline SVG by the server (no JavaScript library).

The template draws what these numbers say; the view box is sized for a 360 px phone, so the text
stays readable without zooming and the chart scales up on a desktop.
"""
import math
from dataclasses import dataclass

WIDTH, HEIGHT = 320, 190
LEFT, RIGHT, TOP, BOTTOM = 30, 20, 16, 24
LABEL_EVERY = 7


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: object
    value: int
    over: bool
    labelled: bool

    @property
    def centre(self):
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    baseline: float
    top_value: int
    top_y: float
    limit: int
    limit_y: float
    bars: list


STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)


def nice_ceiling(value):
    """The next round number at or above ``value`` (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return math.ceil(next(step * power for step in STEPS if step * power >= value))


def bar_chart(values, limit):
    """Bars for ``values`` [(day, count)] against a horizontal line at ``limit`` (the capacity)."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_value = nice_ceiling(max([limit, *(n for _, n in values)]) * 1.1)
    baseline = TOP + plot_height
    slot = plot_width / max(len(values), 1)

    def y(value):
        return round(baseline - plot_height * value / top_value, 1)

    bars = [
        Bar(x=round(LEFT + i * slot + slot * 0.15, 1), y=y(n), width=round(slot * 0.7, 1),
            height=round(baseline - y(n), 1), day=day, value=n, over=n > limit,
            labelled=(len(values) - 1 - i) % LABEL_EVERY == 0)
        for i, (day, n) in enumerate(values)
    ]
    return Chart(width=WIDTH, height=HEIGHT, left=LEFT, right=WIDTH - RIGHT, baseline=baseline,
                 top_value=top_value, top_y=y(top_value), limit=limit, limit_y=y(limit), bars=bars)
