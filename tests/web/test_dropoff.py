"""« Livraison par le livreur » through the web: the shop code, the carrier's visit, the associate's view."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.core.extensions import db
from hub.core.models import OutboxMessage, Parcel, ParcelEvent, Pickup, Role, Shop, Visit
from hub.ops.queries import shop_hours
from hub.rules import codes, deadlines
from hub.rules.parcels import State

from ..conftest import query_one, text
from .conftest import EXPECTED, REPLAY, applied, current_code, open_visit, parcel, scan

OTHER_SHOP_PARCEL = "CE200001FR"


def events(app, action=None):
    with app.app_context():
        query = select(func.count()).select_from(ParcelEvent)
        if action:
            query = query.where(ParcelEvent.action == action)
        return db.session.scalar(query)


def intake_deadline(app, shop):
    """When the shop's open « Autre » intake is due: 30 opening minutes after it started, by the rules."""
    with app.app_context():
        [visit] = db.session.scalars(select(Visit).where(Visit.shop_id == shop.id, Visit.mode == "other")).all()
        ranges, closed = shop_hours(db.session.get(Shop, shop.id))
        return deadlines.intake_deadline(visit.opened_at, ranges, closed, "Europe/Paris")


def test_the_shop_code_screen_shows_the_current_code_in_french(app, associate, shop, clock):
    page = text(associate.get(f"/livraison/{shop.network_id}"))
    code = current_code(app, shop, clock)
    assert f"{code[:3]} {code[3:]}" in page
    assert "Présentez ce code au livreur" in page


def test_carrier_collection_shows_the_shop_code_and_its_qr_code_for_the_returns_carrier(app, associate, shop, clock):
    """The returns carrier's app asks for the shop code: the associate shows it from « Collecte du livreur »."""
    page = text(associate.get("/retours/"))
    code = current_code(app, shop, clock)
    assert f"{code[:3]} {code[3:]}" in page and "data-shop-code" in page and "data-qr" in page
    assert "shopcode.js" in page and f'data-secret="{shop.totp_secret}"' in page
    assert "Présentez ce code au livreur qui reprend les retours." in page


def test_a_shop_with_several_networks_asks_which_one_first(associate):
    page = text(associate.get("/livraison/"))
    assert "Quel réseau livre ?" in page
    assert "Colis Express" in page and "Relais Vert" in page


def test_the_right_code_opens_a_visit(app, visit):
    v = query_one(app, Visit, key=visit)
    assert v.open and v.mode == "carrier"


def test_a_wrong_code_opens_nothing(app, carrier, shop, clock):
    right = current_code(app, shop, clock)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    response = open_visit(carrier, shop, wrong)
    assert response.status_code == 422
    assert "Ce code n'est pas valable" in text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Visit)) == 0


def test_a_stale_code_is_refused_as_expired(app, carrier, shop, clock):
    old = codes.shop_code(shop.totp_secret, clock.now() - timedelta(minutes=5))
    response = open_visit(carrier, shop, old)
    assert response.status_code == 422
    assert "a expiré" in text(response)


def test_another_shops_code_does_not_open_this_shop(app, carrier, shop, clock):
    other = query_one(app, Shop, name="Épicerie de la Gare")
    response = open_visit(carrier, shop, codes.shop_code(other.totp_secret, clock.now()))
    assert response.status_code == 422


def test_a_carrier_of_another_network_cannot_reach_the_shop(app, browser, shop, make_account, clock):
    with app.app_context():
        from hub.core.models import Network
        other_network = Network(name="Autre Réseau")
        db.session.add(other_network)
        db.session.commit()
        network_id = other_network.id
    make_account("livreur2", role=Role.CARRIER, network_id=network_id)
    stranger = browser().login("livreur2")
    assert stranger.get(f"/livreur/points/{shop.id}").status_code == 404
    assert open_visit(stranger, shop, current_code(app, shop, clock)).status_code == 404


def test_a_scanned_parcel_is_received_with_a_shelf_place_and_joins_a_pickup(app, carrier, visit):
    response = scan(carrier, visit, EXPECTED[0])
    assert response.status_code == 200
    p = parcel(app, EXPECTED[0])
    assert p.state == State.AT_STORE
    assert p.shelf_place and p.shelf_place[0] in "ABCDEFG"
    assert p.dropped_at is not None
    pickup = query_one(app, Pickup, id=p.pickup_id)
    assert pickup.active and len(pickup.code) == 6
    with app.app_context():
        notice = db.session.scalars(select(OutboxMessage).where(OutboxMessage.parcel_id == p.id)).one()
        assert notice.kind == "pickup_notice"
        assert pickup.code in notice.body and pickup.token in notice.body


