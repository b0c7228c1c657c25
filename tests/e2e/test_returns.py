"""« Collecte du livreur » with the server's clock moved: expiry, the 2-hour block, the scan, the carrier."""
import re

from playwright.sync_api import expect

from .conftest import carrier_at_counter, login, parcel_notice_token, show_shop_code, wedge

DELIVERED = ["CE100013FR", "CE100014FR", "CE100015FR"]


def drop_off(live_server, counter, new_context):
    code = show_shop_code(counter)
    carrier = carrier_at_counter(login(new_context().new_page(), live_server, "livreur"), code)
    for tracking_id in DELIVERED:
        expect(carrier.locator("[data-scan-field]")).to_be_focused()
        wedge(carrier, tracking_id)
        expect(carrier.get_by_role("status")).to_contain_text(f"{tracking_id} reçu")
    carrier.get_by_role("button", name="Terminer la livraison").click()
    return carrier


def scan_all_expired(counter):
    expect(counter.locator("#expired li.parcel").first).to_be_visible()  # the list has come (all_inner_texts waits not)
    for tracking_id in counter.locator("#expired li.parcel .parcel-id").all_inner_texts():
        expect(counter.locator("[data-scan-field]")).to_be_focused()
        wedge(counter, tracking_id)
        expect(counter.get_by_role("status")).to_contain_text(f"{tracking_id} est prêt pour le livreur")


def test_expired_parcels_block_the_counter_until_scanned_then_go_back_with_the_carrier(live_server, new_context):
    counter = login(new_context().new_page(), live_server, "associe")
    # The demo shop starts with an expired parcel waiting: its notice is on the home screen.
    counter.locator("#task-returns").click()
    scan_all_expired(counter)
    counter.goto(live_server.url + "/")
    carrier = drop_off(live_server, counter, new_context)

    new_context.move_clock(days=8)
    counter.goto(live_server.url + "/")
    expect(counter.locator("#task-returns")).to_contain_text("Des colis ont expiré")
    expect(counter.get_by_role("link", name="Collecte du client")).to_be_visible()

    new_context.move_clock(days=3)  # whatever the hour, more than 2 opening hours later
    counter.goto(live_server.url + "/")
    expect(counter.get_by_role("heading", name="Terminez d'abord cette tâche")).to_be_visible()
    expect(counter.get_by_role("link", name="Collecte du client")).to_have_count(0)
    counter.goto(live_server.url + "/collecte/")
    expect(counter).to_have_url(re.compile(r"/retours/expires$"))

    rows = counter.locator("#expired li.parcel .parcel-id")
    expired = rows.all_inner_texts()
    assert set(DELIVERED) <= set(expired)
    missing, to_scan = expired[0], expired[1:]
    counter.locator(f"#expired li:has-text('{missing}')").get_by_role("link", name="Impossible à trouver").click()
    expect(counter.get_by_role("alertdialog")).to_contain_text(missing)
    counter.get_by_role("alertdialog").get_by_role("button", name="OK").click()
    expect(counter.get_by_role("status")).to_contain_text(f"{missing} déclaré manquant")
    for tracking_id in to_scan:
        expect(counter.locator("[data-scan-field]")).to_be_focused()
        wedge(counter, tracking_id)
        expect(counter.get_by_role("status")).to_contain_text(f"{tracking_id} est prêt pour le livreur")
    expect(counter.get_by_text("Plus aucun colis expiré à scanner")).to_be_visible()

    counter.goto(live_server.url + "/")
    expect(counter.get_by_role("link", name="Collecte du client")).to_be_visible()

    # A customer comes for a staged parcel after all: the normal pickup hands it over (seed FAQ).
    collected = next(t for t in to_scan if t in DELIVERED)
    customer = new_context().new_page()
    customer.goto(f"{live_server.url}/retrait/{parcel_notice_token(live_server, collected)}")
    pickup_code = customer.locator("#pickup-code").inner_text()
    counter.get_by_role("link", name="Collecte du client").click()
    counter.get_by_text("Entrer le code", exact=True).click()
    counter.get_by_label("Code de retrait (6 chiffres)").fill(pickup_code)
    counter.get_by_label("Code de retrait (6 chiffres)").press("Enter")
    expect(counter.locator("[data-scan-field]")).to_be_focused()
    wedge(counter, collected)
    expect(counter.locator(f"#pickup li:has-text('{collected}')")).to_contain_text("remis")
    counter.locator("#pickup-done").click()

    # The carrier comes for the rest: the associate hands them over without scanning.
    counter.goto(live_server.url + "/")
    code = show_shop_code(counter)
    counter.goto(live_server.url + "/retours/")
    to_hand = counter.locator("#returns li.parcel .parcel-id").all_inner_texts()
    assert collected not in to_hand and missing not in to_hand

    carrier.goto(live_server.url + "/livreur/")
    carrier_at_counter(carrier, code, button="Reprise des retours")
    colis_express = [t for t in to_hand if t.startswith("CE")]
    for tracking_id in colis_express:
        expect(carrier.locator("[data-scan-field]")).to_be_focused()
        wedge(carrier, tracking_id)
        expect(carrier.get_by_role("status")).to_contain_text(f"{tracking_id} repris")
    expect(counter.locator("#returns")).to_contain_text(f"{len(colis_express)} colis repris")
    carrier.get_by_role("button", name="Terminer").click()
    expect(carrier.get_by_role("heading", name="Retours repris")).to_be_visible()
