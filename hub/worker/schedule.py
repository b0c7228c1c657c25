"""Work that runs on a schedule, not in a request: one list, ``SCHEDULED``. Each entry runs when its interval
has passed since its last run, kept in the database (the ``settings`` table), so that several workers
run it once between them and a restarted worker does not run it again at once."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..core.extensions import db
from ..core.models import Setting, Shop
from ..ops import notices
from ..ops.returns import expire_due


@dataclass(frozen=True)
class Scheduled:
    name: str
    every: timedelta
    run: Callable  # run(now) -> how many things it did; flushes, the schedule commits


def expire_all(now):
    """Record the expiries due in every shop whose earliest expiry has been reached (an index on the shops
    finds them; each shop's own index finds its parcels), one shop per transaction. Returns how many."""
    # A shop not active too: what it holds still expires and goes back with the carrier.
    due = db.session.scalars(select(Shop.id).where(Shop.next_expiry_at <= now)).all()
    total = 0
    for shop_id in due:
        try:
            total += expire_due(db.session.get(Shop, shop_id), now)
            db.session.commit()
        except (StaleDataError, IntegrityError):
            db.session.rollback()  # the shop's counter recorded them at the same moment
    return total


SCHEDULED = [
    Scheduled("reminders", timedelta(minutes=15), notices.send_reminders),
    # Within a minute of a hold's end: the expired-parcel notice and its 2 opening hours start then.
    Scheduled("expiry", timedelta(minutes=1), expire_all),
]


def _key(job):
    return f"scheduled:{job.name}"


def _claim(job, now):
    """Take this run of ``job`` if its time has come and no other worker took it first."""
    setting = db.session.get(Setting, _key(job))
    if setting is None:
        db.session.add(Setting(key=_key(job), value=now.isoformat()))
        db.session.flush()
        return True
    last = datetime.fromisoformat(setting.value)
    if now - last < job.every:
        return False
    taken = db.session.execute(update(Setting).where(Setting.key == setting.key, Setting.value == setting.value)
                               .values(value=now.isoformat()).execution_options(synchronize_session=False))
    return taken.rowcount == 1


def run_due(now):
    """Run every scheduled job whose time has come; each in its own transaction. Returns how many things they did."""
    done = 0
    for job in SCHEDULED:
        if _claim(job, now):
            done += job.run(now) or 0
        db.session.commit()
    return done
