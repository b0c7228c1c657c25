"""What the offline bundle costs an associate's device as customers' drop-offs are announced for its shop: the
server's time to build it and its bytes, raw and gzip-compressed, with the demo's drop-offs and with the most
the bundle carries (hub/ops/deposits.for_shop_offline).

Run: python bench/bundle.py [rounds]
"""
import gzip
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hub import create_app  # noqa: E402
from hub.cli import demo  # noqa: E402
from hub.core import clock  # noqa: E402
from hub.core.extensions import db  # noqa: E402
from hub.core.models import Deposit, Shop  # noqa: E402
from hub.ops.deposits import for_shop_offline  # noqa: E402
from hub.rules.deposits import DepositKind, new_code  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
MOST = for_shop_offline.__defaults__[0]


def signed_in(app):
    client = app.test_client()
    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = client.post("/connexion", data={"username": "associe", "password": demo.DEMO_PASSWORD, "csrf_token": token})
    assert answer.status_code == 303, answer.status_code
    return client


def measure(client):
    """Median milliseconds to build the bundle, and its bytes raw and compressed."""
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        answer = client.get("/hors-ligne/paquet")
        times.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, answer.status_code
    return statistics.median(times), len(answer.data), len(gzip.compress(answer.data))


def the_shop():
    return db.session.scalar(db.select(Shop).where(Shop.name == "Tabac-Presse du Marché"))


def announce(app, count):
    with app.app_context():
        shop, now = the_shop(), clock.now()
        db.session.add_all(Deposit(network_id=shop.networks[0].id, code=new_code(), kind=DepositKind.RETURN,
                                   tracking_id=f"BENCH{n:05d}", sender_name=f"Client {n}", shop_id=shop.id,
                                   created_at=now, expires_at=now + timedelta(days=14)) for n in range(count))
        db.session.commit()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.db")
        with app.app_context():
            db.create_all()
            demo.create(clock.now())
            db.session.commit()
        client = signed_in(app)
        print("the demo's drop-offs: %.0f ms, %d bytes, %d gzip" % measure(client))
        with app.app_context():
            waiting = len(for_shop_offline(the_shop(), clock.now()))
        announce(app, MOST - waiting)
        print(f"{MOST} drop-offs announced: " + "%.0f ms, %d bytes, %d gzip" % measure(client))


if __name__ == "__main__":
    main()
