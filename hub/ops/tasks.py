"""Tasks that block the counter once their deadline passes (« Autre » intake; expired parcels to scan).

One mechanism for both: ``pending_tasks`` lists what the shop owes, each with its deadline; once one is
overdue, the counter shows only that task until it is done.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .queries import shop_hours
from ..rules import deadlines
from ..rules.errors import N_
from . import holds, returns
from .dropoff import open_intakes


@dataclass(frozen=True)
class Task:
    kind: str
    message: str  # msgid, with %(deadline)s
    endpoint: str
    deadline: datetime
    params: dict = field(default_factory=dict)
    allowed: frozenset = frozenset()  # the endpoints that do the task (besides ``endpoint``)

    def overdue(self, now):
        return now >= self.deadline


INTAKE_ENDPOINTS = frozenset({"dropoff.intake_scan", "dropoff.finish_intake", "dropoff.refuse_damaged"})


def intake_deadline(visit, ranges, closed):
    """When the « Autre » intake ``visit`` is overdue: its network's minutes of the shop's opening time."""
    window = timedelta(minutes=visit.network.intake_minutes)
    return deadlines.intake_deadline(visit.opened_at, ranges, closed, visit.shop.timezone, window)


def _intake_tasks(shop):
    intakes = open_intakes(shop)
    ranges, closed = shop_hours(shop) if intakes else ((), frozenset())
    return [
        Task("intake", N_("Scan in the parcels of the other carrier at the latest %(deadline)s."), "dropoff.intake",
             intake_deadline(visit, ranges, closed), {"key": visit.key}, INTAKE_ENDPOINTS)
        for visit in intakes
    ]


RETURN_SCAN_ENDPOINTS = frozenset({"returns.scan", "returns.ask_missing", "returns.missing"})


def _return_tasks(shop):
    deadline = returns.scan_deadline(shop)
    if deadline is None:
        return []
    return [Task("returns", N_("Scan the expired parcels for return at the latest %(deadline)s."), "returns.expired",
                 deadline, {}, RETURN_SCAN_ENDPOINTS)]


# Each workflow that can block the counter adds its task source here.
TASK_SOURCES = [_intake_tasks, _return_tasks]


def _tasks(shop):
    return sorted((task for source in TASK_SOURCES for task in source(shop)), key=lambda t: t.deadline)


def pending_tasks(shop):
    """What the shop must do by a deadline, soonest first. The shop row says whether any waits: with
    none, nothing is asked of the database."""
    return _tasks(shop) if shop.tasks_due_at is not None else []


def refresh(shop):
    """Write down on the shop the earliest deadline of the tasks that wait (None when none does)."""
    tasks = _tasks(shop)
    shop.tasks_due_at = tasks[0].deadline if tasks else None
    return tasks


def blocking_task(shop, now):
    """The overdue task that blocks everything else, or None. Looked for only once the shop's earliest
    task deadline has passed; finding none then writes down the next one (``refresh``)."""
    if not holds.tasks_due(shop, now):
        return None
    tasks = refresh(shop)
    return next((task for task in tasks if task.overdue(now)), None)
