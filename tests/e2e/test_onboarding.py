"""A network starts on Comptoir, from a database with nothing in it, as the README's deploying section walks
an operator through it: the first operator's link from the command line, a network and a shop made in the
back office, two associates invited, one phone they share by PIN, a parcel handed over by each (the
history names who), and the phone revoked when it is lost."""
import re

from playwright.sync_api import expect

from .conftest import command_output, follow, login, wedge
from .test_pins import at_counter, set_my_pin, switch_online

PASSWORDS = {"ops@relais-sud.example": "un réseau de points relais au soleil",
             "nadia@relais-sud.example": "deux cafés et un croissant",
             "hugo@relais-sud.example": "le vélo rouge du facteur"}
PARCELS = {"RS200001FR": "Inès Garnier", "RS200002FR": "Paul Mercier"}


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def choose_password(page, link, password):
    """Open a one-time link and choose the password."""
    page.goto(link)
    page.get_by_label("Nouveau mot de passe", exact=True).fill(password)
    page.get_by_label("Le même mot de passe, à nouveau").fill(password)
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(page.get_by_text("Votre mot de passe est enregistré.")).to_be_visible()


def invite(office, name, email):
    """« Personnes »: invite an associate of the new shop; the link is shown once."""
    office.get_by_label("Nom", exact=True).fill(name)
    office.get_by_label("Adresse e-mail (son identifiant)").fill(email)
    office.get_by_label("Point relais (pour un associé)").select_option(label="Bazar du Port")
    office.get_by_role("button", name="Inviter").click()
    shown = office.get_by_role("status").filter(has_text=email)  # this invitation's link, not the one before
    expect(shown.locator("pre.new-key")).to_contain_text("/mot-de-passe/")
    return shown.locator("pre.new-key").inner_text().strip()


def send(office, tracking_id, recipient):
    """« Envoyer des colis »: the network announces a parcel for the new shop."""
    office.get_by_label("Point relais").select_option(label="Bazar du Port (Marseille)")
    office.get_by_label("Numéro de suivi").fill(tracking_id)
    office.get_by_label("Nom du destinataire").fill(recipient)
    office.get_by_role("button", name="Envoyer le colis").click()
    expect(office.get_by_role("status")).to_contain_text(tracking_id)


def set_up_the_network(server, office):
    """The operator's first steps: password, network, shop, two parcels announced, two associates invited."""
    link = command_output(server, "accounts", "create-operator", "ops@relais-sud.example").strip().splitlines()[-1]
    assert link.startswith(server.url + "/mot-de-passe/")
    choose_password(office, link, PASSWORDS["ops@relais-sud.example"])
    login(office, server, "ops@relais-sud.example", PASSWORDS["ops@relais-sud.example"])
    office.goto(server.url + "/admin/reseaux/")
    expect(office.get_by_text("Vous ne gérez encore aucun réseau")).to_be_visible()
    office.get_by_label("Nom", exact=True).fill("Relais du Sud")
    office.get_by_role("button", name="Créer le réseau").click()
    expect(office.get_by_role("heading", name="Réglages de Relais du Sud")).to_be_visible()

    office.goto(server.url + "/admin/")
    follow(office, "Points relais")
    follow(office, "Nouveau point relais")
    for label, value in (("Nom", "Bazar du Port"), ("Rue", "3 quai du Port"), ("Code postal", "13002"),
                         ("Ville", "Marseille")):
        office.get_by_label(label, exact=True).fill(value)
    expect(office.get_by_label("Relais du Sud")).to_be_checked()
    office.get_by_role("button", name="Créer le point relais").click()
    expect(office.get_by_text("Point relais créé.")).to_be_visible()

    office.goto(server.url + "/admin/envois")
    for tracking_id, recipient in PARCELS.items():
        send(office, tracking_id, recipient)
    office.goto(server.url + "/admin/reseaux/")
    follow(office, "Personnes")
    return invite(office, "Nadia Haddad", "nadia@relais-sud.example"), invite(office, "Hugo Martin",
                                                                              "hugo@relais-sud.example")


def first_sign_in(phone, server, email, name_the_device=None):
    """An associate signs in on the counter's phone with their password (the first one names the phone)."""
    phone.goto(server.url + "/connexion")
    phone.get_by_label("Nom d'utilisateur").fill(email)
    phone.get_by_label("Mot de passe").fill(PASSWORDS[email])
    if name_the_device:
        phone.get_by_label("Nom de cet appareil").fill(name_the_device)
    phone.get_by_role("button", name="Se connecter").click()
    expect(phone.get_by_role("link", name="Collecte du client")).to_be_visible()


