"""A label-less return from start to end, online and offline: the network announces it, the counter's camera reads
the customer's QR code, the associate takes it and the customer gets the receipt by e-mail (a real SMTP server), the
carrier takes it at « Reprise des retours », and the network hears each step (a real webhook receiver)."""
import re
from datetime import datetime

from playwright.sync_api import expect

from tests.servers import Receiver, SmtpServer

from .conftest import (carrier_at_counter, expect_waiting, go_offline, go_online, login, online_visit,
                       show_shop_code, wedge)
from .labels import frame_of, qr_label
from .test_integration import call, run_worker
from .test_scanning import camera_browser, phone  # noqa: F401  (the fixture: a Chromium filming our labels)

SHOP = "Tabac-Presse du Marché"


def announce(server, tracking_id, sender):
    """The network's system announces a label-less return to the demo shop: Comptoir answers with its code."""
    shop = next(s for s in call(server, "GET", "/shops") if s["name"] == SHOP)
    return call(server, "POST", "/dropoffs", {
        "tracking_id": tracking_id, "kind": "return", "service": "Retour Boutique Lune", "label_needed": True,
        "sender_name": sender, "sender_email": "ines.moreau@example.fr", "size": "medium",
        "shop_id": shop["id"]})


def scan_with_the_camera(page):
    page.get_by_role("link", name="Dépôt d'un client").click()
    page.wait_for_load_state()  # the camera button works once the page has loaded (static/scan.js)
    page.get_by_role("button", name="Scanner avec la caméra").click()


def take_the_return(page, tracking_id, sender):
    expect(page.locator("#deposit")).to_contain_text(sender, timeout=30_000)
    expect(page.locator("#deposit")).to_contain_text(tracking_id)
    page.get_by_role("button", name=re.compile("taille moyenne")).click()


def hand_to_the_carrier(server, new_context, counter, tracking_id):
    code = show_shop_code(counter)
    carrier = carrier_at_counter(login(new_context().new_page(), server, "livreur"), code, button="Reprise des retours")
    expect(carrier.get_by_role("heading", name=re.compile("Dépôts clients"))).to_be_visible()
    expect(carrier.locator("[data-scan-field]")).to_be_focused()
    wedge(carrier, tracking_id)
    expect(carrier.get_by_role("status")).to_contain_text(f"{tracking_id} repris")


def delivered(server, smtp, hooks):
    """Run the worker until the network's receiver has heard everything due (one call of a parcel at a time)."""
    for _ in range(3):
        run_worker(server, smtp)
    assert hooks.refused == []
    return [event for event in hooks.events() if event.startswith("dropoff.")]


def receipt_mail(smtp, tracking_id):
    [mail] = [m for m in smtp.mailbox.messages if "ines.moreau@example.fr" in m["To"]]
    body = mail.get_body(("plain",)).get_content()
    assert tracking_id in body and SHOP in body and "Sophie Lefèvre" in body
    return body


def the_journey(server, new_context, camera_browser, tracking_id, offline, sender):  # noqa: F811
    server_seconds = lambda: datetime.fromisoformat(server.now()).timestamp()  # noqa: E731
    with SmtpServer() as smtp, Receiver(now=server_seconds) as hooks:
        hooks.secret = call(server, "POST", "/webhooks", {"url": hooks.url + "/comptoir"})["secret"]
        code = announce(server, tracking_id, sender)["code"]
        page = login(phone(camera_browser([frame_of(qr_label(code))]), server), server, "associe")
        if offline:
            expect(page.locator("html[data-offline-synced]")).to_have_count(1, timeout=30_000)
            go_offline(page)
        scan_with_the_camera(page)
        take_the_return(page, tracking_id, sender)
        receipt = page.locator("#deposit")
        expect(receipt).to_contain_text("Reçu de dépôt")
        expect(receipt).to_contain_text(tracking_id)
        expect(receipt).to_contain_text(sender)
        if offline:
            expect(receipt).to_contain_text("à confirmer")
            expect(receipt.locator("[data-qr] svg")).to_be_visible()
            assert server.query("SELECT parcel_id FROM deposits WHERE code = ?", code) == [(None,)]
            go_online(page)
            expect_waiting(page, 0)
        [(state, offline_event)] = server.query(
            "SELECT p.state, e.offline FROM parcels p JOIN parcel_events e ON e.parcel_id = p.id "
            "WHERE p.tracking_id = ?", tracking_id)
        assert (state, offline_event) == ("deposited", int(offline))
        assert delivered(server, smtp, hooks) == ["dropoff.received"]
        link = re.search(r"https?://\S+/depot/recu/\S+", receipt_mail(smtp, tracking_id)).group(0)
        customer = new_context().new_page()
        customer.goto(link)
        expect(customer.locator("#receipt")).to_contain_text(tracking_id)

        hand_to_the_carrier(server, new_context, login(new_context().new_page(), server, "associe"), tracking_id)
        assert server.query("SELECT state FROM parcels WHERE tracking_id = ?", tracking_id) == [("dispatched",)]
        assert delivered(server, smtp, hooks) == ["dropoff.received", "dropoff.collected"]


def test_a_label_less_return_online_from_the_customer_s_qr_code_to_the_carrier(live_server, new_context,
                                                                                camera_browser):  # noqa: F811
    the_journey(live_server, new_context, camera_browser, "LU700001FR", offline=False, sender="Inès Moreau")


def test_a_label_less_return_taken_offline_reaches_the_server_once_then_the_carrier(live_server, new_context,
                                                                                     camera_browser):  # noqa: F811
    # A name beyond Latin-1 (« œ »): the device's answer carries it in a header, which takes none such as it is.
    the_journey(live_server, new_context, camera_browser, "LU700002FR", offline=True, sender="Lœtitia Cœurdevey")


def test_a_code_taken_offline_that_the_server_refuses_lands_in_to_check(live_server, new_context):
    outgoing_before = live_server.query("SELECT count(*) FROM parcels WHERE outgoing")
    page = online_visit(new_context().new_page(), live_server)
    go_offline(page)
    page.get_by_role("link", name="Dépôt d'un client").click()
    expect(page.get_by_label("Code de dépôt ou étiquette")).to_be_focused()
    wedge(page, "DEP-AAAAAAAAAA")  # no drop-off of this device's shop: taken on what it says
    expect(page.locator("#deposit-unknown")).to_contain_text("DEP-AAAAAAAAAA n’est pas parmi les dépôts synchronisés")
    page.get_by_role("button", name="petite taille").click()
    expect(page.locator("#deposit")).to_contain_text("à confirmer")
    expect_waiting(page, 1)
    go_online(page)
    expect_waiting(page, 0)
    banner = page.locator("#offline-banner")
    banner.get_by_role("link", name="1 à vérifier").click()
    item = page.locator(".conflict")
    expect(item).to_contain_text("Dépôt d’un client pris hors ligne : DEP-AAAAAAAAAA")
    expect(item).to_contain_text("Ce code ne correspond à aucun dépôt des réseaux de ce point relais")
    assert live_server.query("SELECT count(*) FROM parcels WHERE outgoing") == outgoing_before


def test_offline_a_label_finds_the_drop_off_its_code_was_synchronised_for(live_server, new_context):
    page = online_visit(new_context().new_page(), live_server)
    go_offline(page)
    page.get_by_role("link", name="Dépôt d'un client").click()
    expect(page.get_by_label("Code de dépôt ou étiquette")).to_be_focused()
    wedge(page, "CE800001FR")  # the label of the demo's return, DEP-RETURNLUNE
    expect(page.locator("#deposit-facts")).to_contain_text("Inès Moreau")
