"""With REDIS_URL set, notices and webhook calls go through RQ on a real Redis (Debian's redis-server): enqueued
when their transaction commits, sent by an RQ worker, retried by RQ's scheduler; the database stays the
record, and the tick sweeps anything due that no queue holds."""
import os
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from redis import Redis
from sqlalchemy import select

from hub.core import clock as clock_module
from hub.core.extensions import db
from hub.core.models import DeliveryStatus, OutboxMessage
from hub.worker import queue

from ..servers import RedisServer, SmtpServer
from .test_notices_and_webhooks import drop_off, outbox
from .test_api import ApiClient, shipment

SHARED = os.environ.get("TEST_REDIS_URL")  # the test command's redis-server (scripts/test.sh start_redis)
pytestmark = pytest.mark.skipif(not (SHARED or RedisServer.available()),
                                reason="redis-server is not installed (bash scripts/test.sh installs it)")


@contextmanager
def shared_redis():
    """The test command's server, one database per test worker, emptied first."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    url = f"{SHARED.rstrip('/')}/{1 + int(worker.removeprefix('gw') or 0) % 63}"
    Redis.from_url(url).flushdb()
    yield SimpleNamespace(url=url)


@pytest.fixture
def redis(app):
    with (shared_redis() if SHARED else RedisServer()) as server:
        app.config["REDIS_URL"] = server.url
        yield server


@pytest.fixture
def smtp(app):
    with SmtpServer() as server:
        app.config.update(server.settings())
        yield server


def jobs_waiting(app):
    with app.app_context():
        return queue.rq_queue().count


def run_worker(app):
    with app.app_context():
        queue._worker().work(burst=True)


def test_a_notice_is_enqueued_when_its_transaction_commits_and_sent_by_the_rq_worker(app, demo_data, redis, smtp,
                                                                                    shop, carrier, clock):
    ApiClient(app.test_client()).post("/shipments", shipment(shop.id, recipient_phone=None))
    assert jobs_waiting(app) == 0
    drop_off(app, carrier, shop, clock, "CE900001FR")
    assert jobs_waiting(app) == 1  # the pickup notice, once the drop-off committed
    run_worker(app)
    assert len(smtp.mailbox.messages) == 1 and outbox(app)[0].status == DeliveryStatus.SENT


def test_a_rolled_back_transaction_enqueues_nothing(app, demo_data, redis):
    with app.app_context():
        db.session.add(OutboxMessage(kind="pickup_notice", recipient="a@example.fr", subject="s", body="b",
                                     created_at=clock_module.now()))
        db.session.flush()
        db.session.rollback()
    assert jobs_waiting(app) == 0


def test_the_tick_sweeps_what_is_due_and_runs_the_scheduled_jobs(app, demo_data, redis, smtp, shop, carrier, clock):
    app.config["REDIS_URL"] = ""  # written while Redis was away: nothing enqueued
    ApiClient(app.test_client()).post("/shipments", shipment(shop.id, recipient_phone=None))
    drop_off(app, carrier, shop, clock, "CE900001FR")
    app.config["REDIS_URL"] = redis.url
    assert jobs_waiting(app) == 0
    with app.app_context():
        queue.tick()
        assert db.session.scalar(select(OutboxMessage.status)) == DeliveryStatus.PENDING
    run_worker(app)
    assert len(smtp.mailbox.messages) == 1
