"""Several associates on one counter phone (360 px): each signs in once with their password and sets a PIN,
then they take the counter over from each other by PIN — online, and offline against the device's keyed
hashes — and every event names who was at the counter."""
from datetime import datetime
import re

from playwright.sync_api import expect

from hub.cli.demo import DEMO_PINS

from .conftest import (events, expect_waiting, follow, go_offline, go_online, login, online_visit,
                       read_code_from_the_notice, wait_until, wedge)
from .test_offline import open_the_pickup

HANDED = ("CE100001FR", "CE100002FR")  # Camille Martin's parcels in the demo
EXPIRED = "CE100006FR"  # expired in the demo, waiting for the return scan
PINS = {"Sophie Lefèvre": "1470", "Camille Roux": "2580"}


def open_menu(page, link):
    page.locator("summary[aria-label=Menu]").click()
    follow(page, link)


def set_my_pin(page, pin, replacing_with_password=None):
    """« Mon code personnel »: a first PIN, or one that replaces a PIN (the form then asks for the password)."""
    open_menu(page, "Mon code personnel")
    page.get_by_label("Nouveau code").fill(pin)
    page.get_by_label("Le même code encore une fois").fill(pin)
    password = page.get_by_label("Votre mot de passe")
    if replacing_with_password:
        password.fill(replacing_with_password)
    else:
        expect(password).to_have_count(0)
    page.get_by_role("button", name="Enregistrer mon code").click()
    expect(page.get_by_role("status")).to_contain_text("Votre code personnel est enregistré.")


def at_counter(page):
    return page.locator("[data-at-counter-name]")


def switch_online(page, name, by_keyboard=False, pin=None):
    """« Changer » → « Qui est au comptoir ? » → the associate → their PIN (the demo's, unless given)."""
    pin = pin or PINS[name]
    follow(page, "Changer")
    expect(page.get_by_role("heading", name="Qui est au comptoir ?")).to_be_visible()
    follow(page, name)
    if by_keyboard:
        page.keyboard.type(pin)
        page.keyboard.press("Enter")
    else:
        for digit in pin:
            page.locator(f"#pin-pad [data-digit='{digit}']").click()
        page.get_by_role("button", name="OK").click()
    expect(at_counter(page)).to_have_text(name)
    page.wait_for_load_state()


def hand_over(page, server, new_context, tracking_id):
    code = read_code_from_the_notice(server, new_context, "Camille Martin")
    follow(page, "Collecte du client")
    page.get_by_text("Entrer le code", exact=True).click()
    open_the_pickup(page, code)
    wedge(page, tracking_id)
    expect(page.locator("#pickup [role=status]")).to_contain_text(f"Remis : {tracking_id}")
    page.goto(server.url + "/")


def synchronise(page, server):
    """« Synchroniser », and wait until the device holds a bundle the server made after it (a sync started before,
    by the page's load, may end meanwhile: its bundle would not know what was typed just before)."""
    asked = datetime.fromisoformat(server.now())
    open_menu(page, "Synchroniser")
    wait_until(page, "Boolean(document.documentElement.dataset.offlineSynced)", 20_000)
    wait_until(page, f"Date.parse(document.documentElement.dataset.offlineSynced) >= {asked.timestamp() * 1000}",
               20_000)


def who_did(server, tracking_id, action):
    return [row[0] for row in server.query(
        "SELECT a.display_name FROM parcel_events e JOIN parcels p ON p.id = e.parcel_id "
        "JOIN accounts a ON a.id = e.account_id WHERE p.tracking_id = ? AND e.action = ?", tracking_id, action)]


def history_in_the_back_office(server, new_context, tracking_id):
    [(parcel_id,)] = server.query("SELECT id FROM parcels WHERE tracking_id = ?", tracking_id)
    office = login(new_context(phone=False).new_page(), server, "admin")
    office.goto(f"{server.url}/admin/colis/{parcel_id}")
    return office.locator("table tr", has_text="remis au client").inner_text()


