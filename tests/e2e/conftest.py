"""End-to-end fixtures: the app served for real over HTTP, and headless Chromium driven by Playwright.

Each test gets its own server process on a free port with a fresh SQLite database: a copy of one
database that the run migrated and filled with the demo data once, by the same commands the README's
run command uses. Every test starts at the run's instant (tests/instants.py), browsers included.
"""
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from ..conftest import RUN_START

ROOT = Path(__file__).resolve().parents[2]
# An assertion waits as long as an action does (the contexts' default): on a loaded machine a camera or a
# service worker can take more than Playwright's 5 seconds to be ready, and the test must wait for it.
expect.set_options(timeout=10_000)
SYSTEM_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-dev-shm-usage"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database):
    env = dict(os.environ, COMPTOIR_ENV="testing", DATABASE_URL=f"sqlite:///{database}", FLASK_APP="app",
               PYTHONUNBUFFERED="1")
    env.pop("TEST_DATABASE_URL", None)
    return env


def flask(env, log, *args):
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env, check=True,
                   stdout=log, stderr=subprocess.STDOUT)


class LiveServer:
    def __init__(self, tmp_path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = tmp_path / "e2e.db"
        self.env = server_env(self.database)
        self.log = open(tmp_path / "server.log", "w")
        self.proc = None

    def flask(self, *args):
        flask(self.env, self.log, *args)

    def start(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "run", "--port", str(self.port), "--with-threads"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/connexion", timeout=1)
                return self
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
        raise RuntimeError(f"server did not start; see {self.log.name}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.log.close()

    def query(self, sql, *args):
        """Rows of ``sql`` in the server's own database file (what the server itself reads)."""
        with sqlite3.connect(self.env["DATABASE_URL"].removeprefix("sqlite:///")) as db:
            return db.execute(sql, args).fetchall()

    def now(self):
        """The server's current time (ISO 8601), as its testing clock says."""
        return self.move_clock()["now"]

    def today(self):
        """The demo shops' local date, as the server's clock says."""
        return datetime.fromisoformat(self.now()).astimezone(ZoneInfo("Europe/Paris")).date()

    def _clock(self, body):
        request = urllib.request.Request(self.url + "/_test/clock", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.load(response)

    def move_clock(self, **delta):
        """Move the server's clock (testing configuration only): move_clock(days=7, hours=2)."""
        return self._clock({"advance": timedelta(**delta).total_seconds()})

    def set_clock(self, instant):
        """Set the server's clock to ``instant``; it runs on from there."""
        return self._clock({"at": instant.isoformat()})


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory):
    """The demo database, migrated and filled once per run at the run's instant; each test gets a copy."""
    folder = tmp_path_factory.mktemp("demo")
    env = server_env(folder / "demo.db")
    with open(folder / "setup.log", "w") as log:
        flask(env, log, "db", "upgrade")
        flask(env, log, "demo")
    return folder / "demo.db"


@pytest.fixture
def live_server(tmp_path, demo_database):
    server = LiveServer(tmp_path)
    shutil.copyfile(demo_database, server.database)
    server.start()
    server.set_clock(RUN_START)  # the copy's clock ran on since it was made: every test starts at one instant
    yield server
    server.stop()


@pytest.fixture
def fresh_server(tmp_path):
    """The app on a database as a new network gets it: migrated, with no network, shop, account nor demo data.

    Its links are written at its own address (PUBLIC_URL), as a deployment's are at its public one."""
    server = LiveServer(tmp_path)
    server.env["PUBLIC_URL"] = server.url
    server.flask("db", "upgrade")
    server.start()
    server.set_clock(RUN_START)
    yield server
    server.stop()


def command_output(server, *args):
    """What ``flask --app app ARGS`` prints, run against ``server``'s database (and so at its clock's time)."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=server.env, check=True,
                          capture_output=True, text=True)
    return done.stdout


def launch_options():
    """Debian's Chromium where it is installed (Playwright cannot download browsers here), else Playwright's own."""
    options = {"headless": True, "args": list(CHROMIUM_ARGS)}
    if os.path.exists(SYSTEM_CHROMIUM):
        options["executable_path"] = SYSTEM_CHROMIUM
    return options


@pytest.fixture(scope="session")
def playwright_instance():
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def chromium(playwright_instance):
    browser = playwright_instance.chromium.launch(**launch_options())
    yield browser
    browser.close()


class Contexts(list):
    """The browser profiles a test opened; ``move_clock`` moves the server's time and theirs together."""

    def __init__(self, server):
        super().__init__()
        self.server = server

    def move_clock(self, **delta):
        """Move the server's clock, and every open browser's, by ``delta`` (days=, hours=…)."""
        now = self.server.move_clock(**delta)["now"]
        for context in self:
            context.clock.set_system_time(datetime.fromisoformat(now))
        return now


@pytest.fixture
def new_context(chromium, request):
    """``new_context(phone=True)`` opens a fresh French browser profile (a 360 px phone by default).

    Each profile's clock can be moved with the server's (``new_context.move_clock(days=8)``), as a
    device's clock agrees with the server's in real life.
    """
    server = request.getfixturevalue("live_server") if "live_server" in request.fixturenames else None
    contexts = Contexts(server)

    def make(phone=True, **options):
        options.setdefault("locale", "fr-FR")
        options.setdefault("timezone_id", "Europe/Paris")
        if phone:
            options.setdefault("viewport", {"width": 360, "height": 740})
            options.setdefault("has_touch", True)
            options.setdefault("is_mobile", True)
        context = chromium.new_context(**options)
        context.set_default_timeout(10_000)
        watch_the_policy(context, violations)
        if server is not None:
            context.clock.install(time=datetime.fromisoformat(server.now()))
        contexts.append(context)
        return context

    violations = []
    make.move_clock = contexts.move_clock
    make.violations = violations
    yield make
    for context in contexts:
        context.close()
    assert violations == [], "the Content-Security-Policy refused something"


# Every page of every test reports what the Content-Security-Policy refused: an inline script or handler,
# an eval, a resource from elsewhere. Chromium also says it on the console.
CSP_LISTENER = """document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI);
});"""


def watch_the_policy(context, violations):
    context.add_init_script(CSP_LISTENER)
    context.on("console", lambda message: violations.append(message.text) if message.type == "error" and (
        "Content Security Policy" in message.text or "CSP violation" in message.text) else None)


def wait_until(page, expression, timeout=10_000):
    """Wait until ``expression`` holds in the page. Playwright's wait_for_function runs its predicate through
    eval, which the Content-Security-Policy forbids; evaluate goes through the DevTools protocol, which it
    does not govern."""
    deadline = time.monotonic() + timeout / 1000
    while not _holds(page, expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} ms: {expression}")
        page.wait_for_timeout(50)


def _holds(page, expression):
    try:
        return page.evaluate(expression)
    except PlaywrightError as error:  # the page is loading again (a resting screen reloads once, say)
        if "context was destroyed" in str(error) or "navigat" in str(error):
            return False
        raise


def login(page, server, username, password="demo1234"):
    page.goto(server.url + "/connexion")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    return page


def follow(page, link):
    """Tap a link and wait until its page has loaded and its deferred scripts have run: a key typed sooner
    would post the form natively, as a page, rather than through htmx."""
    page.get_by_role("link", name=link).click()
    page.wait_for_load_state()


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)




def show_shop_code(counter, network="Colis Express"):
    """The associate opens « Livraison par le livreur » for ``network``; returns the 6 digits shown."""
    counter.get_by_role("link", name="Livraison par le livreur").click()
    counter.get_by_role("link", name=network).click()
    return counter.locator("[data-code-digits]").inner_text().replace(" ", "")


def wedge(page, text):
    """A keyboard-wedge scanner: characters typed fast into whatever has the focus, then Enter."""
    page.keyboard.type(text, delay=5)
    page.keyboard.press("Enter")


def scanner_burst(page, text):
    """A keyboard-wedge scanner's burst on a screen with no field to type into: every key within the same
    few milliseconds, as a scanner sends them, whatever the load on the machine running the tests (keys
    typed one by one from here can arrive further apart than any scanner's)."""
    page.evaluate("""text => {
        const target = document.activeElement || document.body;
        for (const key of [...text, "Enter"]) {
            target.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true, cancelable: true}));
        }
    }""", text)


def carrier_at_counter(carrier, code, button="Livrer des colis", shop="Tabac-Presse du Marché"):
    """The carrier picks the shop in today's list, types its code and starts a delivery (or the returns)."""
    carrier.get_by_role("link", name=shop).click()
    carrier.get_by_label("Code du point relais (6 chiffres)").fill(code)
    carrier.get_by_role("button", name=button).click()
    return carrier


# A secure context (crypto.subtle and IndexedDB want one; about:blank is not), made up by the test itself.
BLANK_PAGE = "http://localhost/blank"


def blank_page(chromium, *scripts, init=None):
    """A page of no server, ``init`` run first, then ``scripts`` (files of static/) loaded in order."""
    page = chromium.new_page()
    if init:
        page.add_init_script(init)
    page.route(BLANK_PAGE, lambda route: route.fulfill(body="<!doctype html><title>blank</title>",
                                                       content_type="text/html"))
    page.goto(BLANK_PAGE)
    for script in scripts:
        page.add_script_tag(path=ROOT / "static" / script)
    return page


# --- Customers' notices -------------------------------------------------------------------------

def customer_notice_token(server, customer):
    """The notice token of a customer's pickup, by their name."""
    return server.query("SELECT token FROM pickups WHERE customer_name = ?", customer)[0][0]


def parcel_notice_token(server, tracking_id):
    """The notice token of the pickup a parcel is under."""
    return server.query("SELECT pickups.token FROM pickups JOIN parcels ON parcels.pickup_id = pickups.id "
                        "WHERE parcels.tracking_id = ?", tracking_id)[0][0]


def read_code_from_the_notice(server, new_context, customer):
    """The customer's notice, as they show it at the counter."""
    notice = new_context().new_page()
    notice.goto(f"{server.url}/retrait/{customer_notice_token(server, customer)}")
    code = notice.locator("#pickup-code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    return code


# --- The network cut (offline) ----------------------------------------------------------------------

def online_visit(page, server, user="associe"):
    """Sign in and wait until the device holds what it needs offline."""
    login(page, server, user)
    expect(page.locator("html[data-offline-synced]")).to_have_count(1, timeout=30_000)
    wait_until(page, "navigator.serviceWorker.controller !== null", timeout=15_000)
    return page


def events(server, tracking_id, action):
    """The (offline, occurred_at) of each event ``action`` of the parcel, as the server recorded them."""
    return server.query("SELECT e.offline, e.occurred_at FROM parcel_events e JOIN parcels p ON p.id = e.parcel_id "
                        "WHERE p.tracking_id = ? AND e.action = ?", tracking_id, action)


def expect_waiting(page, count):
    expect(page.locator("html")).to_have_attribute("data-offline-queued", str(count), timeout=20_000)


def go_offline(page):
    page.context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")


def go_online(page):
    page.context.set_offline(False)
