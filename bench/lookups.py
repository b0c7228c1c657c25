"""P4: the pickup-code lookup and the back-office search, timed in the app itself (production configuration).

    python bench/lookups.py '{"network 10k": url, "network 1M": url, "shop 50k": url}'

Lookup: the operation that opens a pickup from a 6-digit code typed at the counter (``ops.pickup.open_pickup``:
the guessing limit's two reads, then the code among the shop's active pickups), for 1,000 right codes of random
shops. Search: the back office's search page (``GET /admin/colis?q=…``, rendered, 50 a page) for tracking-ID
prefixes and name prefixes. Prints one JSON line.

Each is timed twice: on the wall clock, and in the thread's own CPU time (``time.thread_time``), which leaves
out the moments another process had the core: on a machine shared with other work, the wall clock's tail
measures the neighbours.
"""
import json
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-only-secret")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import sqlalchemy as sa  # noqa: E402

from bench.data import PASSWORD  # noqa: E402

LOOKUPS = 1000
SEARCHES = 60


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def codes(app, rng):
    from hub.core.extensions import db

    with app.app_context():
        rows = db.session.execute(sa.text("SELECT shop_id, code FROM pickups WHERE active")).all()
    return rng.sample(rows, min(LOOKUPS, len(rows)))


def lookups(app, rng):
    """Milliseconds of each right code's lookup (the operation, each in its own request context)."""
    from hub.core import clock
    from hub.ops import Actor
    from hub.ops import pickup as ops

    took = []
    for shop_id, code in codes(app, rng):
        with app.test_request_context():
            actor = Actor(None, "bench-device", clock.now())
            began, cpu = time.perf_counter(), time.thread_time()
            pickup = ops.open_pickup(shop_id, code, actor)
            took.append(((time.perf_counter() - began) * 1000, (time.thread_time() - cpu) * 1000))
            assert pickup.code == code
    return took


def searches(app, rng):
    """Milliseconds of each search page, and whether each page was a real answer (200, at most 50 rows)."""
    from hub.core.extensions import db

    client = app.test_client()
    client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/connexion"})
    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/connexion", data={"username": "banc-admin", "password": PASSWORD,
                                            "csrf_token": token}).status_code == 303
    with app.app_context():
        shops = db.session.scalars(sa.text("SELECT id FROM shops")).all()
    queries = [f"HS{rng.choice(shops):05d}" for _ in range(SEARCHES // 2)] + \
              [rng.choice(["lea", "camille m", "hugo", "zoe", "jules l", "ines"]) for _ in range(SEARCHES // 2)]
    took, real = [], True
    for query in queries:
        began, cpu = time.perf_counter(), time.thread_time()
        response = client.get("/admin/colis", query_string={"q": query})
        took.append(((time.perf_counter() - began) * 1000, (time.thread_time() - cpu) * 1000))
        rows = response.get_data(as_text=True).count('href="/admin/colis/')
        real = real and response.status_code == 200 and 0 < rows <= 50
    return took, real


def summary(what, took):
    wall, cpu = [w for w, _ in took], [c for _, c in took]
    return {f"{what}_p50": percentile(wall, 50), f"{what}_p95": percentile(wall, 95),
            f"{what}_cpu_p50": percentile(cpu, 50), f"{what}_cpu_p95": percentile(cpu, 95)}


def main():
    from hub import create_app

    rng = random.Random(4)
    out = {}
    for name, url in json.loads(sys.argv[1]).items():
        app = create_app("production", SQLALCHEMY_DATABASE_URI=url, SESSION_COOKIE_SECURE=False)
        lookups(app, rng)  # warm: the database's pages in memory, SQLAlchemy's statements compiled
        out[name] = summary("lookup", lookups(app, rng))
        if name.startswith("network"):
            searches(app, rng)
            took, real = searches(app, rng)
            out[name].update(summary("search", took), search_real=real)
        with app.app_context():
            from hub.core.extensions import db
            db.engine.dispose()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
