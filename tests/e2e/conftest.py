"""End-to-end fixtures: the app served for real over HTTP, and headless Chromium driven by Playwright.

Each test gets its own server process on a free port with a fresh SQLite database, migrated and filled
with the demo data by the same commands the README's run command uses.
"""
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-dev-shm-usage"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, tmp_path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, COMPTOIR_ENV="testing", DATABASE_URL=f"sqlite:///{tmp_path / 'e2e.db'}",
                        FLASK_APP="app", PYTHONUNBUFFERED="1")
        self.env.pop("TEST_DATABASE_URL", None)
        self.log = open(tmp_path / "server.log", "w")
        self.proc = None

    def flask(self, *args):
        subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=self.env,
                       check=True, stdout=self.log, stderr=subprocess.STDOUT)

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

    def move_clock(self, **delta):
        """Move the server's clock (testing configuration only): move_clock(days=7, hours=2)."""
        import json
        from datetime import timedelta

        seconds = timedelta(**delta).total_seconds()
        request = urllib.request.Request(self.url + "/_test/clock", data=json.dumps({"advance": seconds}).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.load(response)


@pytest.fixture
def live_server(tmp_path):
    server = LiveServer(tmp_path)
    server.flask("db", "upgrade")
    server.flask("demo")
    server.start()
    yield server
    server.stop()


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
        if server is not None:
            context.clock.install(time=datetime.fromisoformat(server.now()))
        contexts.append(context)
        return context

    make.move_clock = contexts.move_clock
    yield make
    for context in contexts:
        context.close()


def login(page, server, username, password="demo1234"):
    page.goto(server.url + "/connexion")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    return page


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


def carrier_at_counter(carrier, code, button="Livrer des colis", shop="Tabac-Presse du Marché"):
    """The carrier picks the shop in today's list, types its code and starts a delivery (or the returns)."""
    carrier.get_by_role("link", name=shop).click()
    carrier.get_by_label("Code du point relais (6 chiffres)").fill(code)
    carrier.get_by_role("button", name=button).click()
    return carrier
