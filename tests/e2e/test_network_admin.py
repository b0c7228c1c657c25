"""An operator on a 360 px phone, in French, creates a shop, changes its capacity, deactivates it, and reads
each change in the network's audit log."""
from playwright.sync_api import expect

from .conftest import follow, login


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_an_operator_creates_edits_and_deactivates_a_shop_and_reads_the_audit_log(live_server, new_context):
    office = login(new_context().new_page(), live_server, "admin-colis")
    office.goto(live_server.url + "/admin/")
    follow(office, "Points relais")
    follow(office, "Nouveau point relais")
    office.get_by_label("Nom", exact=True).fill("Bazar du Port")
    office.get_by_label("Rue", exact=True).fill("3 quai du Port")
    office.get_by_label("Code postal").fill("13002")
    office.get_by_label("Ville", exact=True).fill("Marseille")
    expect(office.get_by_label("Fuseau horaire")).to_have_value("Europe/Paris")
    expect(office.get_by_label("Colis Express")).to_be_checked()
    fits(office)
    office.get_by_role("button", name="Créer le point relais").click()
    expect(office.get_by_text("Point relais créé.")).to_be_visible()
    expect(office.get_by_role("heading", name="Bazar du Port")).to_be_visible()

    office.get_by_label("Capacité (colis)").fill("35")
    office.get_by_role("button", name="Enregistrer le point relais").click()
    expect(office.get_by_text("Point relais enregistré.")).to_be_visible()
    office.get_by_label("Actif : le point relais reçoit des colis").uncheck()
    office.get_by_role("button", name="Enregistrer le point relais").click()
    expect(office.get_by_text("Point relais enregistré.")).to_be_visible()
    expect(office.get_by_label("Actif : le point relais reçoit des colis")).not_to_be_checked()
    fits(office)

    follow(office, "Points relais")
    row = office.locator("li.shop-row", has_text="Bazar du Port")
    expect(row).to_contain_text("Inactif")
    expect(row).to_contain_text("Charge 0 / 35")
    office.goto(live_server.url + "/admin/reseaux/")
    follow(office, "Réglages")
    log = office.locator("#audit")
    expect(log).to_contain_text("a créé le point relais Bazar du Port")
    expect(log.locator("li", has_text="a modifié la capacité du point relais")).to_contain_text("20 → 35")
    expect(log.locator("li", has_text="a activé ou désactivé")).to_contain_text("actif → inactif")
    fits(office)
