"""Capacity and « Je suis complet »: the load shown, the switch, who declared it, the refusals it causes,
the operator's side (capacity, sending parcels), and the 30-day chart."""
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.core import clock as clock_module
from hub.core.extensions import db
from hub.core.models import Command, Network, Parcel, Shop, ShopEvent
from hub.ops import Actor, record
from hub.ops.shop import ShopFull, ShopInactive, check_can_accept
from hub.rules import deadlines
from hub.rules.parcels import Action, State

from ..conftest import text

HTMX = {"HX-Request": "true"}



@pytest.fixture
def shop_facts(app):
    """``shop_facts(id)``: (full, capacity) read afresh."""

    def read(shop_id):
        with app.app_context():
            shop = db.session.get(Shop, shop_id)
            return shop.full, shop.capacity

    return read


@pytest.fixture
def events_of(app):
    def read(shop_id, *kinds):
        with app.app_context():
            rows = db.session.scalars(select(ShopEvent).where(ShopEvent.shop_id == shop_id).order_by(ShopEvent.id))
            return [(e.kind, e.account.username if e.account else None, e.detail) for e in rows
                    if not kinds or e.kind in kinds]

    return read


def set_full(app, shop_id, full=True, active=True):
    with app.app_context():
        shop = db.session.get(Shop, shop_id)
        shop.full, shop.active = full, active
        db.session.commit()


def switch(page):
    return re.search(r'role="switch"\s+aria-checked="(true|false)"', page).group(1)


# --- The load -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/inventaire/", "/capacite/"])
def test_the_load_against_capacity_shows_on_the_home_inventory_and_capacity_screens(associate, path):
    page = text(associate.get(path))
    assert "9 colis en magasin, capacité 20" in page
    assert 'style="width: 45%"' in page
    assert switch(page) == "false" and "Je suis complet" in page


def test_a_shop_at_capacity_is_told_it_may_say_it_is_full(app, associate, shop_of):
    with app.app_context():
        db.session.get(Shop, shop_of("associe")).capacity = 8
        db.session.commit()
    page = text(associate.get("/"))
    assert 'class="load over"' in page and "déclarez-vous complet" in page


# --- « Je suis complet » ------------------------------------------------------------------------------


def test_i_am_full_is_recorded_with_who_and_when(associate, shop_of, shop_facts, events_of):
    response = associate.post("/capacite/complet", {"full": "1"})
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert switch(body) == "true" and "les réseaux ne lui envoient plus de nouveaux colis" in body
    assert shop_facts(shop_of("associe"))[0] is True
    assert events_of(shop_of("associe")) == [("full", "associe", "")]


def test_i_am_full_can_be_turned_off(associate, shop_of, shop_facts, events_of):
    associate.post("/capacite/complet", {"full": "1"})
    body = text(associate.post("/capacite/complet", {"full": "0"}))
    assert switch(body) == "false"
    assert shop_facts(shop_of("associe"))[0] is False
    assert [kind for kind, *_ in events_of(shop_of("associe"))] == ["full", "not_full"]


def test_the_same_switch_command_twice_is_applied_once(associate, shop_of, events_of):
    key = str(uuid.uuid4())
    first = associate.post("/capacite/complet", {"full": "1"}, key=key)
    again = associate.post("/capacite/complet", {"full": "1"}, key=key)
    assert again.headers.get("Idempotent-Replayed") == "true" and again.data == first.data
    assert len(events_of(shop_of("associe"))) == 1


def test_saying_full_when_already_full_records_nothing_more(associate, shop_of, events_of):
    associate.post("/capacite/complet", {"full": "1"})
    assert switch(text(associate.post("/capacite/complet", {"full": "1"}))) == "true"
    assert len(events_of(shop_of("associe"))) == 1


def test_the_switch_works_as_a_plain_form_and_returns_to_its_screen(associate, shop_of, shop_facts):
    response = associate.post("/capacite/complet", {"full": "1", "next": "/inventaire/"}, htmx=False)
    assert response.status_code == 303 and response.headers["Location"] == "/inventaire/"
    assert shop_facts(shop_of("associe"))[0] is True
    assert switch(text(associate.get("/"))) == "true"


@pytest.mark.parametrize("target", ["//example.org/x", "https://example.org/", ""])
def test_the_plain_form_never_returns_to_another_site(associate, target):
    response = associate.post("/capacite/complet", {"full": "1", "next": target}, htmx=False)
    assert response.headers["Location"] == "/"


