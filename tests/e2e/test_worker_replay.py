"""The replay (static/worker/replay.js) on the worker's own queue, in a page of no server: the server's
answers are made up by the test, and one replay is asked for, so nothing else sends what it leaves."""
import json

from hub import create_app
from hub.offline.worker import _worker_config

from .conftest import blank_page

ACCOUNT = 7


def worker_config():
    """The app's URLs as /sw.js gives them to the worker (with their placeholders)."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.test_request_context():
        config = _worker_config()
    return {"commandTimeout": 10, **{k: config[k] for k in ("routes", "ticket", "visit", "parcel", "bundle")}}


CONFIG = worker_config()
# What the service worker's other modules would give: no page to tell, no stored screen to forget.
INIT = """
self.COMPTOIR = %s;
self.comptoir = { state: { tell: () => Promise.resolve(), notify: () => Promise.resolve() },
                  screens: { PAGES: "comptoir-pages" } };
""" % json.dumps(CONFIG)
MODULES = ("worker/store.js", "worker/locks.js", "worker/network.js", "worker/routes.js", "worker/replies.js",
           "worker/queue.js", "worker/lanes.js", "worker/replay.js")
STEPS = "http://localhost/step/"
# Queues the steps ([path, account], oldest first), replays once, and says what became of them.
REPLAY_ONCE = """async ({ steps, account }) => {
  const { store, replay } = self.comptoir;
  for (const [path, owner] of steps) {
    await store.put("queue", { key: path + "-" + owner, url: "%s" + path, method: "POST", headers: [], body: "",
      at: new Date().toISOString(), account: owner, effect: { kind: "queued" }, attempts: 0, notBefore: 0 });
  }
  await store.setMeta("account", account);
  const result = await replay.replay();
  const queue = (await store.all("queue")).map((e) => [e.key, e.attempts]);
  const conflicts = (await store.all("conflicts")).map((e) => [e.key, e.status]);
  return { result, queue, conflicts };
}""" % STEPS


def server(route):
    """Applied, refused (422), or « come back later » (503), as the step's path says."""
    answer = route.request.url.removeprefix(STEPS)
    if answer == "applied":
        route.fulfill(status=200, headers={"X-Command-Applied": "true"}, body="")
    else:
        route.fulfill(status=422 if answer == "refused" else 503, body=answer)


def replay_once(chromium, steps):
    page = blank_page(chromium, *MODULES, init=INIT)
    page.route(STEPS + "*", server)
    try:
        return page.evaluate(REPLAY_ONCE, {"steps": steps, "account": ACCOUNT})
    finally:
        page.close()


def test_one_replay_sends_every_step_of_the_account_past_a_refused_one(chromium):
    done = replay_once(chromium, [["refused", 7], ["applied", 7], ["applied", 8], ["applied", 7]])
    assert done["result"] == {"sent": 2, "conflicts": 1, "stopped": None}
    assert done["conflicts"] == [["refused-7", 422]]
    assert done["queue"] == [["applied-8", 0]]  # another account's steps wait for it


def test_a_replay_stops_at_a_server_that_asks_to_come_back_later_and_keeps_the_step(chromium):
    done = replay_once(chromium, [["applied", 7], ["busy", 7], ["applied", 7]])
    assert done["result"] == {"sent": 1, "conflicts": 0, "stopped": "retry"}
    assert done["queue"] == [["busy-7", 1], ["applied-7", 0]]
    assert done["conflicts"] == []


# The first send finds no server (the Wi-Fi is back, the route to the server not yet); the step must then
# go without any other trigger (the page's own timer waits a minute).
REPLAY_AFTER_A_LOST_SEND = """async ({ account }) => {
  const { store, replay } = self.comptoir;
  await store.put("queue", { key: "late", url: "%s" + "applied", method: "POST", headers: [], body: "",
    at: new Date().toISOString(), account, effect: { kind: "queued" }, attempts: 0, notBefore: 0 });
  await store.setMeta("account", account);
  const first = await replay.replay();
  for (let waited = 0; waited < 5000 && (await store.all("queue")).length; waited += 100) {
    await new Promise((done) => setTimeout(done, 100));
  }
  return { first, left: (await store.all("queue")).length };
}""" % STEPS


