"""Opening hours and exceptional closures: what a shop may save.

Plain rules, no Flask and no database. The web layer turns the form into ``Range`` rows and dates,
these functions refuse the first problem with a message the associate can act on, and nothing is
saved unless everything is valid.

- A week is a list of ranges; a day may have several (a lunch break is two ranges). A range lies
  within one day: a shop open past midnight enters two ranges. Ranges may touch, never overlap.
- A closure covers whole local days, first and last included. At most 30 may be active (not over
  yet). A closure longer than 7 days is accepted, but the screen suggests asking the network to
  deactivate the shop instead, as the networks do for long absences; past a year it is refused, and
  so is one that ends more than a year ahead: no date of a closure lies more than a year from today.
"""
import re
from dataclasses import dataclass
from datetime import date, time, timedelta

from .deadlines import Range
from .errors import DomainError, N_

MAX_ACTIVE_CLOSURES = 30
LONG_CLOSURE_DAYS = 7
MAX_RANGES_PER_DAY = 6
MAX_CLOSURE_DAYS = 366
# How far ahead a date may be typed (a closure's last day, a parcel's expected day).
MAX_DAYS_AHEAD = 366

# A new shop's week until it enters its own: Monday to Saturday, 09:00 to 19:00 (docs/decisions.md).
DEFAULT_WEEK = tuple(Range(weekday, time(9), time(19)) for weekday in range(6))

WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
            N_("Sunday"))

TIME_RE = re.compile(r"^(\d{1,2})(?:[:hH.](\d{2})?)?$")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$|^(\d{1,2})/(\d{1,2})/(\d{4})$")


class HoursError(DomainError):
    message = N_("These opening hours are not valid.")


class BadTime(HoursError):
    message = N_("« %(value)s » is not a time of day. Write it like 09:30.")


class BadWeekday(HoursError):
    message = N_("This day of the week does not exist.")


class MissingTime(HoursError):
    message = N_("On %(day)s, a range needs both an opening and a closing time.")


class EndBeforeStart(HoursError):
    message = N_("On %(day)s, the range %(opens)s–%(closes)s ends before it starts.")


class Overlap(HoursError):
    message = N_("On %(day)s, the ranges %(first)s and %(second)s overlap.")


class TooManyRanges(HoursError):
    message = N_("On %(day)s, there can be at most %(max)d ranges.")


class BadDate(HoursError):
    message = N_("« %(value)s » is not a date. Write it like 24/12/2026.")


class MissingDate(HoursError):
    message = N_("Enter the first and the last day of the closure.")


class ClosureEndsBeforeStart(HoursError):
    message = N_("The closure ends (%(end)s) before it starts (%(start)s).")


class ClosureOver(HoursError):
    message = N_("This closure is already over: its last day (%(end)s) is in the past.")


class ClosureTooLong(HoursError):
    message = N_("A closure cannot last more than %(max)d days. Ask your network to deactivate the shop instead.")


class ClosureTooFar(HoursError):
    message = N_("A closure must end within a year, by %(last)s at the latest.")


class DateOutOfRange(HoursError):
    message = N_("Choose a day from %(first)s to %(last)s.")


class ClosureOverlaps(HoursError):
    message = N_("This closure overlaps the one from %(start)s to %(end)s.")


class TooManyClosures(HoursError):
    message = N_("At most %(max)d exceptional closures can be planned. Remove one before adding another.")


@dataclass(frozen=True)
class Span:
    """An exceptional closure: whole local days, ``start`` and ``end`` included."""

    start: date
    end: date


def hhmm(value):
    return value.strftime("%H:%M")


def dmy(value):
    return value.strftime("%d/%m/%Y")


def parse_time(raw):
    """« 9:30 », « 09:30 », « 9h30 », « 9h » or « 9 » as a time of day; BadTime otherwise."""
    text = (raw or "").strip()
    match = TIME_RE.match(text)
    if not match:
        raise BadTime(value=text)
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours > 23 or minutes > 59:
        raise BadTime(value=text)
    return time(hours, minutes)