def test_my_switch_never_touches_another_shop(associate, shop_of, shop_facts, events_of):
    associate.post("/capacite/complet", {"full": "1"})
    assert shop_facts(shop_of("associe2"))[0] is False and events_of(shop_of("associe2")) == []


@pytest.mark.parametrize("username", ["livreur", "admin"])
def test_only_an_associate_uses_the_switch(browser, demo_data, shop_of, shop_facts, username):
    assert browser().login(username).post("/capacite/complet", {"full": "1"}).status_code == 403
    assert shop_facts(shop_of("associe"))[0] is False


def test_the_switch_needs_a_command_id(associate, shop_of, shop_facts):
    response = associate.client.post("/capacite/complet", data={"full": "1"}, headers={"X-CSRFToken": associate.token})
    assert response.status_code == 400 and shop_facts(shop_of("associe"))[0] is False


# --- Refusing parcels ------------------------------------------------------------------------------


def test_a_shop_that_can_take_parcels_passes_the_check(app, shop_of):
    with app.app_context():
        assert check_can_accept(db.session.get(Shop, shop_of("associe"))) is None


def test_a_full_shop_refuses_new_parcels_with_its_name(app, shop_of):
    set_full(app, shop_of("associe"))
    with app.app_context(), pytest.raises(ShopFull) as err:
        check_can_accept(db.session.get(Shop, shop_of("associe")))
    assert err.value.params == {"shop": "Tabac-Presse du Marché"} and err.value.status == 409


def test_an_inactive_shop_refuses_new_parcels(app, shop_of):
    set_full(app, shop_of("associe"), full=True, active=False)
    with app.app_context(), pytest.raises(ShopInactive):
        check_can_accept(db.session.get(Shop, shop_of("associe")))


def send_form(app, shop_id, **fields):
    with app.app_context():
        network = db.session.scalar(select(Network.id).where(Network.name == "Colis Express"))
    form = {"shop": str(shop_id), "network": str(network), "tracking_id": "NEW0001FR", "recipient_name": "Inès Roux",
            "recipient_email": "ines@example.fr", "size": "medium", "description": "Plante verte", "expected_on": ""}
    form.update(fields)
    return form


def parcel(app, tracking_id):
    with app.app_context():
        found = db.session.scalar(select(Parcel).where(Parcel.tracking_id == tracking_id))
        return found and (found.shop_id, found.state, found.expected_on, found.recipient_name)


def test_the_operator_sends_a_parcel_that_the_associate_then_expects(app, operator, associate, shop_of, clock):
    response = operator.post("/admin/envois", send_form(app, shop_of("associe"), tracking_id="new 0001-fr"))
    assert response.status_code == 200
    assert "Le colis NEW0001FR est attendu chez Tabac-Presse du Marché." in text(response)
    today = deadlines.local_date(clock.now(), "Europe/Paris")
    assert parcel(app, "NEW0001FR") == (shop_of("associe"), State.EXPECTED, today, "Inès Roux")
    assert "NEW0001FR" in text(associate.get("/attendus/"))


def test_a_parcel_sent_for_a_later_day_is_expected_that_day(app, operator, shop_of, clock):
    day = deadlines.local_date(clock.now(), "Europe/Paris") + timedelta(days=2)
    operator.post("/admin/envois", send_form(app, shop_of("associe"), expected_on=day.isoformat()))
    assert parcel(app, "NEW0001FR")[2] == day


def test_a_full_shop_refuses_a_parcel_sent_to_it_and_says_why(app, operator, shop_of, count):
    set_full(app, shop_of("associe"))
    key = str(uuid.uuid4())
    response = operator.post("/admin/envois", send_form(app, shop_of("associe")), key=key)
    assert response.status_code == 409
    assert "Tabac-Presse du Marché s'est déclaré complet : il ne peut pas recevoir de nouveaux colis" in text(response)
    assert parcel(app, "NEW0001FR") is None and count(Command, id=key) == 0
    assert 'value="Inès Roux"' in text(response)  # the form comes back as typed


def test_a_shop_declared_full_by_its_associate_refuses_the_operators_parcel(app, associate, operator, shop_of):
    associate.post("/capacite/complet", {"full": "1"})
    assert operator.post("/admin/envois", send_form(app, shop_of("associe"))).status_code == 409
    associate.post("/capacite/complet", {"full": "0"})
    assert operator.post("/admin/envois", send_form(app, shop_of("associe"))).status_code == 200


