"""« Collecte du client » in a real browser, driven the way a counter with a keyboard-wedge scanner is."""
import re

from playwright.sync_api import expect

from .conftest import follow, login, read_code_from_the_notice, wedge


def parcels_in_shop(page):
    return int(re.search(r"(\d+) colis en magasin", page.locator("#load").inner_text()).group(1))


def parcel_card(page, tracking_id):
    return page.locator(".pickup-parcel", has_text=tracking_id)


def type_the_tracking_id(page, tracking_id, size):
    """« Impossible de scanner »: tap the parcel's size, then type its tracking ID."""
    parcel_card(page, tracking_id).get_by_text(size).click()
    field = parcel_card(page, tracking_id).get_by_label("Impossible de scanner")
    field.click()
    field.type(tracking_id.lower(), delay=5)
    field.press("Enter")


def test_a_customer_collects_one_parcel_typed_by_hand_and_rejects_the_other(live_server, new_context):
    code = read_code_from_the_notice(live_server, new_context, "Camille Martin")
    page = new_context().new_page()
    login(page, live_server, "associe")
    before = parcels_in_shop(page)
    follow(page, "Collecte du client")
    expect(page.locator("input[name=entry][data-scan-field]")).to_be_focused()
    wedge(page, code)
    expect(page.get_by_role("heading", name="Camille Martin")).to_be_visible()
    expect(parcel_card(page, "CE100001FR")).to_contain_text("taille moyenne")
    [(shelf_place,)] = live_server.query("SELECT shelf_place FROM parcels WHERE tracking_id = ?", "CE100001FR")
    expect(parcel_card(page, "CE100001FR")).to_contain_text(shelf_place)

    # Another customer's parcel is refused, and the scan field is ready for the next label.
    expect(page.get_by_label("Scanner les colis")).to_be_focused()
    wedge(page, "CE100003FR")
    expect(page.get_by_role("alert")).to_contain_text("autre client")
    expect(page.get_by_label("Scanner les colis")).to_be_focused()

    type_the_tracking_id(page, "CE100001FR", "taille moyenne")
    expect(page.get_by_role("status")).to_contain_text("Remis : CE100001FR")

    parcel_card(page, "CE100002FR").get_by_text("petite taille").click()
    parcel_card(page, "CE100002FR").get_by_text("Rejeter", exact=True).click()
    parcel_card(page, "CE100002FR").get_by_role("button", name="Oui, le rejeter").click()
    expect(page.get_by_role("status")).to_contain_text("CE100002FR rejeté")

    page.get_by_role("button", name="Terminé").click()
    expect(page.get_by_role("heading", name="Remis (1)")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Rejetés"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name="Retour à l'accueil").click()
    assert parcels_in_shop(page) == before - 1  # the rejected parcel waits for the carrier


def test_after_everything_is_handled_the_code_opens_nothing_and_a_wrong_code_is_said_so(live_server, new_context):
    code = read_code_from_the_notice(live_server, new_context, "Léa Bernard")
    page = new_context().new_page()
    login(page, live_server, "associe")
    page.goto(f"{live_server.url}/collecte/")
    page.get_by_text("Entrer le code", exact=True).click()
    expect(page.get_by_label("Code de retrait (6 chiffres)")).to_be_focused()
    wedge(page, code)
    expect(page.get_by_label("Scanner les colis")).to_be_focused()
    wedge(page, "CE100003FR")
    expect(page.get_by_role("status")).to_contain_text("Remis : CE100003FR")
    page.get_by_role("button", name="Terminé").click()
    expect(page.get_by_text("Plus rien n'attend ce client")).to_be_visible()
    page.get_by_role("link", name="Client suivant").click()
    wedge(page, code)
    expect(page.get_by_role("alert")).to_contain_text("Ce code n'est pas valable")


def test_the_lock_counts_down_in_minutes_and_seconds(live_server, new_context):
    page = login(new_context().new_page(), live_server, "associe")
    page.goto(f"{live_server.url}/collecte/")
    page.get_by_text("Entrer le code", exact=True).click()
    for n in range(10):
        field = page.get_by_label("Code de retrait (6 chiffres)")
        if field.is_disabled():
            break
        field.fill(f"99999{n}")
        field.press("Enter")
        expect(field).to_have_value("")  # the screen came back, its field empty
    countdown = page.locator(".countdown")
    expect(countdown).to_have_text(re.compile(r"^1[45] min \d\d s$"))
    page.clock.run_for(3000)
    expect(countdown).to_have_text(re.compile(r"^14 min 5\d s$"))
    expect(page.locator("#pickup-lock")).to_contain_text("Réessayez dans 14 min")


def rejects(server, tracking_id):
    return server.query("SELECT count(*) FROM parcel_events e JOIN parcels p ON p.id = e.parcel_id "
                        "WHERE p.tracking_id = ? AND e.action = 'reject'", tracking_id)[0][0]


def test_reject_and_not_found_ask_first_and_record_one_event_by_keyboard_alone(live_server, new_context):
    code = read_code_from_the_notice(live_server, new_context, "Camille Martin")
    page = login(new_context(phone=False).new_page(), live_server, "associe")
    page.goto(f"{live_server.url}/collecte/")
    wedge(page, code)
    expect(page.get_by_role("heading", name="Camille Martin")).to_be_visible()
    card = parcel_card(page, "CE100002FR")
    card.locator(".parcel-options > summary").focus()
    page.keyboard.press("Enter")  # the size opens the parcel's options
    card.locator(".confirm-step > summary", has_text="Rejeter").focus()
    page.keyboard.press("Enter")
    confirm = card.get_by_role("button", name="Oui, le rejeter")
    expect(confirm).to_be_focused()
    expect(card).to_contain_text("Le client refuse CE100002FR ? Il repart avec le livreur.")
    page.keyboard.press("Escape")  # a slip of the finger: nothing happens
    expect(card.locator(".confirm-step > summary", has_text="Rejeter")).to_be_focused()
    assert rejects(live_server, "CE100002FR") == 0
    page.keyboard.press("Enter")
    expect(confirm).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("CE100002FR rejeté")
    assert rejects(live_server, "CE100002FR") == 1
    other = parcel_card(page, "CE100001FR")
    other.locator(".parcel-options > summary").click()
    other.get_by_text("Impossible à trouver", exact=True).click()
    other.get_by_role("button", name="Annuler").click()
    assert live_server.query("SELECT state FROM parcels WHERE tracking_id = 'CE100001FR'") == [("at_store",)]