def test_a_step_whose_send_found_no_server_is_sent_again_soon_by_itself(chromium):
    page = blank_page(chromium, *MODULES, init=INIT)
    sends = []

    def flaky_server(route):
        sends.append(route.request.url)
        if len(sends) == 1:
            route.abort("internetdisconnected")
        else:
            server(route)

    page.route(STEPS + "*", flaky_server)
    try:
        done = page.evaluate(REPLAY_AFTER_A_LOST_SEND, {"account": ACCOUNT})
    finally:
        page.close()
    assert done["first"]["stopped"] == "network"
    assert done["left"] == 0 and len(sends) == 2


# --- Steps sent at once -------------------------------------------------------------------------------

def url(route, ticket="T", visit="V", parcel=0):
    path = CONFIG["routes"][route].replace(CONFIG["ticket"], ticket).replace(CONFIG["visit"], visit)
    return "http://localhost" + path.replace(CONFIG["parcel"], str(parcel))


def handed(ticket, parcel):
    return url("pickupScan", ticket), {"kind": "handed_over", "parcel": parcel, "tracking_id": f"CE{parcel}FR"}


# Oldest first: steps of three pickups, a carrier's visit, a return scan of a parcel also handed over at a
# pickup, and a step the worker cannot tell (it goes alone), each named for the test.
MIXED = {
    "A1": handed("A", 11), "B1": handed("B", 21),
    "V-open": (url("carrierOpen", parcel=1), {"kind": "visit_opened", "code": "123456"}),
    "A2": handed("A", 12), "V-scan1": (url("carrierScan", visit="V"), {"kind": "delivery_scan", "tracking_id": "CE31FR"}),
    "R21": (url("returnsScan"), {"kind": "staged", "parcel": 21, "tracking_id": "CE21FR"}),
    "A-done": (url("pickupFinish", "A"), {"kind": "finished"}), "B2": handed("B", 22),
    "other": ("http://localhost/aide/autre", {"kind": "queued"}),
    "C1": handed("C", 41), "D1": handed("D", 51),
    "V-scan2": (url("carrierScan", visit="V"), {"kind": "delivery_scan", "tracking_id": "CE32FR"}),
    "B-done": (url("pickupFinish", "B"), {"kind": "finished"}),
}
# The steps that must keep their order: each pickup's, the visit's, one parcel's on two screens.
KEPT_IN_ORDER = (["A1", "A2", "A-done"], ["B1", "B2", "B-done"], ["V-open", "V-scan1", "V-scan2"], ["B1", "R21"])

# A made-up server, answering each step after its own delay (later steps often sooner), in place of the
# worker's fetch; ``cut`` names a step whose send finds no network. Says what was sent, answered, and when.
REPLAY_WATCHED = """async ({ steps, account, cut }) => {
  const { store, replay } = self.comptoir;
  const log = [], flying = new Set();
  let sends = 0;
  self.fetch = (request) => {
    const key = request.headers.get("Idempotency-Key");
    log.push(["sent", key, flying.size]);
    if (key === cut) return Promise.reject(new TypeError("no network"));
    flying.add(key);
    const delay = 5 + (17 * sends++) % 23;
    return new Promise((done) => setTimeout(() => {
      flying.delete(key);
      log.push(["answered", key]);
      done(new Response("", { status: 200, headers: { "X-Command-Applied": "true" } }));
    }, delay));
  };
  for (const [key, url, effect] of steps) {
    await store.put("queue", { key, url, method: "POST", headers: [], body: "", at: new Date().toISOString(),
      account, effect, attempts: 0, notBefore: 0 });
  }
  await store.setMeta("account", account);
  const result = await replay.replay();
  return { result, log, left: (await store.all("queue")).map((e) => e.key) };
}"""


