"""Deadlines of the parcel's life, computed in the shop's time zone.

Decisions (see docs/decisions.md):
- A parcel dropped off on day D may be collected until the end of day D+7, local time:
  it expires at midnight starting day D+8 in the shop's time zone.
- The 2-hour return-scan rule and the 30-minute intake rule count only the shop's open time,
  so a notice that appears at midnight is due two opening hours after the shop opens.
- A parcel staged for return that no carrier has taken after 3 days invites a support call.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

PICKUP_DAYS = 7
RETURN_SCAN_WINDOW = timedelta(hours=2)
INTAKE_WINDOW = timedelta(minutes=30)
CARRIER_ESCALATION = timedelta(days=3)
REMINDER_DAYS_BEFORE = 2
REMINDER_TIME = time(9)  # a reminder reaches the customer in the morning, not at midnight


@dataclass(frozen=True)
class Range:
    """One opening range on a weekday (0 = Monday), local wall-clock times."""

    weekday: int
    opens: time
    closes: time


def _local(dt, tz):
    return dt.astimezone(ZoneInfo(tz))


def _at(day, wall, tz):
    """The UTC instant of a local wall-clock time.

    Instants are kept in UTC: Python compares and subtracts two datetimes that share a tzinfo
    by their wall clocks, which is wrong across a daylight-saving change.
    """
    return datetime.combine(day, wall, tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)


def pickup_deadline(dropped_at, tz):
    """The instant a parcel dropped off at ``dropped_at`` expires."""
    last_day = _local(dropped_at, tz).date() + timedelta(days=PICKUP_DAYS)
    return _at(last_day + timedelta(days=1), time(0), tz)


def last_pickup_day(dropped_at, tz):
    """The last local date on which the customer can collect."""
    return _local(dropped_at, tz).date() + timedelta(days=PICKUP_DAYS)


def reminder_at(dropped_at, tz):
    """When the customer is reminded to come: 09:00 (shop's time) two days before the last day."""
    return _at(last_pickup_day(dropped_at, tz) - timedelta(days=REMINDER_DAYS_BEFORE), REMINDER_TIME, tz)


def reached(deadline, now):
    """True from ``deadline`` on: a parcel has expired at its deadline itself, not a moment later."""
    return now >= deadline


def is_expired(dropped_at, tz, now):
    return reached(pickup_deadline(dropped_at, tz), now)


def open_intervals(day, ranges, closures, tz):
    """The shop's open intervals on a local ``day``, as aware instants."""
    if day in closures:
        return []
    return [
        (_at(day, r.opens, tz), _at(day, r.closes, tz))
        for r in sorted(ranges, key=lambda r: r.opens)
        if r.weekday == day.weekday()
    ]


def add_open_time(start, duration, ranges, closures, tz, horizon_days=60):
    """The instant when ``duration`` of open time has passed since ``start``.

    With no opening hours at all the shop counts as always open.
    """
    if not ranges:
        return start + duration
    left = duration
    day = _local(start, tz).date()
    for _ in range(horizon_days):
        for opens, closes in open_intervals(day, ranges, closures, tz):
            begin = max(opens, start)
            if begin >= closes:
                continue
            if closes - begin >= left:
                return begin + left
            left -= closes - begin
        day += timedelta(days=1)
    return start + duration  # a shop closed for two months: the plain clock decides


def return_scan_deadline(notice_at, ranges=(), closures=frozenset(), tz="UTC"):
    """When expired parcels must have been scanned for return (2 open hours after the notice)."""
    return add_open_time(notice_at, RETURN_SCAN_WINDOW, ranges, closures, tz)


def intake_deadline(started_at, ranges=(), closures=frozenset(), tz="UTC"):
    """When an « Autre » carrier's parcels must all have been scanned in by the associate."""
    return add_open_time(started_at, INTAKE_WINDOW, ranges, closures, tz)


def needs_escalation(staged_at, now):
    """True when a parcel staged for return has waited 3 days for a carrier."""
    return now - staged_at >= CARRIER_ESCALATION


def is_open(now, ranges, closures, tz):
    """Whether the shop is open at ``now``."""
    day = _local(now, tz).date()
    return any(o <= now < c for o, c in open_intervals(day, ranges, closures, tz))


def next_opening(now, ranges, closures, tz, horizon_days=60):
    """The next instant the shop opens after ``now`` (None when it never does)."""
    day = _local(now, tz).date()
    for _ in range(horizon_days):
        for opens, _closes in open_intervals(day, ranges, closures, tz):
            if opens > now:
                return opens
        day += timedelta(days=1)
    return None


def local_date(now, tz) -> date:
    return _local(now, tz).date()
