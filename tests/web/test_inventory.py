"""« Inventaire » and « Colis attendus »: what the shop holds and what is coming, and nothing of another shop."""
import csv
import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hub.core.extensions import db
from hub.core.models import Parcel, Pickup
from hub.rules import deadlines
from hub.rules.parcels import Action

from ..conftest import markup, text

HTMX = {"HX-Request": "true"}


def pickup_id(app, customer):
    with app.app_context():
        return db.session.scalar(select(Pickup.id).where(Pickup.customer_name == customer))


@pytest.fixture
def other_shop(app, shop_of, parcel_in):
    """associe2's shop holds a parcel for « Zoé Secrète », under her own pickup."""
    shop_id = shop_of("associe2")
    parcel = parcel_in(shop_id, Action.RECEIVE, recipient="Zoé Secrète", tracking_id="ZZSECRET01",
                       description="Objet confidentiel", pickup_code="909090")
    with app.app_context():
        return {"shop": shop_id, "parcel": parcel, "pickup": db.session.get(Parcel, parcel).pickup_id}


# --- Counts, list, drill-down --------------------------------------------------------------------


def test_the_inventory_counts_the_shops_parcels_by_state(associate):
    page = markup(associate.get("/inventaire/"))
    counts = dict((label, int(n)) for n, label in re.findall(r"<strong>(\d+)</strong><span>([^<]+)</span>", page))
    # The demo's drop-off of yesterday waits for the carrier.
    assert counts == {"à retirer": 4, "expiré": 1, "à retourner": 2, "introuvable": 1, "à remettre au livreur": 1}
    assert "9 colis en magasin, capacité 20" in page


def test_the_inventory_lists_customers_by_name_with_their_parcel_count(associate):
    page = markup(associate.get("/inventaire/"))
    names = re.findall(r'<span class="name">([^<]+)</span>', page)
    assert names == ["Camille Martin", "Chloé Thomas", "Hugo Dubois", "Léa Bernard", "Lucas Robert"]
    assert "Manon Richard" not in names and "Nathan Petit" not in names  # collected, returned: gone
    assert "2 colis" in page


def test_a_customers_name_opens_their_tracking_numbers_parcel_names_and_shelf_places(app, associate):
    response = associate.get(f"/inventaire/clients/{pickup_id(app, 'Camille Martin')}", headers=HTMX)
    body = markup(response)
    assert response.status_code == 200 and "<html" not in body
    assert "CE100001FR" in body and "Chaussures de running" in body
    assert "CE100002FR" in body and "Livre de cuisine" in body
    assert re.search(r'class="shelf"[^>]*>[A-G]-\d\d<', body)
    assert "à retirer" in body


def test_the_drill_down_without_javascript_is_a_whole_page(app, associate):
    response = associate.get(f"/inventaire/clients/{pickup_id(app, 'Lucas Robert')}")
    body = markup(response)
    assert "<html" in body and "Lucas Robert" in body
    assert "expiré" in body and "à retourner" in body
    assert "HX-Request" in response.headers["Vary"]


def test_the_drill_down_shows_only_the_parcels_still_in_the_shop(app, associate):
    body = markup(associate.get(f"/inventaire/clients/{pickup_id(app, 'Hugo Dubois')}", headers=HTMX))
    assert "CE100004FR" in body
    assert "CE100011FR" not in body  # marked missing


def test_a_parcel_without_a_pickup_is_still_listed_under_its_customers_name(associate, shop_of, parcel_in):
    parcel_in(shop_of("associe"), Action.RECEIVE, recipient="Sans Retrait", tracking_id="NOPICKUP1")
    page = markup(associate.get("/inventaire/"))
    assert "Sans Retrait" in page and "NOPICKUP1" in page


# --- Search ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("query, expected", [("lea", "Léa Bernard"), ("BERNARD", "Léa Bernard"),
                                             ("CE100006", "Lucas Robert"), ("ce 1000-06 fr", "Lucas Robert"),
                                             ("chloé thomas", "Chloé Thomas")])