def watched_replay(chromium, cut=None):
    page = blank_page(chromium, *MODULES, init=INIT)
    steps = [[key, step_url, effect] for key, (step_url, effect) in MIXED.items()]
    try:
        return page.evaluate(REPLAY_WATCHED, {"steps": steps, "account": ACCOUNT, "cut": cut})
    finally:
        page.close()


def at(log, what, key):
    """Where in the log ``key`` was sent or answered."""
    return next(i for i, e in enumerate(log) if e[0] == what and e[1] == key)


def test_the_replay_sends_steps_of_different_parcels_at_once_and_those_that_depend_on_each_other_in_order(chromium):
    done = watched_replay(chromium)
    log = done["log"]
    sent = [e[1] for e in log if e[0] == "sent"]
    assert sorted(sent) == sorted(MIXED) and done["left"] == []  # each step sent once, and all answered
    assert done["result"] == {"sent": len(MIXED), "conflicts": 0, "stopped": None}
    assert max(e[2] for e in log if e[0] == "sent") >= 2  # several steps were on their way at once
    for keys in KEPT_IN_ORDER:
        for older, younger in zip(keys, keys[1:]):
            assert at(log, "answered", older) < at(log, "sent", younger), (older, younger, log)
    alone = at(log, "sent", "other")
    assert log[alone][2] == 0 and log[alone + 1] == ["answered", "other"]  # nothing before it left, nothing with it


def test_a_cut_during_a_replay_sends_nothing_more_and_keeps_every_step_not_answered(chromium):
    done = watched_replay(chromium, cut="A2")
    log = done["log"]
    sent = [e[1] for e in log if e[0] == "sent"]
    answered = [e[1] for e in log if e[0] == "answered"]
    assert done["result"]["stopped"] == "network"
    assert len(sent) == len(set(sent))
    assert [e for e in log[at(log, "sent", "A2") + 1:] if e[0] == "sent"] == []  # nothing sent after the cut
    assert done["left"] == [key for key in MIXED if key not in answered]  # the rest waits, in its order
    assert "A2" in done["left"] and "A-done" in done["left"]


# --- A sync during a replay -----------------------------------------------------------------------------

SYNC_MODULES = MODULES + ("worker/bundle.js",)
# A replay starts (as the network's return starts one), then « Synchroniser » is pressed while its steps are
# on their way: says which steps were answered when the bundle was asked for.
SYNC_DURING_REPLAY = """async ({ steps, account }) => {
  const { store, replay, bundle } = self.comptoir;
  const answered = [];
  let askedWith = null;
  self.fetch = (request) => {
    const url = typeof request === "string" ? request : request.url;
    if (url.endsWith(self.COMPTOIR.bundle)) {
      askedWith = answered.slice();
      return Promise.resolve(new Response("", { status: 401 }));
    }
    const key = request.headers.get("Idempotency-Key");
    return new Promise((done) => setTimeout(() => {
      answered.push(key);
      done(new Response("", { status: 200, headers: { "X-Command-Applied": "true" } }));
    }, 20));
  };
  for (const [key, url, effect] of steps) {
    await store.put("queue", { key, url, method: "POST", headers: [], body: "", at: new Date().toISOString(),
      account, effect, attempts: 0, notBefore: 0 });
  }
  await store.setMeta("account", account);
  const replaying = replay.replay();
  await new Promise((done) => setTimeout(done, 5));
  const synced = await bundle.sync();
  await replaying;
  return { synced, askedWith, answered };
}"""


def test_a_sync_asked_during_a_replay_asks_for_the_bundle_once_every_step_is_answered(chromium):
    page = blank_page(chromium, *SYNC_MODULES, init=INIT)
    steps = [[key, step_url, effect] for key, (step_url, effect) in MIXED.items()]
    try:
        done = page.evaluate(SYNC_DURING_REPLAY, {"steps": steps, "account": ACCOUNT})
    finally:
        page.close()
    assert done["synced"] == {"signedOut": True}
    assert sorted(done["answered"]) == sorted(MIXED)
    assert done["askedWith"] == done["answered"]  # the bundle was built after the last step, not meanwhile
