"""1,000 scans queued offline on a counter, then replayed against a live server: time taken, lost, duplicated.

Run: python bench/replay_queue.py [--scans 1000]

The demo shop gets 200 more customers with 5 parcels each. A counter signs in once (the bundle then holds
their 200 pickup screens), goes offline, and hands every parcel over through its service worker (the
requests HTMX sends, made by the page's fetch). The network comes back; the worker replays the queue, one
replay at a time, with « Synchroniser » pressed three times at once. Then the server's database says how
many hand-over events each parcel got: 0 is a lost scan, 2 or more a duplicate.
"""
import argparse
import sqlite3
import time
import uuid
from datetime import datetime, timedelta, timezone

from _live import chromium, expect, live_server, online_visit, phone

PER_CUSTOMER = 5


def add_customers(database_url, scans):
    """Customers with parcels on the shelf of the demo shop (written straight into the server's database)."""
    db = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    shop_id, network_id = db.execute("SELECT s.id, n.network_id FROM shops s JOIN shop_networks n ON n.shop_id = s.id "
                                     "WHERE s.name LIKE 'Tabac%' ORDER BY n.network_id").fetchone()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    dropped = now - timedelta(hours=2)
    for c in range(scans // PER_CUSTOMER):
        cursor = db.execute("INSERT INTO pickups (shop_id, customer_name, customer_email, customer_key, code, token, "
                            "active, created_at) VALUES (?, ?, '', ?, ?, ?, 1, ?)",
                            (shop_id, f"Client Banc {c:03d}", f"name:client banc {c:03d}", f"{900000 + c:06d}",
                             uuid.uuid4().hex[:24], dropped))
        for n in range(PER_CUSTOMER):
            db.execute("INSERT INTO parcels (network_id, tracking_id, shop_id, pickup_id, recipient_name, "
                       "recipient_email, description, size, state, shelf_place, dropped_at, state_since, version) "
                       "VALUES (?, ?, ?, ?, ?, '', 'Banc', 'small', 'at_store', ?, ?, ?, 1)",
                       (network_id, f"BN{c:03d}{n}FR", shop_id, cursor.lastrowid, f"Client Banc {c:03d}",
                        f"Z-{c:03d}{n}", dropped, dropped))
    db.commit()
    db.close()


QUEUE_ALL = """async (scans) => {
  const headers = {"HX-Request": "true", "HX-Current-URL": location.href, "Content-Type": "application/x-www-form-urlencoded",
                   "X-CSRFToken": JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]};
  for (const [url, tracking] of scans) {
    const response = await fetch(url, {method: "POST", body: "tracking_id=" + tracking,
      headers: Object.assign({"Idempotency-Key": crypto.randomUUID(), "X-Comptoir-Device-Time": new Date().toISOString()}, headers)});
    if (response.headers.get("X-Comptoir-Offline") !== "1") throw new Error("not queued: " + response.status);
  }
}"""


def scan_targets(page):
    """Each bench parcel and the scan URL of its pickup screen, as the bundle gives them."""
    bundle = page.evaluate("fetch('/hors-ligne/paquet').then(r => r.json())")
    return [(url + "/scanner", tracking) for url, turn in bundle["turns"].items()
            for tracking in turn["parcels"] if tracking.startswith("BN")]


def counts(server):
    db = sqlite3.connect(server.env["DATABASE_URL"].removeprefix("sqlite:///"))
    rows = db.execute("SELECT p.tracking_id, COUNT(e.id) FROM parcels p LEFT JOIN parcel_events e ON e.parcel_id = p.id "
                      "AND e.action = 'hand_to_customer' WHERE p.tracking_id LIKE 'BN%' GROUP BY p.id").fetchall()
    db.close()
    return [n for _, n in rows]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=1000)
    scans = parser.parse_args().scans
    with live_server(lambda url: add_customers(url, scans)) as server, chromium() as browser:
        context = phone(browser)
        page = context.new_page()
        started = time.perf_counter()
        online_visit(page, server)
        print(f"first sync with {scans // PER_CUSTOMER} more pickups: {time.perf_counter() - started:.1f} s")
        targets = scan_targets(page)
        assert len(targets) == scans, len(targets)

        context.set_offline(True)
        started = time.perf_counter()
        page.evaluate(QUEUE_ALL, targets)
        expect(page.locator("html")).to_have_attribute("data-offline-queued", str(scans), timeout=120_000)
        print(f"queued offline: {scans} scans in {time.perf_counter() - started:.1f} s")

        context.set_offline(False)
        started = time.perf_counter()
        for _ in range(3):
            page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'sync'})")
        expect(page.locator("html")).to_have_attribute("data-offline-queued", "0", timeout=1_200_000)
        took = time.perf_counter() - started
        events = counts(server)
        print(f"replayed: {scans} scans in {took:.1f} s ({scans / took:.0f} scans/s)")
        print(f"lost: {events.count(0)}  duplicated: {sum(1 for n in events if n > 1)}  "
              f"applied once: {events.count(1)} of {len(events)}")
        context.close()


if __name__ == "__main__":
    main()
