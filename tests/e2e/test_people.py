"""An operator invites an associate from « Personnes »; the associate opens the link on a phone, chooses a
password, signs in at the counter; the operator deactivates the account and the phone is signed out."""
from playwright.sync_api import expect

from .conftest import login

PASSWORD = "deux cafés et un croissant"


def test_an_invited_associate_signs_in_on_a_phone_until_the_operator_deactivates_them(live_server, new_context):
    office = login(new_context(phone=False).new_page(), live_server, "admin-colis")
    office.goto(live_server.url + "/admin/reseaux/")
    office.get_by_role("link", name="Personnes").click()
    office.get_by_label("Nom", exact=True).fill("Nadia Haddad")
    office.get_by_label("Adresse e-mail (son identifiant)").fill("nadia@example.fr")
    office.get_by_label("Point relais (pour un associé)").select_option(label="Tabac-Presse du Marché")
    office.get_by_role("button", name="Inviter").click()
    link = office.locator("pre.new-key")
    expect(link).to_contain_text("/mot-de-passe/")

    phone = new_context().new_page()
    phone.goto(link.inner_text().strip())
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.get_by_label("Nouveau mot de passe", exact=True).fill(PASSWORD)
    phone.get_by_label("Le même mot de passe, à nouveau").fill(PASSWORD)
    phone.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(phone.get_by_text("Votre mot de passe est enregistré.")).to_be_visible()
    login(phone, live_server, "nadia@example.fr", PASSWORD)
    expect(phone.get_by_role("link", name="Collecte du client")).to_be_visible()

    office.reload()
    office.locator("li", has_text="nadia@example.fr").get_by_role("button", name="Désactiver").click()
    expect(office.get_by_text("désactivé nadia@example.fr")).to_be_visible()
    phone.reload()
    expect(phone.get_by_role("button", name="Se connecter")).to_be_visible()