def sign_out(phone, server):
    phone.goto(server.url + "/")
    phone.locator("summary[aria-label=Menu]").click()
    phone.get_by_role("button", name="Déconnexion").click()
    expect(phone).to_have_url(re.compile(r"/connexion$"))


def receive_the_parcels(phone, server):
    """The driver is not the network's own: « Autre livreur », and the associate scans each parcel in."""
    follow(phone, "Livraison par le livreur")
    phone.get_by_role("button", name="Autre livreur : je scanne les colis moi-même").click()
    expect(phone.get_by_role("heading", name="Autre livreur : scannez chaque colis")).to_be_visible()
    for tracking_id in PARCELS:
        expect(phone.locator("[data-scan-field]")).to_be_focused()
        wedge(phone, tracking_id)
        expect(phone.locator("#intake [role=status]")).to_contain_text(f"{tracking_id} reçu")
    phone.goto(server.url + "/")


def hand_over(phone, server, tracking_id):
    """« Collecte du client »: the customer's code (as their notice says it), then the parcel's label."""
    [(code,)] = server.query("SELECT pickups.code FROM pickups JOIN parcels ON parcels.pickup_id = pickups.id "
                             "WHERE parcels.tracking_id = ?", tracking_id)
    follow(phone, "Collecte du client")
    expect(phone.locator("input[name=entry][data-scan-field]")).to_be_focused()
    wedge(phone, code)
    expect(phone.get_by_role("heading", name=PARCELS[tracking_id])).to_be_visible()
    expect(phone.get_by_label("Scanner les colis")).to_be_focused()
    wedge(phone, tracking_id)
    expect(phone.get_by_role("status")).to_contain_text(f"Remis : {tracking_id}")
    phone.goto(server.url + "/")


def history(office, server, tracking_id):
    """The parcel's history in the back office, found by its tracking ID."""
    office.goto(server.url + "/admin/")
    office.get_by_label("Numéro de suivi ou client").fill(tracking_id)
    office.get_by_label("Numéro de suivi ou client").press("Enter")
    office.get_by_role("link", name=tracking_id).click()
    return office.locator("table tr", has_text="remis au client")


def test_a_new_network_gets_from_an_empty_database_to_two_associates_sharing_a_revoked_phone(fresh_server,
                                                                                          new_context):
    server = fresh_server
    office = new_context(phone=False).new_page()
    nadia_link, hugo_link = set_up_the_network(server, office)

    phone = new_context().new_page()
    choose_password(phone, nadia_link, PASSWORDS["nadia@relais-sud.example"])
    first_sign_in(phone, server, "nadia@relais-sud.example", name_the_device="Téléphone du comptoir")
    set_my_pin(phone, "2468")
    fits(phone)
    sign_out(phone, server)
    choose_password(phone, hugo_link, PASSWORDS["hugo@relais-sud.example"])
    first_sign_in(phone, server, "hugo@relais-sud.example")
    set_my_pin(phone, "1357")
    phone.goto(server.url + "/")
    expect(at_counter(phone)).to_have_text("Hugo Martin")

    switch_online(phone, "Nadia Haddad", pin="2468")
    receive_the_parcels(phone, server)
    hand_over(phone, server, "RS200001FR")
    switch_online(phone, "Hugo Martin", pin="1357")
    hand_over(phone, server, "RS200002FR")
    fits(phone)

    expect(history(office, server, "RS200001FR")).to_contain_text("Nadia Haddad")
    expect(history(office, server, "RS200002FR")).to_contain_text("Hugo Martin")

    office.goto(server.url + "/admin/appareils/")
    office.get_by_role("link", name="Téléphone du comptoir").click()
    office.get_by_text("Révoquer", exact=True).click()
    office.get_by_label("Pourquoi (perdu, volé, cassé…)").fill("Perdu au marché")
    office.get_by_role("button", name="Révoquer cet appareil").click()
    expect(office.locator("#device")).to_contain_text("Révoqué")

    phone.reload()
    expect(phone.get_by_text("Cet appareil a été retiré par le réseau")).to_be_visible()
    expect(phone.get_by_text("Perdu au marché")).to_be_visible()
    expect(at_counter(phone)).to_have_count(0)
    assert server.query("SELECT count(*) FROM sign_ins WHERE ended_at IS NULL AND device_id IN "
                        "(SELECT id FROM devices WHERE name = ?)", "Téléphone du comptoir") == [(0,)]
    follow(phone, "Se reconnecter")
    expect(phone.get_by_role("button", name="Se connecter")).to_be_visible()
    fits(phone)
