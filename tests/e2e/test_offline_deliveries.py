"""Deliveries with the network cut: the carrier's visit and the « Autre » intake, opened and scanned offline.

The server checks what the device could not (the shop code, against the moment it was read) when the
queue reaches it; a refused opening takes its scans with it into « À vérifier ».
"""
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from .conftest import (carrier_at_counter, events, expect_waiting, go_offline, go_online, online_visit, show_shop_code,
                       wedge)


def test_the_carrier_app_queues_its_scans_offline_the_same_way(live_server, new_context):
    counter = online_visit(new_context().new_page(), live_server)
    code = show_shop_code(counter)
    carrier = carrier_at_counter(online_visit(new_context().new_page(), live_server, "livreur"), code)
    expect(carrier.get_by_role("heading", name="Scannez les colis")).to_be_visible()
    carrier.wait_for_load_state()
    go_offline(carrier)
    for tracking_id in ("CE100013FR", "CE100014FR"):
        expect(carrier.locator("[data-scan-field]")).to_be_focused()  # ready for the scanner
        wedge(carrier, tracking_id)
        expect(carrier.locator("#visit [role=status]")).to_contain_text("Enregistré sur l'appareil")
    expect(carrier.locator("#offline-banner")).to_contain_text("2 opérations en attente d'envoi")
    go_online(carrier)
    expect_waiting(carrier, 0)
    for tracking_id in ("CE100013FR", "CE100014FR"):
        assert [o for o, _ in events(live_server, tracking_id, "receive")] == [1]


def visits(server):
    """Each carrier visit as the server recorded it: (key, code read at, opened at)."""
    return server.query("SELECT key, code_scanned_at, opened_at FROM visits WHERE mode = 'carrier'")


def test_a_carrier_opens_a_visit_offline_and_the_server_checks_the_code_as_it_was_when_read(live_server,
                                                                                            new_context):
    counter = online_visit(new_context().new_page(), live_server)
    code = show_shop_code(counter)
    link = counter.locator("[data-link]").get_attribute("data-link") + "?code=" + code  # what the QR code holds
    carrier = online_visit(new_context().new_page(), live_server, "livreur")
    go_offline(carrier)
    carrier.goto(link)  # the phone's camera opened the QR code's link
    expect(carrier.get_by_label("Code du point relais (6 chiffres)")).to_have_value(code)
    carrier.get_by_role("button", name="Livrer des colis").click()
    expect(carrier.get_by_role("heading", name="Scannez les colis")).to_be_visible()
    key = carrier.url.rstrip("/").split("/")[-1]
    for tracking_id in ("CE100013FR", "CE100014FR"):
        expect(carrier.locator("[data-scan-field]")).to_be_focused()  # ready for the scanner
        wedge(carrier, tracking_id)
        expect(carrier.locator("#visit [role=status]")).to_contain_text(f"{tracking_id} scanné. Enregistré sur l'appareil")
        expect(carrier.locator(f"#visit li:has-text('{tracking_id}')")).to_contain_text("en attente d'envoi")
    expect_waiting(carrier, 3)  # the opening, then the two scans behind it
    expect(carrier.locator("#visit")).to_contain_text("Scannés (2)")
    expect(carrier.locator("#visit")).to_contain_text("Encore attendus ici (1)")
    carrier.reload()  # the visit's screen stays on the device
    expect(carrier.get_by_role("heading", name="Scannez les colis")).to_be_visible()
    assert visits(live_server) == []

    now = new_context.move_clock(minutes=20)  # long after the code rotated
    go_online(carrier)
    expect_waiting(carrier, 0)
    [(stored_key, scanned_at, opened_at)] = visits(live_server)
    assert stored_key == key
    read = datetime.fromisoformat(scanned_at).replace(tzinfo=timezone.utc)
    assert datetime.fromisoformat(now) - read >= timedelta(minutes=19)  # checked against when it was read
    for tracking_id in ("CE100013FR", "CE100014FR"):
        assert [o for o, _ in events(live_server, tracking_id, "receive")] == [1]
    carrier.reload()
    expect(carrier.locator("#visit")).to_contain_text("CE100013FR")
    expect(carrier.locator("#visit")).to_contain_text("Scannés (2)")


def test_a_visit_opened_offline_with_a_wrong_code_is_refused_with_its_scans_when_it_arrives(live_server,
                                                                                            new_context):
    counter = online_visit(new_context().new_page(), live_server)
    code = show_shop_code(counter)
    wrong = "000000" if code != "000000" else "111111"
    forged = counter.locator("[data-link]").get_attribute("data-link") + "?code=" + wrong
    carrier = online_visit(new_context().new_page(), live_server, "livreur")
    go_offline(carrier)
    wedge(carrier, forged)  # a QR code read into today's shops: it leads to the shop's code screen
    expect(carrier.get_by_label("Code du point relais (6 chiffres)")).to_have_value(wrong)
    carrier.get_by_role("button", name="Livrer des colis").click()
    expect(carrier.get_by_role("heading", name="Scannez les colis")).to_be_visible()
    wedge(carrier, "CE100013FR")
    expect(carrier.locator("#visit [role=status]")).to_contain_text("Enregistré sur l'appareil")

    go_online(carrier)
    expect_waiting(carrier, 0)
    carrier.locator("#offline-banner").get_by_role("link", name="2 à vérifier").click()
    items = carrier.locator(".conflict")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("code")
    expect(items.nth(1)).to_contain_text("Cette visite n'est pas ouverte")
    assert visits(live_server) == []
    assert events(live_server, "CE100013FR", "receive") == []


def test_an_other_carriers_delivery_is_scanned_in_offline(live_server, new_context):
    counter = online_visit(new_context().new_page(), live_server)
    go_offline(counter)
    counter.get_by_role("link", name="Livraison par le livreur").click()
    counter.get_by_role("link", name="Colis Express").click()
    counter.get_by_role("button", name="Autre livreur : je scanne les colis moi-même").click()
    expect(counter.get_by_role("heading", name="Autre livreur : scannez chaque colis")).to_be_visible()
    for tracking_id in ("CE100013FR", "CE100014FR"):
        wedge(counter, tracking_id)
        expect(counter.locator("#intake [role=status]")).to_contain_text(f"{tracking_id} scanné. Enregistré sur l'appareil")
        expect(counter.locator(f"#intake li:has-text('{tracking_id}')")).to_contain_text("en attente d'envoi")
    expect_waiting(counter, 3)  # the start, then the two scans behind it
    assert counter.evaluate("document.documentElement.scrollWidth") <= 360

    go_online(counter)
    expect_waiting(counter, 0)
    for tracking_id in ("CE100013FR", "CE100014FR"):
        assert [o for o, _ in events(live_server, tracking_id, "receive")] == [1]
        expect(counter.locator(f"#intake li:has-text('{tracking_id}')")).not_to_contain_text("en attente d'envoi")
    counter.reload()
    expect(counter.locator("#intake")).to_contain_text("CE100013FR")