def test_a_wedge_scan_with_spaces_and_lower_case_still_matches(app, carrier, visit):
    assert scan(carrier, visit, " ce100013fr ").status_code == 200
    assert parcel(app, EXPECTED[0]).state == State.AT_STORE


def test_a_customers_parcels_share_one_pickup_and_one_code(app, carrier, visit):
    # CE100015FR goes to Camille Martin, who already has parcels waiting under a code.
    before = query_one(app, Parcel, tracking_id="CE100001FR")
    scan(carrier, visit, "CE100015FR")
    assert parcel(app, "CE100015FR").pickup_id == before.pickup_id


def test_a_repeat_scan_is_harmless(app, carrier, visit):
    scan(carrier, visit, EXPECTED[0])
    before = events(app)
    response = scan(carrier, visit, EXPECTED[0])
    assert response.status_code == 200
    assert "était déjà reçu" in text(response)
    assert events(app) == before


def test_the_same_scan_replayed_gives_one_event(app, carrier, visit):
    before = events(app)
    for _ in range(3):
        assert scan(carrier, visit, EXPECTED[1], key="scan-once").status_code == 200
    assert events(app) == before + 1


def test_a_parcel_for_another_shop_is_refused_and_that_shop_named(app, carrier, visit):
    response = scan(carrier, visit, OTHER_SHOP_PARCEL)
    assert response.status_code == 422
    assert "Épicerie de la Gare" in text(response)
    assert parcel(app, OTHER_SHOP_PARCEL).state == State.EXPECTED


def test_an_unknown_parcel_is_refused(app, carrier, visit):
    before = events(app)
    response = scan(carrier, visit, "ZZ999999FR")
    assert response.status_code == 422
    assert "Colis inconnu" in text(response)
    assert events(app) == before


def test_a_damaged_parcel_is_refused_and_the_customer_refund_recorded(app, carrier, visit):
    p = parcel(app, EXPECTED[2])
    response = carrier.post(f"/livreur/visites/{visit}/colis/{p.id}/refuser")
    assert response.status_code == 200
    assert parcel(app, EXPECTED[2]).state == State.REFUSED_AT_DROPOFF
    with app.app_context():
        refund = db.session.scalars(select(OutboxMessage).where(OutboxMessage.parcel_id == p.id)).one()
        assert refund.kind == "refund"


def test_the_associate_can_refuse_a_received_parcel_before_the_visit_closes(app, carrier, associate, visit):
    scan(carrier, visit, EXPECTED[0])
    p = parcel(app, EXPECTED[0])
    response = associate.post(f"/livraison/visites/{visit}/colis/{p.id}/refuser")
    assert response.status_code == 200
    after = parcel(app, EXPECTED[0])
    assert after.state == State.REFUSED_AT_DROPOFF and after.pickup_id is None and after.shelf_place is None


def test_the_associate_follows_the_visit_live(app, carrier, associate, visit):
    scan(carrier, visit, EXPECTED[0])
    fragment = associate.get("/livraison/suivi", htmx=True)
    html = text(fragment)
    assert "<html" not in html and EXPECTED[0] in html
    assert parcel(app, EXPECTED[0]).shelf_place in html
    assert "HX-Request" in fragment.headers["Vary"]


def test_finishing_closes_the_visit_with_a_summary(app, carrier, associate, visit):
    scan(carrier, visit, EXPECTED[0])
    scan(carrier, visit, EXPECTED[1])
    response = carrier.post(f"/livreur/visites/{visit}/terminer")
    assert "2 colis reçus" in text(response)
    assert "2 colis reçus" in text(associate.get("/livraison/suivi", htmx=True))
    late = scan(carrier, visit, EXPECTED[2])
    assert late.status_code == 409
    assert parcel(app, EXPECTED[2]).state == State.EXPECTED


def test_a_code_screen_opened_later_does_not_show_the_previous_carriers_delivery(app, carrier, associate, visit, shop,
                                                                                 clock):
    """The summary shows on the screen that followed the visit, with the refused parcel; a screen opened
    after the visit ended waits for the next carrier."""
    watching = text(associate.get(f"/livraison/{shop.network_id}"))
    polled = re.search(r'hx-get="(/livraison/suivi\?depuis=\d+)"', watching).group(1)
    scan(carrier, visit, EXPECTED[0])
    scan(carrier, visit, EXPECTED[1])
    carrier.post(f"/livreur/visites/{visit}/colis/{parcel(app, EXPECTED[1]).id}/refuser")
    carrier.post(f"/livreur/visites/{visit}/terminer")
    summary = text(associate.get(polled, htmx=True))
    assert "1 colis reçu · 1 colis refusé" in summary and "Livraison de Julien Moreau, terminée à" in summary
    clock.advance(timedelta(minutes=2))
    later = text(associate.get(f"/livraison/{shop.network_id}"))
    assert "colis reçu" not in later and "En attente de la lecture du code par le livreur" in later
    assert "colis reçu" not in text(associate.get(re.search(r'hx-get="([^"]+depuis=[^"]+)"', later).group(1), htmx=True))