def test_two_associates_share_one_phone_by_pin_online_and_offline(live_server, new_context):
    page = online_visit(new_context().new_page(), live_server, "associe")
    set_my_pin(page, PINS["Sophie Lefèvre"], replacing_with_password="demo1234")  # the demo's associates have one
    page.goto(live_server.url + "/")
    page.locator("summary[aria-label=Menu]").click()
    page.get_by_role("button", name="Déconnexion").click()
    expect(page).to_have_url(re.compile(r"/connexion$"))
    online_visit(page, live_server, "camille")
    set_my_pin(page, PINS["Camille Roux"], replacing_with_password="demo1234")
    page.goto(live_server.url + "/")
    expect(at_counter(page)).to_have_text("Camille Roux")

    switch_online(page, "Sophie Lefèvre")
    hand_over(page, live_server, new_context, HANDED[0])
    switch_online(page, "Camille Roux", by_keyboard=True)
    hand_over(page, live_server, new_context, HANDED[1])
    assert who_did(live_server, HANDED[0], "hand_to_customer") == ["Sophie Lefèvre"]
    assert who_did(live_server, HANDED[1], "hand_to_customer") == ["Camille Roux"]
    assert "Sophie Lefèvre" in history_in_the_back_office(live_server, new_context, HANDED[0])
    assert "Camille Roux" in history_in_the_back_office(live_server, new_context, HANDED[1])
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    synchronise(page, live_server)  # the device now holds both PINs' keyed hashes
    go_offline(page)
    page.locator("[data-at-counter-switch]").click()
    lock = page.locator("[data-counter-lock]")
    expect(lock).to_be_visible()
    lock.get_by_role("button", name="Sophie Lefèvre").click()
    lock.get_by_label("Votre code").fill("0000")
    lock.get_by_role("button", name="OK").click()
    expect(lock.get_by_role("alert")).to_contain_text("Code incorrect. Essais restants avant le verrouillage : 4.")
    expect(at_counter(page)).to_have_text("Camille Roux")  # a wrong PIN switches nothing
    for digit in PINS["Sophie Lefèvre"]:
        lock.locator(f"[data-digit='{digit}']").click()
    lock.get_by_role("button", name="OK").click()
    expect(lock).to_be_hidden()
    expect(at_counter(page)).to_have_text("Sophie Lefèvre")

    page.goto(live_server.url + "/retours/expires")
    expect(page.locator("#expired")).to_contain_text(EXPIRED)
    expect(at_counter(page)).to_have_text("Sophie Lefèvre")  # a screen stored before the switch says it too
    wedge(page, EXPIRED)
    expect(page.locator("#expired [role=status]")).to_contain_text(f"{EXPIRED} est prêt pour le livreur")
    expect_waiting(page, 1)
    go_online(page)
    expect_waiting(page, 0)
    assert [offline for offline, _ in events(live_server, EXPIRED, "stage_for_return")] == [1]
    assert who_did(live_server, EXPIRED, "stage_for_return") == ["Sophie Lefèvre"]


def test_a_shared_phone_left_unused_offline_asks_who_is_at_the_counter(live_server, new_context):
    page = online_visit(new_context().new_page(), live_server, "camille")
    page.locator("summary[aria-label=Menu]").click()
    page.get_by_role("button", name="Déconnexion").click()
    expect(page).to_have_url(re.compile(r"/connexion$"))
    online_visit(page, live_server, "associe")  # two associates signed in on this phone: it is shared
    follow(page, "Changer")
    follow(page, "Sophie Lefèvre")
    page.keyboard.type(DEMO_PINS["associe"])  # typed here: the server makes its keyed hash for this phone
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/")  # the PIN pad sent back to the home screen
    page.wait_for_load_state()
    synchronise(page, live_server)
    go_offline(page)
    lock = page.locator("[data-counter-lock]")
    page.clock.fast_forward("09:00")
    expect(lock).to_be_hidden()
    page.clock.fast_forward("01:10")
    expect(lock).to_be_visible()
    expect(lock.get_by_role("heading", name="Qui est au comptoir ?")).to_be_visible()
    expect(lock.get_by_role("button", name="Sophie Lefèvre")).to_be_visible()
    page.keyboard.press("Escape")
    expect(lock).to_be_visible()  # no way round it but a PIN
    lock.get_by_role("button", name="Sophie Lefèvre").click()
    page.keyboard.type(DEMO_PINS["associe"])
    page.keyboard.press("Enter")
    expect(lock).to_be_hidden()
    expect(at_counter(page)).to_have_text("Sophie Lefèvre")
