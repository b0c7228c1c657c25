"""A carrier drops off at the counter, played by two people on two phones."""
import re

from playwright.sync_api import expect

from .conftest import carrier_at_counter, login, parcel_notice_token, wedge

PARCELS = ["CE100013FR", "CE100014FR", "CE100015FR"]


def test_a_carrier_drops_off_three_parcels_and_refuses_a_damaged_one(live_server, new_context):
    counter = login(new_context().new_page(), live_server, "associe")
    counter.get_by_role("link", name="Livraison par le livreur").click()
    counter.get_by_role("link", name="Colis Express").click()
    digits = counter.locator("[data-code-digits]")
    expect(digits).to_have_text(re.compile(r"^\d{3} \d{3}$"))
    expect(counter.locator("[data-qr] svg")).to_be_visible()

    carrier = login(new_context().new_page(), live_server, "livreur")
    carrier_at_counter(carrier, digits.inner_text().replace(" ", ""))
    expect(carrier.get_by_role("heading", name="Scannez les colis")).to_be_visible()

    for tracking_id in PARCELS:
        expect(carrier.locator("[data-scan-field]")).to_be_focused()
        wedge(carrier, tracking_id)
        expect(carrier.get_by_role("status")).to_contain_text(f"{tracking_id} reçu")

    carrier.once("dialog", lambda dialog: dialog.accept())
    carrier.locator(f"#visit li:has-text('{PARCELS[2]}')").get_by_role("button", name="Refuser — colis endommagé").click()
    expect(carrier.get_by_role("status")).to_contain_text(f"{PARCELS[2]} refusé")
    carrier.get_by_role("button", name="Terminer la livraison").click()
    expect(carrier.get_by_text("2 colis reçus · 1 colis refusé")).to_be_visible()

    follow = counter.locator("#follow")
    expect(follow).to_contain_text("2 colis reçus")
    for tracking_id in PARCELS[:2]:
        row = follow.locator(f"li:has-text('{tracking_id}')")
        expect(row.locator(".shelf")).to_have_text(re.compile(r"^[A-G]-\d{2}$"))
    expect(follow.locator(f"li:has-text('{PARCELS[2]}')")).to_contain_text("refusé à la livraison")

    customer = new_context().new_page()
    customer.goto(f"{live_server.url}/retrait/{parcel_notice_token(live_server, PARCELS[0])}")
    expect(customer.locator("#pickup-code")).to_have_text(re.compile(r"^\d{6}$"))
    expect(customer.locator(".barcode svg")).to_be_visible()
    expect(customer.get_by_text("À retirer au plus tard le")).to_be_visible()


def test_a_wrong_shop_code_opens_nothing(live_server, new_context):
    carrier = login(new_context().new_page(), live_server, "livreur")
    carrier.get_by_role("link", name="Tabac-Presse du Marché").click()
    carrier.get_by_label("Code du point relais (6 chiffres)").fill("000000")
    carrier.get_by_role("button", name="Livrer des colis").click()
    expect(carrier.get_by_role("alert")).to_contain_text("n'est pas valable")