def test_finishing_with_expected_parcels_not_scanned_asks_first_and_says_so(app, carrier, associate, visit):
    scan(carrier, visit, EXPECTED[0])
    page = text(carrier.get(f"/livreur/visites/{visit}"))
    question = page.index("2 colis attendus ne sont pas scannés : ils restent attendus ici. Terminer quand même ?")
    assert page.rindex('<details class="confirm-step">', 0, question) > page.rindex("</details>", 0, question)
    finished = text(carrier.post(f"/livreur/visites/{visit}/terminer"))
    assert "2 colis attendus ne sont pas scannés" in finished and EXPECTED[2] in finished


def test_finishing_when_everything_expected_is_scanned_asks_nothing(app, carrier, visit):
    for tracking_id in EXPECTED:
        scan(carrier, visit, tracking_id)
    page = text(carrier.get(f"/livreur/visites/{visit}"))
    assert "confirm-step" not in page and "Terminer la livraison" in page


def test_going_past_capacity_warns_both_sides(app, carrier, associate, visit, shop):
    with app.app_context():
        db.session.get(Shop, shop.id).capacity = 8  # the demo shop already holds 8 parcels
        db.session.commit()
    response = scan(carrier, visit, EXPECTED[0])
    assert "plus que sa capacité de 8" in text(response)
    assert "plus que sa capacité de 8" in text(associate.get("/livraison/suivi", htmx=True))


def test_another_carriers_visit_is_not_yours(app, browser, carrier, visit, make_account, shop):
    make_account("livreur3", role=Role.CARRIER, network_id=shop.network_id)
    other = browser().login("livreur3")
    assert other.get(f"/livreur/visites/{visit}").status_code == 404
    assert scan(other, visit, EXPECTED[0]).status_code == 404


def test_another_shops_associate_cannot_touch_the_visit(app, browser, visit):
    other = browser().login("associe2")
    p = parcel(app, EXPECTED[0])
    assert other.post(f"/livraison/visites/{visit}/colis/{p.id}/refuser").status_code == 404


def test_the_customer_notice_shows_the_code_the_barcode_and_the_last_day(app, carrier, visit, client):
    scan(carrier, visit, EXPECTED[0])
    p = parcel(app, EXPECTED[0])
    pickup = query_one(app, Pickup, id=p.pickup_id)
    page = text(client.get(f"/retrait/{pickup.token}", headers={"Accept-Language": "fr"}))
    assert pickup.code in page and "<svg" in page
    assert "À retirer au plus tard le" in page
    assert "12 place du Marché" in page


def test_an_unknown_notice_token_is_a_404(client, demo_data):
    assert client.get("/retrait/not-a-token").status_code == 404


