"""The network's system and the customer, end to end: a parcel announced through the API is expected at the
counter, dropped off by the carrier, mailed to its customer by the worker (a real SMTP server receives the
e-mail), collected with the code the e-mail gives, and the network's webhook receiver hears of both, signed
and in order."""
import json
import re
import subprocess
import sys
import urllib.request
import uuid
from datetime import datetime

from playwright.sync_api import expect

from hub.cli.demo import DEMO_API_KEY
from tests.servers import Receiver, SmtpServer

from .conftest import ROOT, carrier_at_counter, login, show_shop_code, wedge

TRACKING_ID = "CE900001FR"


def call(server, method, path, body=None):
    """The network's system calling the API over HTTP."""
    request = urllib.request.Request(f"{server.url}/api/v1{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {DEMO_API_KEY}",
                                              "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def run_worker(server, smtp):
    """``flask worker --once``, as the Procfile's worker runs it, with the test SMTP server's settings."""
    env = dict(server.env, **{k: str(v) for k, v in smtp.settings().items()})
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "worker", "--once"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=120)


def test_an_announced_parcel_reaches_its_customer_by_e_mail_and_its_network_by_webhook(live_server, new_context):
    server_seconds = lambda: datetime.fromisoformat(live_server.now()).timestamp()  # noqa: E731
    with SmtpServer() as smtp, Receiver(now=server_seconds) as hooks:
        hooks.secret = call(live_server, "POST", "/webhooks", {"url": hooks.url + "/comptoir"})["secret"]
        shop = next(s for s in call(live_server, "GET", "/shops") if s["name"] == "Tabac-Presse du Marché")
        call(live_server, "POST", "/shipments", {"tracking_id": TRACKING_ID, "shop_id": shop["id"],
                                                  "recipient_name": "Inès Moreau", "size": "large",
                                                  "recipient_email": "ines.moreau@example.fr"})
        counter = login(new_context().new_page(), live_server, "associe")
        counter.goto(f"{live_server.url}/attendus/")
        expect(counter.locator("main")).to_contain_text(TRACKING_ID)
        counter.goto(live_server.url + "/")

        carrier = login(new_context().new_page(), live_server, "livreur")
        carrier_at_counter(carrier, show_shop_code(counter))
        expect(carrier.locator("[data-scan-field]")).to_be_focused()  # the screen is ready for the scanner
        wedge(carrier, TRACKING_ID)
        expect(carrier.get_by_role("status")).to_contain_text(f"{TRACKING_ID} reçu")

        run_worker(live_server, smtp)
        [mail] = smtp.mailbox.messages
        plain, _html = smtp.mailbox.parts(mail)
        link = re.search(r"https?://\S+/retrait/\S+", plain).group(0)
        customer = new_context().new_page()
        customer.goto(link)
        code = customer.locator("#pickup-code").inner_text().strip()
        assert re.fullmatch(r"\d{6}", code) and code in plain
        expect(customer.get_by_role("button", name="Renvoyer l'avis")).to_be_visible()
        assert customer.evaluate("document.documentElement.scrollWidth") <= 360

        counter.goto(live_server.url + "/")
        counter.get_by_role("link", name="Collecte du client").click()
        expect(counter.locator("[data-scan-field]")).to_be_focused()  # the screen is up: the associate scans
        wedge(counter, code)
        expect(counter.get_by_label("Scanner les colis")).to_be_focused()
        wedge(counter, TRACKING_ID)
        expect(counter.get_by_role("status")).to_contain_text(f"Remis : {TRACKING_ID}")

        run_worker(live_server, smtp)
        ours = [json.loads(body)["type"] for _headers, body in hooks.received
                if json.loads(body)["data"].get("tracking_id") == TRACKING_ID]
        assert ours == ["parcel.received", "parcel.collected"] and hooks.refused == []

        operator = login(new_context().new_page(), live_server, "admin")
        operator.get_by_role("link", name="Réseaux et leurs systèmes").click()
        operator.get_by_role("link", name="Colis Express").click()
        expect(operator.locator(".delivery", has_text="parcel.collected").first).to_contain_text("envoyé")
        assert operator.evaluate("document.documentElement.scrollWidth") <= 360
