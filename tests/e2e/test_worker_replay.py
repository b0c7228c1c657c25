"""The replay (static/worker/replay.js) on the worker's own queue, in a page of no server: the server's
answers are made up by the test, and one replay is asked for, so nothing else sends what it leaves."""
from .conftest import blank_page

ACCOUNT = 7
# What the service worker's other modules would give: no page to tell, no stored screen to forget.
INIT = """
self.COMPTOIR = { commandTimeout: 10 };
self.comptoir = { state: { tell: () => Promise.resolve(), notify: () => Promise.resolve() },
                  screens: { PAGES: "comptoir-pages" } };
"""
MODULES = ("worker/store.js", "worker/locks.js", "worker/network.js", "worker/replies.js", "worker/queue.js",
           "worker/replay.js")
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