def test_search_finds_a_customer_by_name_or_tracking_id(associate, query, expected):
    response = associate.get("/inventaire/recherche", query_string={"q": query}, headers=HTMX)
    body = markup(response)
    assert response.status_code == 200 and "<html" not in body
    assert re.findall(r'<span class="name">([^<]+)</span>', body) == [expected]


def test_search_without_javascript_gives_the_whole_page_filtered(associate):
    page = markup(associate.get("/inventaire/", query_string={"q": "hugo"}))
    assert "<html" in page
    assert re.findall(r'<span class="name">([^<]+)</span>', page) == ["Hugo Dubois"]
    assert 'value="hugo"' in page


def test_a_search_that_matches_nothing_says_so(associate):
    body = text(associate.get("/inventaire/recherche", query_string={"q": "personne"}, headers=HTMX))
    assert "Aucun client ne correspond à « personne »." in body and "0 client" not in body


def test_the_search_field_asks_again_after_a_short_delay(associate):
    page = markup(associate.get("/inventaire/"))
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    assert 'action="/inventaire/"' in page  # a plain form without JavaScript


# --- Synchronise ----------------------------------------------------------------------------------


def test_synchronise_reloads_the_inventory_and_says_when(associate, clock):
    before = clock.now()
    body = markup(associate.get("/inventaire/?synchro=1", headers=HTMX))
    after = clock.now()
    assert "<html" not in body and 'id="inventory"' in body
    said = {f"Synchronisé à {moment.astimezone(ZoneInfo('Europe/Paris')):%H:%M}" for moment in (before, after)}
    assert any(line in body for line in said)


def test_the_inventory_says_nothing_of_a_sync_when_none_was_asked(associate):
    assert "Synchronisé" not in markup(associate.get("/inventaire/"))


def test_synchronise_shows_a_state_changed_since_the_page_was_opened(app, associate):
    assert "introuvable" in markup(associate.get("/inventaire/"))
    associate.post(f"/colis/{_parcel_id(app, 'CE100005FR')}/retrouve")
    body = markup(associate.get("/inventaire/?synchro=1", headers=HTMX))
    counts = dict((label, int(n)) for n, label in re.findall(r"<strong>(\d+)</strong><span>([^<]+)</span>", body))
    assert counts["introuvable"] == 0 and counts["à retirer"] == 5


def _parcel_id(app, tracking_id):
    with app.app_context():
        return db.session.scalar(select(Parcel.id).where(Parcel.tracking_id == tracking_id))


def test_the_menu_has_the_associates_screens(associate):
    page = markup(associate.get("/"))
    for label, href in [("Accueil", "/"), ("Inventaire", "/inventaire/"), ("Colis attendus", "/attendus/"),
                        ("Horaires d'ouverture", "/horaires/"), ("Synchroniser", "/inventaire/?synchro=1")]:
        assert f'<a href="{href}">{label}</a>' in page


# --- CSV export -----------------------------------------------------------------------------------


def test_the_csv_export_opens_in_french_excel(associate):
    response = associate.get("/inventaire/inventaire.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="inventaire-')
    raw = response.data
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Client", "Numéro de suivi", "Colis", "Taille", "Emplacement", "État", "Réseau", "Reçu le",
                       "Dernier jour de retrait"]
    assert len(rows) == 1 + 9  # the header, the parcels the shop holds (one a customer's drop-off)
    lea = next(r for r in rows if r[1] == "CE100003FR")
    assert lea[0] == "Léa Bernard" and lea[2] == "Lampe de bureau" and lea[3] == "grande taille"
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", lea[7])


def test_the_csv_export_never_hands_a_formula_to_the_spreadsheet(associate, shop_of, parcel_in):
    parcel_in(shop_of("associe"), Action.RECEIVE, recipient="=HYPERLINK(\"http://x\")", tracking_id="FORMULA1",
              description="+33 cmd", pickup_code="121212")
    rows = list(csv.reader(io.StringIO(associate.get("/inventaire/inventaire.csv").data.decode("utf-8-sig")),
                           delimiter=";"))
    row = next(r for r in rows if r[1] == "FORMULA1")
    assert row[0] == "'=HYPERLINK(\"http://x\")" and row[2] == "'+33 cmd"


