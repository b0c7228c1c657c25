"""Deadlines of the parcel's life, computed in the shop's time zone.

Decisions (see docs/decisions.md):
- The hold period counts days the shop is open: a parcel dropped off on day D may be collected until
  the end of the 7th day after D on which the shop opens (no weekly hours: every day counts; a dated
  closure never does). It expires at midnight starting the next day, in the shop's time zone. The
  number of days is the network's (hub/rules/networks.py), kept on the parcel when it arrives.
- The 2-hour return-scan rule and the « Autre » intake rule (the network's minutes, 30 by default) count
  only the shop's open time,
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


def days_from(day, count):
    """``count`` days from ``day`` on, stopping at the calendar's last day rather than running off it."""
    for n in range(day.toordinal(), min(day.toordinal() + count, date.max.toordinal() + 1)):
        yield date.fromordinal(n)


# How far to look for open days: closures last at most a year, and at most 30 are planned.
HOLD_HORIZON_DAYS = 800


def opens_on(day, ranges, closures):
    """Whether the shop opens on local ``day``: a weekday with hours (any day without weekly hours at
    all), not within a closure."""
    return day not in closures and (not ranges or any(r.weekday == day.weekday() for r in ranges))


def last_pickup_day(dropped_at, tz, ranges=(), closures=frozenset(), days=PICKUP_DAYS):
    """The last local date on which the customer can collect: the ``days``-th open day after drop-off."""
    day = dropped = _local(dropped_at, tz).date()
    counted = 0
    for _ in range(HOLD_HORIZON_DAYS):
        if day == date.max:
            break
        day += timedelta(days=1)
        counted += opens_on(day, ranges, closures)
        if counted == days:
            return day
    return dropped + timedelta(days=days)  # never open in two years: the calendar decides


def expiry_of(last_day, tz):
    """The instant a parcel whose last pickup day is ``last_day`` expires: midnight starting the next day."""
    return _at(last_day + timedelta(days=1), time(0), tz)


def pickup_deadline(dropped_at, tz, ranges=(), closures=frozenset(), days=PICKUP_DAYS):
    """The instant a parcel dropped off at ``dropped_at`` expires."""
    return expiry_of(last_pickup_day(dropped_at, tz, ranges, closures, days), tz)


def reminder_at(last_day, tz):
    """When the customer is reminded to come: 09:00 (shop's time) two days before the last day."""
    return _at(last_day - timedelta(days=REMINDER_DAYS_BEFORE), REMINDER_TIME, tz)


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
    for day in days_from(_local(start, tz).date(), horizon_days):
        for opens, closes in open_intervals(day, ranges, closures, tz):
            begin = max(opens, start)
            if begin >= closes:
                continue
            if closes - begin >= left:
                return begin + left
            left -= closes - begin
    return start + duration  # a shop closed for two months: the plain clock decides


def return_scan_deadline(notice_at, ranges=(), closures=frozenset(), tz="UTC"):
    """When expired parcels must have been scanned for return (2 open hours after the notice)."""
    return add_open_time(notice_at, RETURN_SCAN_WINDOW, ranges, closures, tz)


def intake_deadline(started_at, ranges=(), closures=frozenset(), tz="UTC", window=INTAKE_WINDOW):
    """When an « Autre » carrier's parcels must all have been scanned in by the associate (``window`` of
    opening time: the network's)."""
    return add_open_time(started_at, window, ranges, closures, tz)


def needs_escalation(staged_at, now):
    """True when a parcel staged for return has waited 3 days for a carrier."""
    return now - staged_at >= CARRIER_ESCALATION


def is_open(now, ranges, closures, tz):
    """Whether the shop is open at ``now``."""
    day = _local(now, tz).date()
    return any(o <= now < c for o, c in open_intervals(day, ranges, closures, tz))


def next_opening(now, ranges, closures, tz, horizon_days=60):
    """The next instant the shop opens after ``now`` (None when it never does)."""
    for day in days_from(_local(now, tz).date(), horizon_days):
        for opens, _closes in open_intervals(day, ranges, closures, tz):
            if opens > now:
                return opens
    return None


def local_date(now, tz) -> date:
    return _local(now, tz).date()