def test_an_inactive_shop_refuses_a_parcel_sent_to_it(app, operator, shop_of):
    set_full(app, shop_of("associe"), full=False, active=False)
    response = operator.post("/admin/envois", send_form(app, shop_of("associe")))
    assert response.status_code == 409 and "n'est pas actif" in text(response)


@pytest.mark.parametrize("fields, status, message", [
    ({"tracking_id": " - "}, 422, "Le champ « numéro de suivi » est obligatoire."),
    ({"recipient_name": " "}, 422, "Le champ « nom du destinataire » est obligatoire."),
    ({"shop": ""}, 422, "Le champ « point relais » est obligatoire."),
    ({"shop": "999999"}, 422, "Le champ « point relais » est obligatoire."),
    ({"network": "abc"}, 422, "Le champ « réseau » est obligatoire."),
    ({"size": "huge"}, 422, "Le champ « taille » est obligatoire."),
    ({"recipient_email": "pas une adresse"}, 422, "« pas une adresse » n'est pas une adresse e-mail."),
    ({"expected_on": "demain"}, 422, "« demain » n'est pas une date."),
    ({"tracking_id": "CE100001FR"}, 409, "Le colis CE100001FR existe déjà dans ce réseau."),
])
def test_a_bad_parcel_is_refused_with_a_clear_reason(app, operator, shop_of, count, fields, status, message):
    before = count(Parcel)
    response = operator.post("/admin/envois", send_form(app, shop_of("associe"), **fields))
    assert response.status_code == status and message in text(response)
    assert count(Parcel) == before


def test_a_parcel_of_a_network_the_shop_does_not_serve_is_refused(app, operator, shop_of, count):
    with app.app_context():
        other = db.session.scalar(select(Network.id).where(Network.name == "Relais Vert"))
    response = operator.post("/admin/envois", send_form(app, shop_of("associe2"), network=str(other)))
    assert response.status_code == 422 and "ne dessert pas le réseau Relais Vert" in text(response)
    assert parcel(app, "NEW0001FR") is None


def test_the_send_form_works_without_javascript(app, operator, shop_of):
    response = operator.post("/admin/envois", send_form(app, shop_of("associe")), htmx=False)
    assert response.status_code == 303 and response.headers["Location"] == "/admin/envois"
    assert "Le colis NEW0001FR est attendu" in text(operator.get("/admin/envois"))


@pytest.mark.parametrize("username", ["associe", "livreur"])
def test_only_an_operator_sends_parcels(app, browser, demo_data, shop_of, username):
    assert browser().login(username).post("/admin/envois", send_form(app, shop_of("associe"))).status_code == 403
    assert parcel(app, "NEW0001FR") is None


# --- The operator's side ---------------------------------------------------------------------------


def test_the_operator_sees_who_declared_the_shop_full_and_when(app, associate, operator, shop_of):
    associate.post("/capacite/complet", {"full": "1"})
    home = text(operator.get("/admin/"))
    row = home[home.index(f'id="shop-{shop_of("associe")}"'):]
    row = row[:row.index("</li>")]
    assert "Complet" in row and "Déclaré complet par Sophie Lefèvre le" in row
    detail = text(operator.get(f"/admin/points/{shop_of('associe')}"))
    assert "Déclaré complet par Sophie Lefèvre" in detail and "a déclaré le point relais complet" in detail


def test_a_shop_that_is_not_full_shows_no_declaration(operator, shop_of):
    home = text(operator.get("/admin/"))
    row = home[home.index(f'id="shop-{shop_of("associe")}"'):]
    assert "Déclaré complet" not in row[:row.index("</li>")]


def test_the_operator_sets_the_capacity(operator, shop_of, shop_facts, events_of):
    response = operator.post(f"/admin/points/{shop_of('associe')}/capacite", {"capacity": "35"})
    assert response.status_code == 200 and "Capacité enregistrée." in text(response)
    assert shop_facts(shop_of("associe"))[1] == 35
    assert events_of(shop_of("associe"), "capacity") == [("capacity", "admin", "20 → 35")]


def test_saving_the_capacity_updates_the_shops_load_line_too(operator, shop_of):
    response = text(operator.post(f"/admin/points/{shop_of('associe')}/capacite", {"capacity": "35"}))
    assert re.search(r'<p class="load" id="shop-load" hx-swap-oob="true">9 colis en magasin, capacité 35</p>', response)


