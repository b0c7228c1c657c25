"""What a user can type is bounded: dates, ids, sizes. Out of bounds gets a refusal in French, never a 500,
and changes nothing."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hub.core.extensions import db
from hub.core.models import Closure, Network, Parcel
from hub.rules import deadlines

from ..conftest import text


@pytest.fixture
def today(clock):
    return deadlines.local_date(clock.now(), "Europe/Paris")


def closures(app, shop_id):
    with app.app_context():
        return db.session.scalars(select(Closure.ends_on).where(Closure.shop_id == shop_id)).all()


# --- Dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("last", ["9999-12-31", "31/12/9999", "one year and two days"])
def test_a_closure_ending_more_than_a_year_ahead_is_refused(app, associate, shop_of, today, last):
    last = (today + timedelta(days=367)).isoformat() if last == "one year and two days" else last
    response = associate.post("/horaires/fermetures", {"starts_on": (today + timedelta(days=3)).isoformat(),
                                                       "ends_on": last})
    assert response.status_code == 422
    assert ("Une fermeture doit se terminer dans l'année" in text(response)
            or "Une fermeture ne peut pas durer plus de 366 jours" in text(response))
    assert closures(app, shop_of("associe")) == []


def test_a_closure_of_a_few_days_more_than_a_year_ahead_says_by_when_it_must_end(app, associate, shop_of, today):
    start = today + timedelta(days=400)
    response = associate.post("/horaires/fermetures", {"starts_on": start.isoformat(),
                                                       "ends_on": (start + timedelta(days=2)).isoformat()})
    assert response.status_code == 422
    assert "Une fermeture doit se terminer dans l'année" in text(response)
    assert closures(app, shop_of("associe")) == []


def test_a_closure_ending_a_year_ahead_is_accepted(app, associate, shop_of, today):
    last = today + timedelta(days=366)
    response = associate.post("/horaires/fermetures", {"starts_on": (last - timedelta(days=2)).isoformat(),
                                                       "ends_on": last.isoformat()})
    assert response.status_code == 200
    assert closures(app, shop_of("associe")) == [last]


@pytest.fixture
def closed_to_the_end_of_time(app, shop_of, today):
    """A closure ending on the calendar's last day, as one saved before the bound would be."""
    shop_id = shop_of("associe")
    with app.app_context():
        db.session.add(Closure(shop_id=shop_id, starts_on=today + timedelta(days=2), ends_on=date.max))
        db.session.commit()
    return shop_id


@pytest.mark.parametrize("path", ["/", "/horaires/", "/collecte/", "/retours/", "/inventaire/", "/attendus/",
                                  "/capacite/", "/livraison/"])
def test_a_closure_to_the_end_of_the_calendar_leaves_every_counter_page_working(associate, closed_to_the_end_of_time,
                                                                               path):
    assert associate.get(path).status_code in (200, 302)


def test_a_closure_to_the_end_of_the_calendar_can_still_be_removed(app, associate, closed_to_the_end_of_time):
    with app.app_context():
        closure_id = db.session.scalar(select(Closure.id))
    assert associate.post(f"/horaires/fermetures/{closure_id}/supprimer").status_code == 200
    assert closures(app, closed_to_the_end_of_time) == []


def test_a_closure_to_the_end_of_the_calendar_leaves_the_public_admin_and_carrier_pages_working(
        browser, operator, closed_to_the_end_of_time):
    assert browser().get(f"/points/{closed_to_the_end_of_time}").status_code == 200
    assert operator.get(f"/admin/points/{closed_to_the_end_of_time}").status_code == 200
    carrier = browser().login("livreur")
    assert carrier.get("/livreur/").status_code == 200
    assert carrier.get(f"/livreur/points/{closed_to_the_end_of_time}").status_code == 200


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "a year and two days"])
def test_a_parcel_expected_out_of_the_coming_year_is_refused(app, operator, shop_of, today, day):
    day = (today + timedelta(days=367)).isoformat() if day == "a year and two days" else day
    with app.app_context():
        network = db.session.scalar(select(Network.id).where(Network.name == "Colis Express"))
    response = operator.post("/admin/envois", {
        "shop": str(shop_of("associe")), "network": str(network), "tracking_id": "FAR0001FR",
        "recipient_name": "Inès Roux", "size": "small", "expected_on": day})
    assert response.status_code == 422 and "Choisissez un jour du" in text(response)
    with app.app_context():
        assert db.session.scalar(select(Parcel).where(Parcel.tracking_id == "FAR0001FR")) is None


