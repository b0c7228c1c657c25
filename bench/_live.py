"""What the offline benchmarks share: a live server on this machine with the demo data, and Chromium."""
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.e2e.conftest import LiveServer, launch_options, login, wait_until  # noqa: E402,F401


@contextmanager
def live_server(prepare=None):
    """A server on a free loopback port, migrated and filled with the demo data; ``prepare(url)`` adds more."""
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(Path(tmp))
        server.flask("db", "upgrade")
        server.flask("demo")
        if prepare:
            prepare(server.env["DATABASE_URL"])
        server.start()
        try:
            yield server
        finally:
            server.stop()


@contextmanager
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())
        try:
            yield browser
        finally:
            browser.close()


def phone(browser):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 360, "height": 740},
                                  has_touch=True, is_mobile=True)
    context.set_default_timeout(60_000)
    return context


def online_visit(page, server, user="associe"):
    """Sign in, and wait until the device holds what it needs offline."""
    login(page, server, user)
    expect(page.locator("html[data-offline-synced]")).to_have_count(1, timeout=120_000)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)  # the worker has the page
    return page