def parse_date(raw):
    """A date from a date input (2026-12-24) or typed the French way (24/12/2026); BadDate otherwise."""
    text = (raw or "").strip()
    if not text:
        raise MissingDate()
    match = DATE_RE.match(text)
    if not match:
        raise BadDate(value=text)
    y, m, d = match.group(1, 2, 3) if match.group(1) else (match.group(6), match.group(5), match.group(4))
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        raise BadDate(value=text) from None


def week_from_rows(rows):
    """Ranges from the form's rows ``(weekday, opens, closes)``; rows left empty are dropped."""
    ranges = []
    for weekday, opens, closes in rows:
        if weekday not in range(7):
            raise BadWeekday()
        opens, closes = (opens or "").strip(), (closes or "").strip()
        if not opens and not closes:
            continue
        if not opens or not closes:
            raise MissingTime(day=WEEKDAYS[weekday])
        ranges.append(Range(weekday, parse_time(opens), parse_time(closes)))
    return check_week(ranges)


def check_week(ranges):
    """The week sorted by day and time, or the first problem in it."""
    week = sorted(ranges, key=lambda r: (r.weekday, r.opens))
    for weekday in range(7):
        _check_day(weekday, [r for r in week if r.weekday == weekday])
    return week


def _check_day(weekday, day):
    name = WEEKDAYS[weekday]
    if len(day) > MAX_RANGES_PER_DAY:
        raise TooManyRanges(day=name, max=MAX_RANGES_PER_DAY)
    for r in day:
        if r.closes <= r.opens:
            raise EndBeforeStart(day=name, opens=hhmm(r.opens), closes=hhmm(r.closes))
    for before, after in zip(day, day[1:]):
        if after.opens < before.closes:
            raise Overlap(day=name, first=_span(before), second=_span(after))


def _span(r):
    return f"{hhmm(r.opens)}–{hhmm(r.closes)}"


def active_closures(closures, today):
    """The closures not over yet on ``today``."""
    return [c for c in closures if c.end >= today]


def check_closure(new, closures, today):
    """Refuse a new closure that ends before it starts, is over, overlaps another, or is one too many."""
    if new.end < new.start:
        raise ClosureEndsBeforeStart(start=dmy(new.start), end=dmy(new.end))
    if new.end < today:
        raise ClosureOver(end=dmy(new.end))
    if length(new) > MAX_CLOSURE_DAYS:
        raise ClosureTooLong(max=MAX_CLOSURE_DAYS)
    if new.end > latest_day(today):
        raise ClosureTooFar(last=dmy(latest_day(today)))
    active = active_closures(closures, today)
    for other in active:
        if new.start <= other.end and other.start <= new.end:
            raise ClosureOverlaps(start=dmy(other.start), end=dmy(other.end))
    if len(active) >= MAX_ACTIVE_CLOSURES:
        raise TooManyClosures(max=MAX_ACTIVE_CLOSURES)
    return new


def latest_day(today):
    """The last day a date may be typed for, a year ahead of ``today``."""
    return today + timedelta(days=MAX_DAYS_AHEAD)


def check_ahead(day, today):
    """``day``, when it lies from ``today`` to a year ahead; DateOutOfRange otherwise."""
    if not today <= day <= latest_day(today):
        raise DateOutOfRange(first=dmy(today), last=dmy(latest_day(today)))
    return day


def closed_days(spans):
    """Every day the closures ``spans`` cover. Each walk is cut to MAX_CLOSURE_DAYS and to the calendar's
    last day, so a stored closure (however long, or ending on 31/12/9999) cannot run off the calendar."""
    days = set()
    for span in spans:
        first = span.start.toordinal()
        last = min(span.end.toordinal(), first + MAX_CLOSURE_DAYS - 1, date.max.toordinal())
        days.update(date.fromordinal(n) for n in range(first, last + 1))
    return days


def length(closure):
    """How many days the shop stays closed."""
    return (closure.end - closure.start).days + 1


def is_long(closure):
    """True when a closure lasts more than 7 days: the network should deactivate the shop instead."""
    return length(closure) > LONG_CLOSURE_DAYS