class TestOtherCarrier:
    """« Autre »: the associate scans the parcels in, within 30 minutes of opening time."""

    @pytest.fixture
    def intake(self, associate, shop):
        response = associate.post(f"/livraison/{shop.network_id}/autre", htmx=False)
        assert response.status_code == 303
        return response.headers["Location"]

    def test_the_associate_scans_parcels_in(self, app, associate, intake):
        response = associate.post(intake + "/scan", {"tracking_id": EXPECTED[0]})
        assert response.status_code == 200
        assert parcel(app, EXPECTED[0]).state == State.AT_STORE

    def test_past_thirty_opening_minutes_every_other_task_is_blocked(self, app, associate, intake, shop, clock):
        # The demo's expired parcel would block the counter too: scan it for return first.
        assert associate.post("/retours/expires/scan", {"tracking_id": "CE100006FR"}).status_code == 200
        deadline = intake_deadline(app, shop)
        clock.move_to(deadline - timedelta(minutes=1))
        assert associate.get("/livraison/").status_code == 200  # not yet
        clock.move_to(deadline + timedelta(seconds=1))
        home = associate.get("/livraison/")
        assert home.status_code == 303 and home.headers["Location"].endswith(intake)
        htmx = associate.get("/livraison/", htmx=True)
        assert htmx.headers["HX-Redirect"].endswith(intake)
        assert associate.get("/aide/").status_code == 200
        associate.post(intake + "/terminer")
        assert associate.get("/livraison/").status_code == 200

    def test_an_unknown_parcel_is_handed_back_to_the_driver(self, associate, intake):
        response = associate.post(intake + "/scan", {"tracking_id": "XX123456FR"})
        assert response.status_code == 422
        assert "Ne le gardez pas : rendez-le au chauffeur." in text(response) and "Gardez-le" not in text(response)

    def test_past_the_thirty_minutes_the_intake_says_the_time_is_over_not_a_time_to_finish_by(self, app, associate,
                                                                                               intake, shop, clock):
        assert "Terminez au plus tard" in text(associate.get(intake))
        clock.move_to(intake_deadline(app, shop) + timedelta(seconds=1))
        page = text(associate.get(intake))
        assert "Terminez au plus tard" not in page and "Le délai est dépassé : scannez les derniers colis" in page

    def test_an_intake_started_offline_is_its_own_even_while_another_is_open(self, app, associate, browser,
                                                                             intake, shop, make_account):
        # Another associate of the shop is on an intake; this one started their own without network.
        make_account("vendeuse", shop_id=shop.id)
        other = browser().login("vendeuse")
        key = "intake-started-offline-1"
        response = other.post(f"/livraison/{shop.network_id}/autre", key=key, htmx=False, headers=REPLAY)
        assert response.headers["Location"].endswith(f"/livraison/autre/{key}") and not intake.endswith(key)
        assert applied(other.post(f"/livraison/autre/{key}/scan", {"tracking_id": EXPECTED[0]}, headers=REPLAY))
        assert parcel(app, EXPECTED[0]).state == State.AT_STORE
        online = associate.post(f"/livraison/{shop.network_id}/autre", htmx=False)  # online: the open one goes on
        assert online.headers["Location"] == intake

    def test_a_parcel_for_another_shop_is_refused_without_naming_that_shop(self, app, associate, intake):
        response = associate.post(intake + "/scan", {"tracking_id": "CE200001FR"})  # expected at the Gare's
        assert response.status_code == 422
        assert "n'est pas pour ce point relais" in text(response) and "Gare" not in text(response)
        assert "Ne le gardez pas : rendez-le au chauffeur." in text(response)
        assert parcel(app, "CE200001FR").state == State.EXPECTED

    def test_a_carriers_visit_is_not_an_intake(self, associate, carrier, visit):
        assert associate.post(f"/livraison/autre/{visit}/terminer").status_code == 404
        assert associate.get(f"/livraison/autre/{visit}").status_code == 404

    def test_an_intake_the_server_never_started_says_so(self, associate):
        response = associate.post("/livraison/autre/never-started-1/scan", {"tracking_id": EXPECTED[0]})
        assert response.status_code == 404 and "commencée sans réseau" in text(response)


def test_a_parcel_already_on_the_shelf_cannot_be_refused_by_a_carrier(app, carrier, visit):
    on_shelf = parcel(app, "CE100003FR")  # dropped off days ago, waiting for its customer
    response = carrier.post(f"/livreur/visites/{visit}/colis/{on_shelf.id}/refuser")
    assert response.status_code == 409
    assert parcel(app, "CE100003FR").state == State.AT_STORE


def test_nothing_can_be_refused_during_a_return_visit(app, carrier, shop, clock):
    response = open_visit(carrier, shop, current_code(app, shop, clock), kind="return")
    returns_visit = response.headers["Location"]
    expected = parcel(app, EXPECTED[0])
    assert carrier.post(f"{returns_visit}/colis/{expected.id}/refuser").status_code == 409
    assert parcel(app, EXPECTED[0]).state == State.EXPECTED


def test_a_visit_left_idle_is_over(app, carrier, visit, clock):
    clock.advance(timedelta(minutes=46))
    response = scan(carrier, visit, EXPECTED[0])
    assert response.status_code == 409 and "Cette livraison est terminée" in text(response)
    assert parcel(app, EXPECTED[0]).state == State.EXPECTED


def test_a_command_id_of_another_account_is_refused(app, carrier, browser, visit, make_account, shop):
    scan(carrier, visit, EXPECTED[0], key="mine")
    make_account("livreur4", role=Role.CARRIER, network_id=shop.network_id)
    other = browser().login("livreur4")
    response = scan(other, visit, EXPECTED[0], key="mine")
    assert response.status_code == 422 and "Idempotent-Replayed" not in response.headers


def test_a_parcel_found_again_waits_under_its_customers_code_once_more(app, associate):
    # Chloé Thomas's only parcel (CE100005FR) is marked not found; her pickup ends at « Terminé ».
    p = parcel(app, "CE100005FR")
    with app.app_context():
        pickup = db.session.get(Pickup, p.pickup_id)
        pickup.active = False
        db.session.commit()
        code = pickup.code
    response = associate.post(f"/colis/{p.id}/retrouve")
    assert response.status_code == 200
    assert parcel(app, "CE100005FR").state == State.AT_STORE
    again = query_one(app, Pickup, id=p.pickup_id)
    assert again.active and again.code == code
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.parcel_id == p.id)).all()