# --- Isolation between shops ---------------------------------------------------------------------


def test_the_inventory_never_shows_another_shops_parcels(associate, other_shop):
    page = markup(associate.get("/inventaire/"))
    assert "Zoé Secrète" not in page and "ZZSECRET01" not in page


@pytest.mark.parametrize("query", ["Zoé", "ZZSECRET01", "secret"])
def test_search_never_finds_another_shops_parcels(associate, other_shop, query):
    body = markup(associate.get("/inventaire/recherche", query_string={"q": query}, headers=HTMX))
    assert re.findall(r'<span class="name">([^<]+)</span>', body) == []
    assert "Objet confidentiel" not in body and "ZZSECRET01<" not in body and "/clients/" not in body


def test_the_csv_export_never_holds_another_shops_parcels(associate, other_shop):
    body = associate.get("/inventaire/inventaire.csv").data.decode("utf-8-sig")
    assert "ZZSECRET01" not in body and "Zoé" not in body


@pytest.mark.parametrize("htmx", [False, True])
def test_another_shops_customer_answers_404(associate, other_shop, htmx):
    response = associate.get(f"/inventaire/clients/{other_shop['pickup']}", htmx=htmx)
    assert response.status_code == 404
    assert "ZZSECRET01" not in markup(response)


def test_an_unknown_customer_answers_404(associate):
    assert associate.get("/inventaire/clients/999999").status_code == 404


def test_the_other_associate_sees_their_own_inventory(browser, other_shop):
    other = browser().login("associe2")
    page = markup(other.get("/inventaire/"))
    assert "Zoé Secrète" in page and "Camille Martin" not in page
    assert other.get(f"/inventaire/clients/{other_shop['pickup']}").status_code == 200


@pytest.mark.parametrize("path", ["/inventaire/", "/inventaire/recherche", "/inventaire/inventaire.csv",
                                  "/attendus/", "/horaires/", "/capacite/"])
@pytest.mark.parametrize("username", ["livreur", "admin"])
def test_only_an_associate_opens_the_shop_screens(browser, demo_data, path, username):
    assert browser().login(username).get(path).status_code == 403


@pytest.mark.parametrize("path", ["/inventaire/", "/inventaire/inventaire.csv", "/attendus/", "/horaires/"])
def test_the_shop_screens_need_a_sign_in(browser, demo_data, path):
    response = browser().get(path)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


# --- Expected parcels -----------------------------------------------------------------------------


def test_expected_parcels_are_grouped_by_day_then_network(associate):
    page = markup(associate.get("/attendus/"))
    assert "3 colis en route vers le point relais." in page
    today = page.index("Aujourd'hui")
    assert page.index("Colis Express", today) > today
    for tracking_id in ("CE100013FR", "CE100014FR", "CE100015FR"):
        assert tracking_id in page
    assert "CE100010FR" not in page  # refused at drop-off, not expected any more


def test_expected_parcels_show_the_next_days_late_ones_and_undated_ones(associate, shop_of, make_parcel, clock):
    shop = shop_of("associe")
    today = deadlines.local_date(clock.now(), "Europe/Paris")
    make_parcel(shop, tracking_id="LATE0001", expected_on=today - timedelta(days=2))
    make_parcel(shop, tracking_id="SOON0001", expected_on=today + timedelta(days=3))
    make_parcel(shop, tracking_id="NODATE01")
    page = markup(associate.get("/attendus/"))
    assert page.index("En retard") < page.index("Aujourd'hui") < page.index("SOON0001") < page.index("Date non précisée")
    assert page.index("LATE0001") < page.index("CE100013FR") < page.index("SOON0001") < page.index("NODATE01")


def test_expected_parcels_of_another_shop_never_show(associate, demo_data):
    assert "CE200001FR" not in markup(associate.get("/attendus/"))


def test_the_expected_parcels_fragment_comes_alone_for_htmx(associate):
    body = markup(associate.get("/attendus/", headers=HTMX))
    assert "<html" not in body and 'id="expected"' in body