def test_the_notice_sent_again_shows_at_once_in_the_pickups_notices(app, operator):
    with app.app_context():
        parcel = db.session.scalar(select(Parcel).where(Parcel.tracking_id == "CE100001FR"))
        pickup_id, parcel_id = parcel.pickup_id, parcel.id
    tag = '<span class="tag">renvoyé</span>'
    before = text(operator.get(f"/admin/colis/{parcel_id}")).count(tag)
    response = text(operator.post(f"/admin/retraits/{pickup_id}/renvoyer-avis"))
    assert response.count(tag) == before + 1 and "<html" not in response


@pytest.mark.parametrize("value", ["4", "0", "1001", "100000", "douze", "", "12.5"])
def test_a_capacity_out_of_bounds_is_refused(operator, shop_of, shop_facts, events_of, value):
    response = operator.post(f"/admin/points/{shop_of('associe')}/capacite", {"capacity": value})
    assert response.status_code == 422 and "un nombre entier de 5 à 1000" in text(response)
    assert shop_facts(shop_of("associe"))[1] == 20 and events_of(shop_of("associe")) == []


def test_the_new_capacity_is_what_the_associate_sees(operator, associate, shop_of):
    operator.post(f"/admin/points/{shop_of('associe')}/capacite", {"capacity": "40"})
    assert "9 colis en magasin, capacité 40" in text(associate.get("/"))


def test_an_associate_cannot_set_the_capacity(browser, demo_data, shop_of, shop_facts):
    response = browser().login("associe").post(f"/admin/points/{shop_of('associe')}/capacite", {"capacity": "99"})
    assert response.status_code == 403 and shop_facts(shop_of("associe"))[1] == 20


def test_the_operators_shop_page_shows_load_hours_and_chart(operator, shop_of):
    page = text(operator.get(f"/admin/points/{shop_of('associe')}"))
    assert "9 colis en magasin, capacité 20" in page
    assert "09:00–12:30, 14:00–19:00" in page
    assert "<svg" in page
    assert operator.get("/admin/points/999999").status_code == 404


# --- The 30-day chart ------------------------------------------------------------------------------


def bars(page):
    return re.findall(r'<rect class="bar( over)?"[^>]*>\s*<title>([^<]*) : (\d+)</title>', page)


def test_the_chart_has_thirty_days_of_parcels_received_and_the_capacity_line(associate):
    page = text(associate.get("/capacite/"))
    found = bars(page)
    assert len(found) == 30
    assert sum(int(n) for _, _, n in found) == 11  # the demo's 11 parcels received (one was refused)
    assert 'class="limit"' in page and "capacité 20" in page
    assert "<script" not in page.split("<svg")[1].split("</svg>")[0]


def test_a_parcel_received_today_counts_in_todays_bar(app, associate, shop_of, make_parcel):
    before = int(bars(text(associate.get("/capacite/")))[-1][2])
    parcel_id = make_parcel(shop_of("associe"), tracking_id="TODAY0001")
    with app.app_context():
        record(db.session.get(Parcel, parcel_id), Action.RECEIVE, Actor(None, None, clock_module.now()))
        db.session.commit()
    assert int(bars(text(associate.get("/capacite/")))[-1][2]) == before + 1


def test_a_day_over_capacity_is_drawn_apart(app, associate, shop_of, make_parcel):
    with app.app_context():
        db.session.get(Shop, shop_of("associe")).capacity = 5
        db.session.commit()
    for n in range(6):
        parcel_id = make_parcel(shop_of("associe"), tracking_id=f"BUSY{n:04d}")
        with app.app_context():
            record(db.session.get(Parcel, parcel_id), Action.RECEIVE, Actor(None, None, clock_module.now()))
            db.session.commit()
    assert bars(text(associate.get("/capacite/")))[-1][0] == " over"


def test_the_chart_counts_only_my_shops_parcels(app, associate, shop_of, make_parcel):
    before = bars(text(associate.get("/capacite/")))
    parcel_id = make_parcel(shop_of("associe2"), tracking_id="ELSEWHERE1")
    with app.app_context():
        record(db.session.get(Parcel, parcel_id), Action.RECEIVE, Actor(None, None, clock_module.now()))
        db.session.commit()
    assert bars(text(associate.get("/capacite/"))) == before


def test_the_chart_has_its_figures_as_a_table_too(associate):
    page = text(associate.get("/capacite/"))
    assert "Voir les chiffres" in page and page.count("<tr><td>") == 30

