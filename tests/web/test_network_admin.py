"""The network's settings and its shops in the back office, through the test client: French refusals that
change nothing, CSRF, the audit log, and a shop taken off the network that receives nothing but still hands
over what it holds."""
import re
import uuid

import pytest
from sqlalchemy import func, select

from hub.core.extensions import db
from hub.core.models import AuditEntry, Network, Parcel, Shop, ShopEvent
from hub.rules.parcels import State

from ..conftest import text
from .conftest import current_code, open_visit
from .test_api import ApiClient, shipment
from .test_people import network_id

SETTINGS = {"name": "Colis Express", "hold_days": "7", "default_capacity": "20", "other_carrier_allowed": "1",
            "intake_minutes": "30", "dropoff_max_kg": "20", "dropoff_max_cm": "100"}
NEW_SHOP = {"name": "Bazar du Port", "street": "3 quai du Port", "postcode": "13002", "city": "Marseille",
            "timezone": "Europe/Paris", "capacity": "25", "capabilities": "PICK_UP", "active": "1"}


def words(response):
    """What a person reads, tags left out and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


def network_row(app, name="Colis Express"):
    with app.app_context():
        n = db.session.scalar(select(Network).where(Network.name == name))
        return (n.name, n.hold_days, n.default_capacity, n.other_carrier_allowed, n.intake_minutes)


def counts(app):
    with app.app_context():
        return [db.session.scalar(select(func.count()).select_from(m)) for m in (Shop, AuditEntry, ShopEvent)]


def shop_row(app, shop_id):
    with app.app_context():
        s = db.session.get(Shop, shop_id)
        return (s.name, s.street, s.city, s.timezone, s.capacity, s.active, s.offers_pickup, [n.name for n in s.networks])


def settings_url(app):
    return f"/admin/reseaux/{network_id(app)}/reglages"


def test_the_settings_page_shows_the_networks_values_as_a_page_or_a_fragment(app, operator):
    page = operator.get(settings_url(app))
    assert page.status_code == 200 and "Réglages de Colis Express" in text(page) and "<html" in text(page)
    fragment = operator.get(settings_url(app), htmx=True)
    assert "<html" not in text(fragment) and 'hx-target="this"' in text(fragment)
    assert "HX-Request" in fragment.headers["Vary"] and 'name="hold_days"' in text(fragment)


@pytest.mark.parametrize("field, value, message", [
    ("hold_days", "0", "Le délai de retrait doit être un nombre entier de jours, de 1 à 30."),
    ("hold_days", "31", "Le délai de retrait doit être un nombre entier de jours, de 1 à 30."),
    ("hold_days", "", "Le délai de retrait doit être un nombre entier de jours, de 1 à 30."),
    ("default_capacity", "0", "La capacité doit être un nombre entier de 5 à 1000."),
    ("default_capacity", "100000", "La capacité doit être un nombre entier de 5 à 1000."),
    ("intake_minutes", "0", "Le temps pour scanner les colis doit être un nombre entier de minutes, de 5 à 240."),
    ("dropoff_max_kg", "0", "Le poids maximal d'un dépôt doit être un nombre entier de kilos, de 1 à 70."),
    ("dropoff_max_kg", "71", "Le poids maximal d'un dépôt doit être un nombre entier de kilos, de 1 à 70."),
    ("dropoff_max_kg", "vingt", "Le poids maximal d'un dépôt doit être un nombre entier de kilos, de 1 à 70."),
    ("dropoff_max_cm", "19", "Le plus grand côté d'un dépôt doit être un nombre entier de centimètres, de 20 à 300."),
    ("dropoff_max_cm", "301", "Le plus grand côté d'un dépôt doit être un nombre entier de centimètres, de 20 à 300."),
    ("dropoff_max_cm", "", "Le plus grand côté d'un dépôt doit être un nombre entier de centimètres, de 20 à 300."),
    ("name", "", "Le champ « réseau » est obligatoire."),
    ("name", "relais vert", "Un réseau s'appelle déjà « relais vert »."),
])
def test_a_bad_setting_is_refused_in_french_and_changes_nothing(app, operator, field, value, message):
    before, row = counts(app), network_row(app)
    answer = operator.post(settings_url(app), {**SETTINGS, "hold_days": "12", field: value})
    assert answer.status_code in (409, 422) and message in text(answer)
    assert network_row(app) == row and counts(app) == before


def test_saved_settings_are_in_the_audit_log_before_and_after(app, operator):
    answer = operator.post(settings_url(app), dict(SETTINGS, hold_days="10", other_carrier_allowed=""))
    assert answer.status_code == 200 and "Réglages enregistrés." in text(answer)
    assert network_row(app) == ("Colis Express", 10, 20, False, 30)
    page = words(operator.get(settings_url(app)))
    assert "a modifié le délai de retrait (jours d'ouverture) Colis Express 7 → 10" in page
    assert "a modifié la prise en charge des colis d'un autre chauffeur Colis Express oui → non" in page


def test_the_drop_off_limits_are_shown_saved_and_audited(app, operator):
    form = text(operator.get(settings_url(app), htmx=True))
    assert 'name="dropoff_max_kg"' in form and 'value="20"' in form and 'value="100"' in form
    answer = operator.post(settings_url(app), dict(SETTINGS, dropoff_max_kg="30", dropoff_max_cm="120"))
    assert answer.status_code == 200 and "Réglages enregistrés." in text(answer)
    with app.app_context():
        network = db.session.get(Network, network_id(app))
        assert (network.dropoff_max_kg, network.dropoff_max_cm) == (30, 120)
    page = words(operator.get(settings_url(app)))
    assert "a modifié le poids maximal d'un dépôt (kg) Colis Express 20 → 30" in page
    assert "a modifié le plus grand côté d'un dépôt (cm) Colis Express 100 → 120" in page


def test_a_settings_form_without_its_csrf_token_is_refused_and_changes_nothing(app, operator):
    row = network_row(app)
    answer = operator.client.post(settings_url(app), data=dict(SETTINGS, hold_days="12"),
                                  headers={"Idempotency-Key": str(uuid.uuid4()), "HX-Request": "true"})
    assert answer.status_code == 400 and network_row(app) == row
    created = operator.client.post("/admin/points/nouveau", data=dict(NEW_SHOP, networks=str(network_id(app))),
                                   headers={"Idempotency-Key": str(uuid.uuid4())})
    assert created.status_code == 400


def test_another_networks_operator_gets_404_for_its_settings_and_shops(app, browser, demo_data):
    vert = browser().login("admin-vert")
    gare = _shop_id(app, "Épicerie de la Gare")  # Colis Express alone
    before = counts(app)
    assert vert.get(settings_url(app)).status_code == 404
    assert vert.post(settings_url(app), dict(SETTINGS, hold_days="12")).status_code == 404
    assert vert.get(f"/admin/points/{gare}/modifier").status_code == 404
    assert vert.post(f"/admin/points/{gare}/modifier", dict(NEW_SHOP, networks=str(network_id(app, "Relais Vert")))
                     ).status_code == 404
    assert "Épicerie de la Gare" not in text(vert.get("/admin/points/"))
    assert counts(app) == before and network_row(app)[1] == 7


def _shop_id(app, name):
    with app.app_context():
        return db.session.scalar(select(Shop.id).where(Shop.name == name))


def test_the_shop_list_shows_city_capacity_load_and_whether_active(app, browser, demo_data):
    page = text(browser().login("admin-colis").get("/admin/points/"))
    assert "Tabac-Presse du Marché" in page and "Lyon" in page and "Épicerie de la Gare" in page
    assert "Charge" in page and "Actif" in page and "Nouveau point relais" in page


def test_a_new_shop_serves_the_chosen_network_with_the_default_week_and_an_audit_entry(app, operator):
    answer = operator.post("/admin/points/nouveau", dict(NEW_SHOP, networks=str(network_id(app))))
    assert answer.status_code == 204 and "/modifier" in answer.headers["HX-Redirect"]
    shop_id = _shop_id(app, "Bazar du Port")
    assert shop_row(app, shop_id) == ("Bazar du Port", "3 quai du Port", "Marseille", "Europe/Paris", 25, True, True,
                                      ["Colis Express"])
    with app.app_context():
        shop = db.session.get(Shop, shop_id)
        assert len(shop.ranges) == 6 and shop.totp_secret
    assert "a créé le point relais Bazar du Port" in words(operator.get(settings_url(app)))


@pytest.mark.parametrize("fields, message", [
    ({"timezone": ""}, "Choisissez le fuseau horaire du point relais."),
    ({"timezone": "Europe/Lutece"}, "« Europe/Lutece » n'est pas un fuseau horaire."),
    ({"capacity": "0"}, "La capacité doit être un nombre entier de 5 à 1000."),
    ({"capacity": "100000"}, "La capacité doit être un nombre entier de 5 à 1000."),
    ({"networks": ""}, "Choisissez au moins un réseau servi par le point relais."),
    ({"networks": "999999"}, "Un point relais ne peut être rattaché qu'à un réseau que vous gérez."),
    ({"city": ""}, "Le champ « point relais » est obligatoire."),
])
def test_a_bad_shop_is_refused_in_french_and_nothing_is_made(app, operator, fields, message):
    before = counts(app)
    answer = operator.post("/admin/points/nouveau", {**NEW_SHOP, "networks": str(network_id(app)), **fields})
    assert answer.status_code == 422 and message in text(answer)
    assert counts(app) == before
    edited = operator.post(f"/admin/points/{_shop_id(app, 'Épicerie de la Gare')}/modifier",
                           {**NEW_SHOP, "networks": str(network_id(app)), **fields})
    assert edited.status_code == 422 and message in text(edited)
    assert counts(app) == before and shop_row(app, _shop_id(app, "Épicerie de la Gare"))[0] == "Épicerie de la Gare"


def test_an_edit_keeps_the_networks_the_operator_does_not_run(app, browser, demo_data):
    vert = browser().login("admin-vert")
    lyon = _shop_id(app, "Tabac-Presse du Marché")
    fields = dict(NEW_SHOP, name="Tabac-Presse du Marché", city="Lyon", networks=str(network_id(app, "Relais Vert")))
    assert vert.post(f"/admin/points/{lyon}/modifier", fields).status_code == 200
    assert shop_row(app, lyon)[-1] == ["Colis Express", "Relais Vert"]


def test_a_deactivated_shop_receives_nothing_but_still_hands_over_what_it_holds(app, operator, carrier, associate,
                                                                               shop, clock):
    fields = dict(NEW_SHOP, name="Tabac-Presse du Marché", street="12 place du Marché", city="Lyon", postcode="69001",
                  capacity="20", networks=[str(network_id(app)), str(network_id(app, "Relais Vert"))])
    fields.pop("active")
    answer = operator.post(f"/admin/points/{shop.id}/modifier", fields)
    assert answer.status_code == 200 and shop_row(app, shop.id)[5] is False
    refused = ApiClient(app.test_client()).post("/shipments", shipment(shop.id))
    assert refused.status_code == 409 and "n'est pas actif" in refused.get_json()["detail"]
    delivery = open_visit(carrier, shop, current_code(app, shop, clock))
    assert delivery.status_code == 409 and "n'est pas actif : il ne peut pas recevoir de colis" in text(delivery)
    assert "Tabac-Presse du Marché" in text(carrier.get("/livreur/"))  # its returns wait: still in the round
    returns = open_visit(carrier, shop, current_code(app, shop, clock), kind="return")
    assert returns.status_code == 303 and "/livreur/visites/" in returns.headers["Location"]
    other = associate.post(f"/livraison/{shop.network_id}/autre", {}, htmx=False)
    assert other.status_code == 409 and "n'est pas actif" in text(other)
    with app.app_context():
        waiting = db.session.scalar(select(Parcel).where(Parcel.shop_id == shop.id, Parcel.state == State.AT_STORE,
                                                         Parcel.pickup_id.is_not(None)))
        code, tracking_id, parcel_id = waiting.pickup.code, waiting.tracking_id, waiting.id
    turn = associate.post("/collecte/", {"entry": code}, htmx=False)
    assert turn.status_code == 303
    assert associate.post(turn.headers["Location"] + "/scanner", {"tracking_id": tracking_id}).status_code == 200
    with app.app_context():
        assert db.session.get(Parcel, parcel_id).state == State.COLLECTED


def test_a_network_that_refuses_the_other_carrier_shows_no_button_keeps_none_offline_and_refuses_the_intake(app, operator, associate,
                                                                                          shop):
    assert str(network_id(app)) in associate.get("/hors-ligne/paquet").get_json()["intakes"]
    operator.post(settings_url(app), dict(SETTINGS, other_carrier_allowed=""))
    assert "je scanne les colis moi-même" not in text(associate.get(f"/livraison/{shop.network_id}"))
    assert str(network_id(app)) not in associate.get("/hors-ligne/paquet").get_json()["intakes"]
    refused = associate.post(f"/livraison/{shop.network_id}/autre", {}, htmx=False)
    assert refused.status_code == 422 and "ne permet pas aux points relais de scanner" in text(refused)


@pytest.mark.parametrize("who", ["associe", "livreur"])
def test_an_associate_or_a_carrier_gets_403_from_every_page_of_the_settings_and_shops(app, browser, demo_data, who):
    someone, lyon, before = browser().login(who), _shop_id(app, "Tabac-Presse du Marché"), counts(app)
    pages = [settings_url(app), "/admin/points/", "/admin/points/nouveau", f"/admin/points/{lyon}/modifier"]
    assert {path: someone.get(path).status_code for path in pages} == {path: 403 for path in pages}
    posts = [(settings_url(app), dict(SETTINGS, hold_days="12")),
             ("/admin/points/nouveau", dict(NEW_SHOP, networks=str(network_id(app)))),
             (f"/admin/points/{lyon}/modifier", dict(NEW_SHOP, networks=str(network_id(app))))]
    assert [someone.post(path, data).status_code for path, data in posts] == [403, 403, 403]
    assert counts(app) == before and network_row(app)[1] == 7


def test_an_operator_creates_a_network_runs_it_alone_and_finds_it_in_its_log(app, browser, demo_data):
    vert, express = browser().login("admin-vert"), browser().login("admin-colis")
    answer = vert.post("/admin/reseaux/", {"name": "Relais du Sud"})
    assert answer.status_code == 204
    with app.app_context():
        created = db.session.scalar(select(Network).where(Network.name == "Relais du Sud"))
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.network_id == created.id))
        assert (created.hold_days, created.default_capacity) == (7, 20)
        assert entry.actor.username == "admin-vert" and entry.action.value == "network_created"
    assert answer.headers["HX-Redirect"] == f"/admin/reseaux/{created.id}/reglages"
    assert "Relais du Sud" in text(vert.get("/admin/reseaux/"))
    assert "a créé le réseau" in words(vert.get(f"/admin/reseaux/{created.id}/reglages"))
    assert express.get(f"/admin/reseaux/{created.id}/reglages").status_code == 404
    assert "Relais du Sud" not in text(express.get("/admin/reseaux/"))


@pytest.mark.parametrize("name, message", [("", "Le champ « réseau » est obligatoire."),
                                           ("colis express", "Un réseau s'appelle déjà « colis express »."),
                                           ("\u0007", "Le champ « réseau » est obligatoire.")])
def test_a_network_without_a_name_or_with_a_taken_one_is_refused_in_french(app, operator, name, message):
    before = counts(app)
    with app.app_context():
        networks = db.session.scalar(select(func.count()).select_from(Network))
    answer = operator.post("/admin/reseaux/", {"name": name})
    assert answer.status_code in (409, 422) and message in text(answer)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Network)) == networks
    assert counts(app) == before


def test_a_network_form_without_its_csrf_token_makes_nothing(app, operator):
    with app.app_context():
        networks = db.session.scalar(select(func.count()).select_from(Network))
    answer = operator.client.post("/admin/reseaux/", data={"name": "Relais du Sud"},
                                  headers={"Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Network)) == networks
