"""The wrong pickup-code limit holds when many guesses arrive at once: each is counted and recorded in one
transaction, one at a time per shop (run on SQLite and PostgreSQL)."""
import threading

from sqlalchemy import func, select

from hub.core.extensions import db
from hub.core.models import PickupCodeFailure
from hub.rules import pickup as rules


def test_concurrent_wrong_codes_from_one_device_stop_at_its_limit(app, associate):
    statuses, start = [], threading.Barrier(8)

    def guess(n):
        start.wait(timeout=30)
        for attempt in range(3):
            code = f"{900000 + n * 10 + attempt:06d}"
            statuses.append(associate.post("/collecte/", {"entry": code}).status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    with app.app_context():
        recorded = db.session.scalar(select(func.count()).select_from(PickupCodeFailure))
    assert recorded == rules.DEVICE_LIMIT
    assert sorted(statuses) == [422] * rules.DEVICE_LIMIT + [429] * (24 - rules.DEVICE_LIMIT)
