"""The worker process (``flask --app app worker``, the Procfile's ``worker:`` line): it sends the customer
notices and the webhook calls, retries them, and runs the scheduled jobs (hub/worker/schedule.py).

The database is always the record of what is due and what was sent. On one machine the worker polls it
(nothing to install); with ``REDIS_URL`` set, new messages are handed to RQ as their transaction commits
and RQ workers send them (hub/worker/queue.py), while a periodic job still sweeps the database for anything
due that no queue holds.
"""
import logging
import signal
import time

from flask import current_app

from ..core import logs
from . import jobs


def poll(once=False):
    """Send what is due, run what is scheduled, then wait a little when nothing was; until stopped."""
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_args: stopping.append(True))
    logs.log(logging.INFO, "worker started", mode="database")
    while not stopping:
        done = jobs.work_once()
        if once:
            return done
        if not done:
            time.sleep(current_app.config["WORKER_POLL_SECONDS"])
    return 0
