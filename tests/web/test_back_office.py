"""The operator's back office: the outbox of customer notices, parcel search with full history, the shops."""
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.core import clock as clock_module
from hub.core.extensions import db
from hub.core.models import OutboxMessage, Parcel, Pickup

from ..conftest import text



@pytest.fixture
def notices(app, demo_data):
    with app.app_context():
        now = clock_module.now()
        pickup_id = db.session.scalar(select(Pickup.id).limit(1))  # a demo pickup: the operator's network
        db.session.add_all([
            OutboxMessage(kind="pickup_notice", recipient="camille.martin@example.fr", subject="Ancien avis",
                          body="Bonjour Camille,\nvotre code : 123456", created_at=now - timedelta(days=2),
                          sent_at=now - timedelta(days=2), status="sent", pickup_id=pickup_id),
            OutboxMessage(kind="pickup_notice", recipient="lea.bernard@example.fr", subject="Nouvel avis",
                          body="Bonjour Léa,\nvos colis vous attendent <b>ici</b>.", created_at=now,
                          pickup_id=pickup_id),
        ])
        db.session.commit()


def test_the_outbox_lists_notices_newest_first_with_their_body(operator, notices):
    page = text(operator.get("/admin/avis"))
    assert page.index("Nouvel avis") < page.index("Ancien avis")
    assert "Bonjour Léa,\nvos colis vous attendent <b>ici</b>." in page  # shown as text, not markup
    assert "&lt;b&gt;" in operator.get("/admin/avis").get_data(as_text=True)
    assert "en attente" in page and "envoyé le" in page


def test_an_empty_outbox_says_so(operator):
    assert "Aucun avis pour l'instant." in text(operator.get("/admin/avis"))


@pytest.mark.parametrize("query", ["CE100003FR", "ce100003", "ce-1000", "Léa Bernard", "lea", "LÉA BERN"])
def test_the_parcel_search_finds_a_parcel_by_the_start_of_its_tracking_id_or_its_customers_name(operator, query):
    page = text(operator.get("/admin/colis", query_string={"q": query}))
    assert ">CE100003FR</a> — Léa Bernard — Tabac-Presse du Marché — à retirer" in page


@pytest.mark.parametrize("query", ["%", "_", "100003", "bernard"])
def test_the_parcel_search_matches_starts_only_and_reads_wildcards_literally(operator, query):
    assert "Aucun colis ne correspond." in text(operator.get("/admin/colis", query_string={"q": query}))


def test_the_parcel_search_goes_page_by_page(app, operator, monkeypatch):
    from hub.views import admin

    monkeypatch.setattr(admin, "SEARCH_PAGE", 4)
    seen, url = [], "/admin/colis?q=CE1"
    while url:
        page = operator.get(url).get_data(as_text=True)
        seen += re.findall(r">(CE\d+FR)</a>", page)
        more = re.search(r'id="next-page" href="([^"]+)"', page)
        url = html.unescape(more.group(1)) if more else None
    with app.app_context():
        every = db.session.scalars(select(Parcel.tracking_id).where(Parcel.tracking_id.like("CE1%"))
                                   .order_by(Parcel.tracking_id)).all()
    assert seen == every and len(every) > 8


def test_the_back_office_home_searches_on_the_search_page(operator):
    page = operator.get("/admin/").get_data(as_text=True)
    assert 'action="/admin/colis"' in page


def test_a_parcels_page_shows_its_full_history(operator, app):
    with app.app_context():
        parcel_id = db.session.scalar(select(Parcel.id).where(Parcel.tracking_id == "CE100007FR"))
    page = text(operator.get(f"/admin/colis/{parcel_id}"))
    history = page[page.index("Historique"):]
    assert history.index("<td>reçu</td>") < history.index("<td>expiré</td>") < history.index("<td>prêt pour le retour</td>")


def test_the_operator_menu_leads_to_sending_parcels_and_the_outbox(operator):
    page = text(operator.get("/admin/"))
    assert '<a href="/admin/envois">Envoyer des colis</a>' in page
    assert '<a href="/admin/avis">Avis aux clients</a>' in page


def test_the_shops_list_shows_every_shop_with_its_load(operator):
    page = text(operator.get("/admin/"))
    assert "Tabac-Presse du Marché" in page and "Épicerie de la Gare" in page
    assert "Charge 9 / 20" in page and "Charge 0 / 20" in page


@pytest.mark.parametrize("path", ["/admin/", "/admin/avis", "/admin/envois", "/admin/assistance", "/admin/points/1"])
@pytest.mark.parametrize("username", ["associe", "livreur"])
def test_only_an_operator_opens_the_back_office(browser, demo_data, path, username):
    assert browser().login(username).get(path).status_code == 403
