"""The worker's pace on one machine (database outbox, SQLite): e-mails to a real local SMTP server, webhook
calls to a real local HTTP receiver that checks each signature, and a batch of 100 parcels announced
through the API.

Run: python bench/outbox.py [count]
"""
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hub import create_app  # noqa: E402
from hub.cli import demo  # noqa: E402
from hub.core import clock  # noqa: E402
from hub.core.extensions import db  # noqa: E402
from hub.core.models import NoticeKind, OutboxMessage, Shop  # noqa: E402
from hub.worker import jobs  # noqa: E402
from tests.servers import Receiver, SmtpServer  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 200
KEY = {"Authorization": f"Bearer {demo.DEMO_API_KEY}"}


def drain(app):
    start, rounds = time.perf_counter(), 0
    with app.app_context():
        while jobs.work_once(limit=100):
            rounds += 1
    return time.perf_counter() - start


def main():
    with tempfile.TemporaryDirectory() as tmp, SmtpServer() as smtp, Receiver() as receiver:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.db", API_RATE_LIMIT="10000/minute",
                         **smtp.settings())
        with app.app_context():
            db.create_all()
            demo.create(clock.now())
            db.session.commit()
            shop_id = db.session.query(Shop.id).filter_by(name="Tabac-Presse du Marché").scalar()
        client = app.test_client()
        secret = client.post("/api/v1/webhooks", json={"url": receiver.url}, headers={
            **KEY, "Idempotency-Key": uuid.uuid4().hex}).get_json()["secret"]
        receiver.secret, receiver.now = secret, lambda: clock_now(app)
        drain(app)  # the scheduled jobs' first run
        parcels = [{"tracking_id": f"BN{n:08d}FR", "shop_id": shop_id, "recipient_name": f"Client {n}"}
                   for n in range(100)]
        start = time.perf_counter()
        answer = client.post("/api/v1/shipments/batch", json={"parcels": parcels},
                             headers={**KEY, "Idempotency-Key": uuid.uuid4().hex})
        batch = time.perf_counter() - start
        assert answer.status_code == 200 and all(r["accepted"] for r in answer.get_json()["results"])
        with app.app_context():
            now = clock.now()
            db.session.add_all(OutboxMessage(kind=NoticeKind.PICKUP_NOTICE, recipient=f"c{n}@example.fr",
                                             subject="Votre colis", body="Code 123456", html="<p>Code 123456</p>",
                                             created_at=now, next_attempt_at=now) for n in range(COUNT))
            db.session.commit()
        for n in range(COUNT):
            client.post(f"/api/v1/shipments/BN{n % 100:08d}FR/cancel", headers={**KEY, "Idempotency-Key": uuid.uuid4().hex})
        took = drain(app)
        mails, calls = len(smtp.mailbox.messages), len(receiver.received)
        print(f"batch of 100 parcels announced through the API: {batch * 1000:.0f} ms")
        print(f"{mails} e-mails and {calls} signed webhook calls sent in {took:.1f} s "
              f"({(mails + calls) / took:.0f} messages/s); signatures refused: {len(receiver.refused)}")


def clock_now(app):
    with app.app_context():
        return clock.now().timestamp()


if __name__ == "__main__":
    main()
