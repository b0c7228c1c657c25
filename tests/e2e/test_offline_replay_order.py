"""The replay against a live server: steps of different customers go at once, each customer's in order.

Steps are queued through the service worker as HTMX sends them (the page's fetch, with a command id), the
network cut; then the network comes back and the queue is replayed.
"""
from .conftest import events, expect_waiting, go_offline, go_online, online_visit

# Queues each step ([url, tracking ID or "" for « Terminé »]) as HTMX would, offline.
QUEUE = """async (steps) => {
  const headers = {"HX-Request": "true", "HX-Current-URL": location.href,
                   "Content-Type": "application/x-www-form-urlencoded",
                   "X-CSRFToken": JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]};
  for (const [url, tracking] of steps) {
    const response = await fetch(url, {method: "POST", body: tracking ? "tracking_id=" + tracking : "",
      headers: Object.assign({"Idempotency-Key": crypto.randomUUID(),
                              "X-Comptoir-Device-Time": new Date().toISOString()}, headers)});
    if (response.headers.get("X-Comptoir-Offline") !== "1") throw new Error("not queued: " + response.status);
  }
}"""


def two_customers(page):
    """Two pickups of the bundle with two parcels or more each, all to hand over: their screen's URL and their
    parcels."""
    turns = page.evaluate("fetch('/hors-ligne/paquet').then(r => r.json())")["turns"]
    found = [(url, sorted(turn["parcels"])) for url, turn in sorted(turns.items())
             if len(turn["parcels"]) >= 2 and all(p["handleable"] for p in turn["parcels"].values())]
    assert len(found) >= 2, turns.keys()
    return found[:2]


def hand_overs(server, tracking_ids):
    """The hand-over events of these parcels, in the order the server recorded them."""
    marks = ",".join("?" * len(tracking_ids))
    return [row[0] for row in server.query(
        f"SELECT p.tracking_id FROM parcel_events e JOIN parcels p ON p.id = e.parcel_id WHERE e.action = "
        f"'hand_to_customer' AND p.tracking_id IN ({marks}) ORDER BY e.id", *tracking_ids)]


def test_interleaved_customers_replayed_together_keep_each_ones_order_and_reach_the_server_once(live_server,
                                                                                                new_context):
    page = online_visit(new_context().new_page(), live_server)
    (a, a_parcels), (b, b_parcels) = two_customers(page)
    go_offline(page)
    # A's « Terminé » comes before B's last scans, and A's own last scan just before it.
    steps = ([[a + "/scanner", a_parcels[0]], [b + "/scanner", b_parcels[0]]]
             + [[a + "/scanner", t] for t in a_parcels[1:]] + [[a + "/termine", ""]]
             + [[b + "/scanner", t] for t in b_parcels[1:]] + [[b + "/termine", ""]])
    page.evaluate(QUEUE, steps)
    expect_waiting(page, len(steps))

    go_online(page)
    page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'sync'})")
    expect_waiting(page, 0)
    for tracking_id in a_parcels + b_parcels:
        assert len(events(live_server, tracking_id, "hand_to_customer")) == 1, tracking_id
    assert hand_overs(live_server, a_parcels) == a_parcels and hand_overs(live_server, b_parcels) == b_parcels
    # Each « Terminé » came after its customer's scans: nothing was left under the code, which is freed.
    assert live_server.query("SELECT COUNT(*) FROM pickups WHERE active = 1 AND id IN "
                             "(SELECT pickup_id FROM parcels WHERE tracking_id IN (?, ?))",
                             a_parcels[0], b_parcels[0]) == [(0,)]