# --- Ids ------------------------------------------------------------------------------------------

HUGE = ["99999999999999999999999", "18446744073709551616", "9223372036854775808", "2147483648"]


@pytest.mark.parametrize("ident", HUGE)
def test_an_id_beyond_what_the_database_holds_is_not_found(browser, associate, operator, ident):
    assert browser().get(f"/points/{ident}").status_code == 404
    assert associate.get(f"/colis/{ident}").status_code == 404
    assert associate.post(f"/colis/{ident}/retrouve").status_code == 404
    assert operator.get(f"/admin/colis/{ident}").status_code == 404
    assert operator.get(f"/admin/points/{ident}").status_code == 404


@pytest.mark.parametrize("ident", HUGE + ["²", "١٢", "-1", "1e3"])
def test_a_huge_or_strange_id_in_the_send_form_is_refused_in_french(app, operator, ident, count):
    with app.app_context():
        network = db.session.scalar(select(Network.id).where(Network.name == "Colis Express"))
    before = count(Parcel)
    response = operator.post("/admin/envois", {"shop": ident, "network": str(network), "tracking_id": "HUGE0001",
                                               "recipient_name": "Inès Roux", "size": "small"})
    assert response.status_code == 422 and "Le champ « point relais » est obligatoire." in text(response)
    assert count(Parcel) == before


# --- Characters no database stores ---------------------------------------------------------------


@pytest.mark.parametrize("path, data", [
    ("/connexion", {"username": "associe\x00", "password": "x"}),
    ("/aide/assistance", {"phone": "06 12 34 56 78", "name": "Jo\x00"}),
])
def test_a_nul_character_in_a_form_is_refused_in_french(browser, demo_data, path, data):
    client = browser()
    response = client.post(path, data, htmx=False)
    assert response.status_code == 400
    assert "un caractère illisible" in text(response)


def test_a_nul_character_in_a_path_query_or_command_id_is_refused(browser, associate):
    assert browser().get("/retrait/%00").status_code == 400
    assert associate.get("/inventaire/recherche?q=a%00b").status_code == 400
    assert associate.post("/collecte/", {"entry": "12\x003456"}).status_code == 400
    assert associate.post("/capacite/complet", {"full": "1"}, key="abc\x00def").status_code == 400
    assert associate.post("/livraison/autre/cl%C3%A9%00/scan", {"tracking_id": "X"}).status_code == 400


def test_a_deeply_nested_json_body_is_refused_not_a_500(associate, count):
    body = "[" * 100_000 + "]" * 100_000
    response = associate.client.post("/capacite/complet", data=body, headers={
        "Content-Type": "application/json", "Idempotency-Key": "nested-json-0001", "X-CSRFToken": associate.token})
    assert response.status_code < 500


# --- Sizes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [True, False])
def test_a_body_over_the_limit_is_refused_unread(app, browser, demo_data, signed_in):
    client = browser().login("associe") if signed_in else browser()
    before = app.config["MAX_CONTENT_LENGTH"]
    response = client.client.post("/aide/assistance", data={"phone": "06 12 34 56 78", "message": "x" * before},
                                  headers={"Idempotency-Key": "too-large-0001"})
    assert response.status_code == 413
    assert "trop volumineuse" in text(response)
    with app.app_context():
        from hub.core.models import SupportRequest
        assert db.session.scalar(select(SupportRequest.id)) is None
