"""« Reprise des retours » with a customer's drop-off: taken at the counter, then the carrier takes it with an
expired parcel in one visit, the two shown apart on both screens, and the network's receiver hears of it."""
import subprocess
import sys
from datetime import datetime

from playwright.sync_api import expect

from tests.servers import Receiver, SmtpServer

from .conftest import ROOT, carrier_at_counter, login, wedge
from .test_integration import call, run_worker
from .test_returns import scan_all_expired

DROPPED = "CE800001FR"  # the demo's label-less return, code DEP-RETURNLUNE

TAKE = """
from sqlalchemy import select
from hub import create_app
from hub.core import clock
from hub.core.extensions import db
from hub.core.models import Deposit, Shop
from hub.ops import Actor, deposits
from hub.rules.parcels import Size

with create_app().app_context():
    deposit = db.session.scalar(select(Deposit).where(Deposit.code == "DEP-RETURNLUNE"))
    shop = db.session.scalar(select(Shop).where(Shop.name == "Tabac-Presse du Marché"))
    deposits.take(shop, deposit, Size.MEDIUM, Actor(None, None, clock.now()))
    db.session.commit()
"""


def take_at_the_counter(server):
    """The drop-off taken at the counter, through the same operation the counter's screen calls."""
    subprocess.run([sys.executable, "-c", TAKE], cwd=ROOT, env=server.env, check=True, capture_output=True,
                   timeout=60)


def test_the_carrier_takes_a_drop_off_and_an_expired_parcel_shown_apart_and_the_network_hears(live_server,
                                                                                             new_context):
    server_seconds = lambda: datetime.fromisoformat(live_server.now()).timestamp()  # noqa: E731
    with SmtpServer() as smtp, Receiver(now=server_seconds) as hooks:
        hooks.secret = call(live_server, "POST", "/webhooks", {"url": hooks.url + "/comptoir"})["secret"]
        counter = login(new_context().new_page(), live_server, "associe")
        counter.locator("#task-returns").click()  # the demo shop starts with an expired parcel to scan
        expired = counter.locator("#expired li.parcel .parcel-id").first.inner_text()
        scan_all_expired(counter)
        take_at_the_counter(live_server)

        counter.goto(live_server.url + "/retours/")
        returns = counter.get_by_role("list", name="Retours")
        deposits = counter.get_by_role("list", name="Dépôts clients — à remettre au livreur")
        expect(returns).to_contain_text(expired)
        expect(deposits).to_contain_text(DROPPED)
        expect(deposits.locator(".shelf")).to_have_text(["R-01", "R-02"])  # the demo's drop-off of yesterday first
        expect(returns).not_to_contain_text(DROPPED)
        code = counter.locator("[data-code-digits]").inner_text().replace(" ", "")

        carrier = carrier_at_counter(login(new_context().new_page(), live_server, "livreur"), code,
                                     button="Reprise des retours")
        expect(carrier.get_by_role("heading", name="Dépôts clients — à remettre au livreur (2)")).to_be_visible()
        expect(carrier.locator("h2", has_text="Retours")).to_be_visible()
        for tracking_id in (DROPPED, expired):
            expect(carrier.locator("[data-scan-field]")).to_be_focused()
            wedge(carrier, tracking_id)
            expect(carrier.get_by_role("status")).to_contain_text(f"{tracking_id} repris")
        expect(counter.locator("#returns")).to_contain_text("Repris par le livreur")  # followed live
        expect(counter.locator("#returns")).to_contain_text(DROPPED)

        run_worker(live_server, smtp)
        run_worker(live_server, smtp)  # a parcel's calls go one after the other
        assert hooks.refused == []
        assert "dropoff.collected" in hooks.events()
