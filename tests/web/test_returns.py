"""« Collecte du livreur » through the web: expiry, the 2-hour rule, missing parcels, the carrier's visit."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.core.extensions import db
from hub.core.models import Parcel, ParcelEvent, Role, Shop
from hub.rules import codes, deadlines
from hub.rules.parcels import Action, State

from ..conftest import text


@pytest.fixture
def world(app, make_shop, make_account, browser, make_parcel):
    """A shop open around the clock (no hours set), its associate and carrier, three parcels dropped off now."""
    shop_id = make_shop("Relais Test")
    with app.app_context():
        network_id = db.session.get(Shop, shop_id).networks[0].id
    make_account("vendeuse", shop_id=shop_id)
    make_account("chauffeur", role=Role.CARRIER, network_id=network_id)
    ids = [make_parcel(shop_id, tracking_id=f"RT{n}FR", recipient=f"Client {n}") for n in range(3)]
    carrier = browser().login("chauffeur")
    with app.app_context():
        secret = db.session.get(Shop, shop_id).totp_secret
    visit = carrier.post(f"/livreur/points/{shop_id}/visites",
                         {"code": codes.shop_code(secret, carrier_now(app)), "kind": "dropoff"}, htmx=False)
    visit_url = visit.headers["Location"]
    for n in range(3):
        assert carrier.post(visit_url + "/scan", {"tracking_id": f"RT{n}FR"}).status_code == 200
    carrier.post(visit_url + "/terminer")
    return dict(shop_id=shop_id, secret=secret, parcels=ids, carrier=carrier,
                associate=browser().login("vendeuse"))


def carrier_now(app):
    from hub.core import clock
    with app.app_context():
        return clock.now()


def facts(app, parcel_id):
    with app.app_context():
        p = db.session.get(Parcel, parcel_id)
        return p.state, [e.action for e in p.events], p.dropped_at


def expiry_of(app, parcel_id):
    state, _, dropped = facts(app, parcel_id)
    return deadlines.pickup_deadline(dropped, "Europe/Paris")


def test_nothing_expires_before_the_end_of_the_seventh_day(app, world, clock):
    clock.move_to(expiry_of(app, world["parcels"][0]) - timedelta(minutes=1))
    home = text(world["associate"].get("/"))
    assert "Des colis ont expiré" not in home
    assert facts(app, world["parcels"][0])[0] == State.AT_STORE


def test_parcels_expire_at_the_end_of_their_seventh_day_and_the_home_says_so(app, world, clock):
    deadline = expiry_of(app, world["parcels"][0])
    clock.move_to(deadline + timedelta(minutes=5))
    home = text(world["associate"].get("/"))
    assert "Des colis ont expiré : scannez-les pour le retour au plus tard" in home
    state, actions, _ = facts(app, world["parcels"][0])
    assert state == State.EXPIRED and actions[-1] == Action.EXPIRE
    with app.app_context():
        event = db.session.scalars(select(ParcelEvent).where(ParcelEvent.parcel_id == world["parcels"][0],
                                                             ParcelEvent.action == Action.EXPIRE)).one()
        assert event.occurred_at == deadline  # dated when the 7 days ended, not when someone looked


def test_expiry_is_recorded_once_however_many_screens_look(app, world, clock):
    clock.move_to(expiry_of(app, world["parcels"][0]) + timedelta(minutes=5))
    for _ in range(3):
        world["associate"].get("/")
    assert facts(app, world["parcels"][0])[1].count(Action.EXPIRE) == 1


def test_scanning_an_expired_parcel_stages_it_for_return(app, world, clock):
    clock.move_to(expiry_of(app, world["parcels"][0]) + timedelta(minutes=5))
    response = world["associate"].post("/retours/expires/scan", {"tracking_id": "RT0FR"})
    assert response.status_code == 200 and "RT0FR est prêt pour le livreur" in text(response)
    assert facts(app, world["parcels"][0])[0] == State.TO_RETURN
    again = world["associate"].post("/retours/expires/scan", {"tracking_id": "RT0FR"})
    assert "était déjà prêt" in text(again)
    assert facts(app, world["parcels"][0])[1].count(Action.STAGE_FOR_RETURN) == 1


def test_a_parcel_that_has_not_expired_is_not_staged(app, world):
    response = world["associate"].post("/retours/expires/scan", {"tracking_id": "RT0FR"})
    assert response.status_code == 409 and "n'a pas expiré" in text(response)
    assert facts(app, world["parcels"][0])[0] == State.AT_STORE


def test_another_shops_parcel_is_not_in_this_inventory(app, world, demo_data):
    response = world["associate"].post("/retours/expires/scan", {"tracking_id": "CE100006FR"})
    assert response.status_code == 422 and "n'est pas dans l'inventaire" in text(response)


def test_unable_to_find_asks_for_ok_then_marks_missing(app, world, clock):
    clock.move_to(expiry_of(app, world["parcels"][1]) + timedelta(minutes=5))
    world["associate"].get("/")
    ask = world["associate"].get(f"/retours/colis/{world['parcels'][1]}/introuvable", htmx=True)
    assert "Confirmez que vous ne trouvez pas le colis RT1FR" in text(ask)
    assert facts(app, world["parcels"][1])[0] == State.EXPIRED  # asking changes nothing
    world["associate"].post(f"/retours/colis/{world['parcels'][1]}/manquant")
    assert facts(app, world["parcels"][1])[0] == State.MISSING


def test_two_hours_after_the_notice_everything_else_is_blocked_until_the_scan_is_done(app, world, clock):
    expired_at = expiry_of(app, world["parcels"][0])
    clock.move_to(expired_at + timedelta(minutes=5))
    assert "Des colis ont expiré" in text(world["associate"].get("/"))  # the notice appears now
    clock.move_to(expired_at + timedelta(hours=2, minutes=4))
    assert world["associate"].get("/collecte/").status_code == 200
    clock.move_to(expired_at + timedelta(hours=2, minutes=6))
    home = text(world["associate"].get("/"))
    assert "Terminez d'abord cette tâche" in home and 'id="action-pickup"' not in home  # no task but this one
    blocked = world["associate"].get("/collecte/")
    assert blocked.status_code == 303 and blocked.headers["Location"].endswith("/retours/expires")
    assert world["associate"].get("/aide/").status_code == 200
    world["associate"].post("/retours/expires/scan", {"tracking_id": "RT0FR"})
    world["associate"].post("/retours/expires/scan", {"tracking_id": "RT1FR"})
    assert world["associate"].get("/collecte/").status_code == 303
    world["associate"].post(f"/retours/colis/{world['parcels'][2]}/manquant")
    assert world["associate"].get("/collecte/").status_code == 200


def test_the_two_hours_count_only_opening_hours(app, world, clock):
    with app.app_context():
        from datetime import time
        from hub.core.models import OpeningRange
        shop = db.session.get(Shop, world["shop_id"])
        shop.ranges = [OpeningRange(weekday=d, opens=time(9), closes=time(19)) for d in range(7)]
        db.session.commit()
    expired_at = expiry_of(app, world["parcels"][0])  # midnight, Paris time: the shop is closed
    clock.move_to(expired_at + timedelta(hours=8))     # 08:00 the next morning, still closed
    assert world["associate"].get("/collecte/").status_code == 200
    clock.move_to(expired_at + timedelta(hours=11, minutes=1))  # 11:01 after opening at 9:00
    assert world["associate"].get("/collecte/").status_code == 303


def test_a_rejected_parcel_joins_the_return_list(app, world, parcel_in):
    page = text(world["associate"].get("/retours/"))
    assert "RT2FR" not in page
    with app.app_context():
        from hub.core import clock as clock_module
        from hub.ops import Actor, record
        record(db.session.get(Parcel, world["parcels"][2]), Action.REJECT, Actor(None, None, clock_module.now()))
        db.session.commit()
    assert "RT2FR" in text(world["associate"].get("/retours/"))


def stage_all(app, world, clock):
    clock.move_to(expiry_of(app, world["parcels"][0]) + timedelta(minutes=5))
    for n in range(3):
        world["associate"].post("/retours/expires/scan", {"tracking_id": f"RT{n}FR"})


def open_return_visit(app, world):
    code = codes.shop_code(world["secret"], carrier_now(app))
    response = world["carrier"].post(f"/livreur/points/{world['shop_id']}/visites", {"code": code, "kind": "return"},
                                     htmx=False)
    assert response.status_code == 303
    return response.headers["Location"]


def test_the_carrier_takes_the_staged_parcels_and_they_leave_the_inventory(app, world, clock):
    stage_all(app, world, clock)
    visit = open_return_visit(app, world)
    page = text(world["carrier"].get(visit))
    assert all(f"RT{n}FR" in page for n in range(3))
    following = text(world["associate"].get("/retours/", htmx=True))
    assert "reprend les retours" in following
    response = world["carrier"].post(visit + "/scan", {"tracking_id": "RT0FR"})
    assert "RT0FR repris" in text(response)
    assert facts(app, world["parcels"][0])[0] == State.RETURNED
    assert "1 colis repris" in text(world["associate"].get("/retours/", htmx=True))
    again = world["carrier"].post(visit + "/scan", {"tracking_id": "RT0FR"})
    assert "était déjà repris" in text(again)


def test_the_carrier_cannot_take_a_parcel_that_is_not_staged(app, world):
    visit = open_return_visit(app, world)
    response = world["carrier"].post(visit + "/scan", {"tracking_id": "RT0FR"})
    assert response.status_code == 409 and "n'attend pas le livreur" in text(response)
    assert facts(app, world["parcels"][0])[0] == State.AT_STORE


def test_after_three_days_without_a_carrier_the_home_invites_a_call_to_support(app, world, clock):
    stage_all(app, world, clock)
    assert "depuis plus de 3 jours" not in text(world["associate"].get("/"))
    clock.advance(timedelta(days=3, minutes=1))
    home = text(world["associate"].get("/"))
    assert "3 colis attendent le livreur depuis plus de 3 jours." in home
    form = text(world["associate"].get("/aide/assistance?" + home.split("/aide/assistance?")[1].split('"')[0]))
    assert "Relais Test" in form and "RT0FR" in form


def test_the_operator_sees_staged_parcels_per_shop_and_their_wait(app, demo_data, world, clock, browser):
    stage_all(app, world, clock)
    clock.advance(timedelta(days=2))
    page = text(browser().login("admin").get("/admin/"))
    assert "Relais Test" in page and "3 colis à reprendre" in page and "2 jours" in page


def test_a_refusal_names_the_last_day_the_french_way(app, world):
    response = world["associate"].post("/retours/expires/scan", {"tracking_id": "RT0FR"})
    assert re.search(r"jusqu'au \d{1,2} [a-zéû]+ \d{4}", text(response)), text(response)


def test_what_the_associate_typed_is_shown_as_typed_not_translated(app, world):
    response = world["associate"].post("/retours/expires/scan", {"tracking_id": "Monday"})
    assert "MONDAY" in text(response) or "Monday" in text(response)
    assert "lundi" not in text(response)


def test_a_request_that_only_claims_to_be_an_offline_replay_is_still_blocked(app, world, clock):
    expired_at = expiry_of(app, world["parcels"][0])
    clock.move_to(expired_at + timedelta(minutes=5))
    world["associate"].get("/")
    clock.move_to(expired_at + timedelta(hours=3))
    claimed = world["associate"].get("/collecte/", headers={"X-Offline-Replay": "1"})
    assert claimed.status_code == 303 and claimed.headers["Location"].endswith("/retours/expires")
