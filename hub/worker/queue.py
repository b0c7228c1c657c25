"""Background work on Redis with RQ, when ``REDIS_URL`` is set (several app servers, several workers).

RQ rather than Dramatiq: its jobs are plain functions named by path (ours are hub.worker.jobs'), it needs no
broker set up at import time, and its worker runs jobs in our process with the app context around them
(``SimpleWorker``: no fork, so no database connection crosses one), scheduling the retries itself.

A notice or webhook delivery is enqueued when the transaction that wrote it commits (never before: a worker
would not find it). A retry is enqueued for its next attempt. Every minute the ``tick`` job runs the
scheduled jobs and enqueues whatever the database says is due and no queue may hold (a commit whose enqueue
was lost, a worker that died): the database stays the record.
"""
from datetime import timedelta

from flask import current_app, has_app_context
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from ..core import clock
from ..core.extensions import db
from ..core.models import DeliveryStatus, OutboxMessage, WebhookDelivery
from ..ops import outbox
from . import jobs, schedule

QUEUE = "comptoir"
TICK_LOCK = "comptoir:tick"
TICK_EVERY = timedelta(minutes=1)
PENDING = "comptoir_enqueue"


def enabled():
    return has_app_context() and bool(current_app.config.get("REDIS_URL"))


def connection():
    from redis import Redis

    return Redis.from_url(current_app.config["REDIS_URL"])


def rq_queue():
    from rq import Queue

    return Queue(QUEUE, connection=connection())


def _job(row):
    return ("hub.worker.queue.send_notice", row.id) if isinstance(row, OutboxMessage) else (
        "hub.worker.queue.deliver", row.id)


@sa_event.listens_for(Session, "after_flush")
def _note_new_rows(session, _context):
    if enabled():
        session.info.setdefault(PENDING, []).extend(
            _job(obj) for obj in session.new if isinstance(obj, (OutboxMessage, WebhookDelivery)))


@sa_event.listens_for(Session, "after_commit")
def _enqueue_committed(session):
    pending = session.info.pop(PENDING, None)
    if pending and enabled():
        queue = rq_queue()
        for function, ident in pending:
            queue.enqueue(function, ident)


@sa_event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop(PENDING, None)


def _retry_later(row):
    """A message that failed and waits for its next try: RQ runs it then."""
    if row is not None and row.status == DeliveryStatus.PENDING and row.next_attempt_at is not None:
        function, ident = _job(row)
        delay = max(row.next_attempt_at - clock.now(), timedelta(0))
        rq_queue().enqueue_in(delay, function, ident)


def send_notice(ident):
    """RQ job: send one notice; a failure is enqueued again for its next attempt."""
    _retry_later(jobs.send_notice(ident))


def deliver(ident):
    """RQ job: one webhook call; once through, the next one of the same parcel goes, in order."""
    row = jobs.deliver(ident)
    _retry_later(row)
    if row is not None and row.status != DeliveryStatus.PENDING:
        following = outbox.next_in_line(row)
        if following is not None:
            rq_queue().enqueue("hub.worker.queue.deliver", following)


def sweep():
    """Enqueue what the database says is due (one job per row; a job finding its row taken does nothing)."""
    queue, now = rq_queue(), clock.now()
    for ident in outbox.due_notices(now, limit=500):
        queue.enqueue("hub.worker.queue.send_notice", ident)
    for ident in outbox.due_deliveries(now, limit=500):
        queue.enqueue("hub.worker.queue.deliver", ident)
    db.session.commit()


def tick():
    """RQ job, every minute: the scheduled jobs and the sweep (by one worker of many: a lock in Redis says
    which), then the next tick."""
    if connection().set(TICK_LOCK, "1", nx=True, ex=int(TICK_EVERY.total_seconds()) - 5):
        schedule.run_due(clock.now())
        sweep()
    rq_queue().enqueue_in(TICK_EVERY, "hub.worker.queue.tick")


def _worker():
    from rq import SimpleWorker

    class Worker(SimpleWorker):
        """Jobs run in this process, inside the app's context (the CLI's); each ends with a fresh session."""

        def perform_job(self, job, queue):
            try:
                return super().perform_job(job, queue)
            finally:
                db.session.remove()

    return Worker([QUEUE], connection=connection())


def run(burst=False):
    """The worker on Redis: the first tick, then RQ's worker (with its scheduler for the retries)."""
    rq_queue().enqueue("hub.worker.queue.tick")
    return _worker().work(burst=burst, with_scheduler=not burst)
