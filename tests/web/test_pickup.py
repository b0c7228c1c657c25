"""« Collecte du client » through the web: open a pickup, scan its parcels, handle the odd ones, « Terminé »."""
import math
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.core import clock as clock_module
from hub.core.extensions import db
from hub.core.models import Account, OutboxMessage, Parcel, ParcelEvent, Pickup, PickupCodeFailure, Role, Shop, Size
from hub.ops import Actor, record
from hub.rules import codes
from hub.rules import pickup as rules
from hub.rules.parcels import Action, State

from ..conftest import query_one, text

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}
START = "/collecte/"


# Helpers: what the database says, and the steps of a pickup

def pickup_of(app, customer):
    with app.app_context():
        p = db.session.scalar(select(Pickup).where(Pickup.customer_name == customer))
        return {"id": p.id, "code": p.code, "token": p.token, "active": p.active}


def state_of(app, tracking_id):
    with app.app_context():
        return db.session.scalar(select(Parcel.state).where(Parcel.tracking_id == tracking_id))


def events_of(app, tracking_id):
    with app.app_context():
        return db.session.scalars(
            select(ParcelEvent).join(Parcel).where(Parcel.tracking_id == tracking_id).order_by(ParcelEvent.id)
        ).all()


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def shop_id(app, name):
    with app.app_context():
        return db.session.scalar(select(Shop.id).where(Shop.name == name))


def open_turn(browser, entry):
    """Open a pickup as the scanner does; return the address of its screen."""
    response = browser.post(START, {"entry": entry}, headers=FR)
    assert response.status_code == 204, response.get_data(as_text=True)
    return response.headers["HX-Redirect"]


def scan(browser, screen, tracking_id, key=None, **fields):
    return browser.post(screen + "/scanner", {"tracking_id": tracking_id, **fields}, key=key, headers=FR)


def parcel_id(app, tracking_id):
    with app.app_context():
        return db.session.scalar(select(Parcel.id).where(Parcel.tracking_id == tracking_id))



@pytest.fixture
def make_pickup(app):
    """A pickup at ``shop`` whose parcels went through the given actions after drop-off."""

    def make(shop, customer="Alice Test", *histories):
        with app.app_context():
            shop_obj = db.session.get(Shop, shop)
            account = db.session.scalar(select(Account).where(Account.role == Role.ASSOCIATE))
            now = clock_module.now()
            taken = set(db.session.scalars(select(Pickup.code).where(Pickup.shop_id == shop, Pickup.active)))
            pickup = Pickup(shop=shop_obj, customer_name=customer, code=codes.new_pickup_code(taken),
                            token=codes.new_token(), created_at=now)
            made = []
            for n, actions in enumerate(histories):
                parcel = Parcel(network=shop_obj.networks[0], shop=shop_obj, tracking_id=f"TP{uuid.uuid4().hex[:8].upper()}",
                                recipient_name=customer, size=Size.MEDIUM, description=f"Colis {n}",
                                shelf_place=f"Z-{n:02d}", pickup=pickup)
                db.session.add(parcel)
                made.append(parcel)
                for action in (Action.RECEIVE, *actions):
                    record(parcel, action, Actor(account.id, None, now - timedelta(days=1)))
            db.session.commit()
            return {"id": pickup.id, "code": pickup.code, "token": pickup.token,
                    "parcels": [p.tracking_id for p in made]}

    return make


# Home and start screen

def test_the_home_screen_leads_to_the_customer_pickup(associate):
    page = text(associate.get("/", headers=FR))
    assert re.search(r'id="action-pickup" href="/collecte/"', page)


def test_the_start_screen_has_a_focused_scan_field_and_enter_the_code_for_six_digits(associate):
    page = text(associate.get(START, headers=FR))
    assert re.search(r'<input class="entry-input" name="entry"[^>]*data-scan-field autofocus', page)
    assert "Entrer le code" in page
    assert re.search(r'inputmode="numeric" pattern="\[0-9\]\*" maxlength="6"', page)
    assert "Contacter l'assistance" in page


def test_the_start_screen_says_what_to_do_for_a_customer_without_a_notice(associate):
    page = text(associate.get(START, headers=FR))
    assert "Que dois-je faire si un client n'a pas d'avis de collecte/retrait ?" in page
    assert "notifications de livraison" in page
    assert "identité" in page


# Opening a pickup

def test_the_six_digit_code_opens_the_customers_pickup_with_sizes_shelf_places_and_states(app, associate):
    camille = pickup_of(app, "Camille Martin")
    page = text(associate.get(open_turn(associate, camille["code"]), headers=FR))
    assert "Camille Martin" in page
    assert "CE100001FR" in page and "CE100002FR" in page
    assert "taille moyenne" in page and "petite taille" in page
    for tracking_id in ("CE100001FR", "CE100002FR"):
        assert query_one(app, Parcel, tracking_id=tracking_id).shelf_place in page  # the demo's own choice
    assert "à retirer" in page
    assert "Scanner les colis" in page and "Terminé" in page


def test_without_htmx_the_code_form_is_redirected_to_the_pickup_screen(app, associate):
    response = associate.post(START, {"entry": pickup_of(app, "Camille Martin")["code"]}, htmx=False)
    assert response.status_code == 303
    assert "Camille Martin" in text(associate.get(response.headers["Location"], headers=FR))


def test_without_htmx_a_step_is_redirected_to_the_screen_with_its_message(app, associate):
    screen = open_turn(associate, pickup_of(app, "Camille Martin")["code"])
    response = associate.post(f"{screen}/colis/{parcel_id(app, 'CE100001FR')}/introuvable", htmx=False, headers=FR)
    assert response.status_code == 303 and response.headers["Location"].endswith(screen)
    assert "CE100001FR déclaré introuvable" in text(associate.get(screen, headers=FR))


def test_a_code_typed_with_spaces_opens_the_pickup(app, associate):
    code = pickup_of(app, "Camille Martin")["code"]
    open_turn(associate, f" {code[:3]} {code[3:]} ")


def test_the_notice_barcode_its_token_opens_the_pickup(app, associate):
    lea = pickup_of(app, "Léa Bernard")
    page = text(associate.get(open_turn(associate, lea["token"]), headers=FR))
    assert "Léa Bernard" in page and "CE100003FR" in page


def test_a_wrong_code_is_refused_in_french_and_changes_nothing_but_is_recorded_without_the_code(app, associate):
    codes_before = {p: pickup_of(app, p)["active"] for p in ("Camille Martin", "Léa Bernard")}
    response = associate.post(START, {"entry": "000000"}, headers=FR)
    assert response.status_code == 422
    assert "Ce code n'est pas valable. Vérifiez-le et réessayez." in text(response)
    assert {p: pickup_of(app, p)["active"] for p in codes_before} == codes_before
    with app.app_context():
        failure = db.session.scalar(select(PickupCodeFailure))
        assert failure.shop_id == shop_id(app, "Tabac-Presse du Marché")
        assert failure.device_id and failure.account_id and failure.at
        assert "000000" not in failure.code_digest


def test_a_code_of_another_shop_is_just_a_wrong_code(app, associate, make_pickup):
    other = make_pickup(shop_id(app, "Épicerie de la Gare"), "Paul Girard", [])
    for entry in (other["code"], other["token"]):
        response = associate.post(START, {"entry": entry}, headers=FR)
        assert response.status_code == 422
        assert "Paul Girard" not in text(response)
    assert count(app, PickupCodeFailure) == 2


def test_a_finished_pickups_code_no_longer_opens_anything(app, associate):
    manon = pickup_of(app, "Manon Richard")
    assert not manon["active"]
    assert associate.post(START, {"entry": manon["code"]}).status_code == 422


def test_a_parcel_label_scanned_at_the_start_is_explained_and_not_counted_as_a_guess(app, associate):
    response = associate.post(START, {"entry": "CE100001FR"}, headers=FR)
    assert response.status_code == 422
    assert "étiquette de colis" in text(response)
    assert count(app, PickupCodeFailure) == 0


def test_the_code_form_keeps_the_focus_on_the_code_after_a_wrong_code(associate):
    page = text(associate.post(START, {"entry": "111111", "via": "code"}, headers=FR))
    assert re.search(r'<details class="enter-code" open', page)
    assert re.search(r'class="code-input"[^>]*data-scan-field autofocus', page)


# The guessing limit

def wrong_codes(browser, n):
    for _ in range(n):
        response = browser.post(START, {"entry": "000001"}, headers=FR)
    return response


def test_ten_wrong_codes_lock_the_device_with_a_countdown_and_the_right_code_waits(app, associate, clock):
    camille = pickup_of(app, "Camille Martin")
    ninth = wrong_codes(associate, 9)
    assert "Encore 1 code erroné possible avant une pause de 15 minutes." in text(ninth)
    before = clock.now()
    tenth = wrong_codes(associate, 1)
    after = clock.now()
    # Locked until the first of the ten leaves the 15-minute window: counted from the answer's own instant.
    with app.app_context():
        first = db.session.scalar(select(func.min(PickupCodeFailure.at)))
    ends = first + timedelta(minutes=15)
    countdown = int(re.search(r'data-countdown="(\d+)"', text(tenth)).group(1))
    assert math.ceil((ends - after).total_seconds()) <= countdown <= math.ceil((ends - before).total_seconds())
    locked = associate.post(START, {"entry": camille["code"]}, headers=FR)
    assert locked.status_code == 429
    assert re.search(r'data-countdown="(\d+)"', text(locked))
    assert count(app, PickupCodeFailure) == 10  # a refused attempt while locked is not one more guess
    page = text(associate.get(START, headers=FR))
    assert re.search(r'<strong class="countdown" data-countdown="[89]\d\d"[^>]*>1[45] min \d\d s</strong>', page)
    assert re.search(r'name="entry"[^>]*required disabled', page)
    clock.advance(timedelta(minutes=15))
    open_turn(associate, camille["code"])


def test_the_lock_says_how_long_in_minutes_and_seconds_never_as_a_time_of_day(app, associate):
    page = text(wrong_codes(associate, 10))
    assert "Réessayez dans 15 min 00 s." in re.sub(r"<[^>]+>", "", page)
    assert 'data-format="{m} min {s} s"' in page and not re.search(r">\s*\d+:\d\d\s*<", page)


def test_from_the_seventh_wrong_code_the_counter_says_how_many_are_left(app, associate):
    assert "code erroné possible" not in text(wrong_codes(associate, 6))
    assert "Encore 3 codes erronés possibles avant une pause de 15 minutes." in text(wrong_codes(associate, 1))
    assert "Encore 2 codes erronés possibles" in text(wrong_codes(associate, 1))


def test_a_locked_counter_still_opens_a_pickup_from_its_notice_barcode(app, associate):
    for n in range(10):
        associate.post(START, {"entry": f"{n:06d}"}, headers=FR)
    camille = pickup_of(app, "Camille Martin")
    assert associate.post(START, {"entry": camille["code"]}, headers=FR).status_code == 429
    screen = open_turn(associate, camille["token"])
    assert "Camille Martin" in text(associate.get(screen, headers=FR))


def test_the_lock_is_per_device(app, associate, browser):
    wrong_codes(associate, 10)
    other_device = browser().login("associe")
    open_turn(other_device, pickup_of(app, "Camille Martin")["code"])


def test_the_shop_ceiling_locks_every_device_of_the_shop(app, associate, browser):
    devices = [associate, browser().login("associe"), browser().login("associe")]
    for device in devices:
        wrong_codes(device, 10)
    fresh = browser().login("associe")
    response = fresh.post(START, {"entry": pickup_of(app, "Camille Martin")["code"]}, headers=FR)
    assert response.status_code == 429
    assert "data-countdown" in text(response)
    assert count(app, PickupCodeFailure) == rules.SHOP_LIMIT


def test_another_shops_failures_do_not_lock_this_shop(app, associate, browser):
    other = browser().login("associe2")
    wrong_codes(other, 10)
    open_turn(associate, pickup_of(app, "Camille Martin")["code"])


# Scanning the parcels

def test_each_label_scanned_hands_its_parcel_over_with_the_account_device_and_time(app, associate):
    screen = open_turn(associate, pickup_of(app, "Camille Martin")["code"])
    response = scan(associate, screen, "CE100001FR")
    assert response.status_code == 200
    assert "Remis : CE100001FR" in text(response)
    assert state_of(app, "CE100001FR") == State.COLLECTED
    event = events_of(app, "CE100001FR")[-1]
    assert event.action == Action.HAND_TO_CUSTOMER
    assert event.account_id and event.device_id and event.occurred_at and event.recorded_at


def test_a_label_of_another_customer_is_refused_and_never_handed_over(app, associate):
    screen = open_turn(associate, pickup_of(app, "Camille Martin")["code"])
    response = scan(associate, screen, "CE100003FR")  # Léa's lamp
    assert response.status_code == 422
    assert "autre client" in text(response) and "Ne le remettez pas" in text(response)
    assert state_of(app, "CE100003FR") == State.AT_STORE
    assert len(events_of(app, "CE100003FR")) == 1


def test_a_label_of_another_shop_is_refused_and_nothing_changes(app, associate, make_pickup):
    other = make_pickup(shop_id(app, "Épicerie de la Gare"), "Paul Girard", [])
    screen = open_turn(associate, pickup_of(app, "Camille Martin")["code"])
    response = scan(associate, screen, other["parcels"][0])
    assert response.status_code == 422
    assert "n'est pas un colis de ce client" in text(response)
    assert state_of(app, other["parcels"][0]) == State.AT_STORE


def test_a_repeat_scan_is_harmless(app, associate):
    screen = open_turn(associate, pickup_of(app, "Camille Martin")["code"])
    scan(associate, screen, "CE100001FR")
    again = scan(associate, screen, "CE100001FR")
    assert again.status_code == 200
    assert "déjà été remis" in text(again)
    assert [e.action for e in events_of(app, "CE100001FR")] == [Action.RECEIVE, Action.HAND_TO_CUSTOMER]


def test_the_idempotent_replay_of_a_scan_records_one_event(app, associate):
    screen = open_turn(associate, pickup_of(app, "Camille Martin")["code"])
    first = scan(associate, screen, "CE100002FR", key="scan-once")
    replay = scan(associate, screen, "CE100002FR", key="scan-once")
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert text(replay) == text(first)
    assert len(events_of(app, "CE100002FR")) == 2


def test_a_typed_tracking_id_takes_the_same_path_ignoring_case_and_spaces(app, associate):
    screen = open_turn(associate, pickup_of(app, "Camille Martin")["code"])
    response = scan(associate, screen, " ce 1000 02fr ", parcel_id=parcel_id(app, "CE100002FR"))
    assert response.status_code == 200
    assert state_of(app, "CE100002FR") == State.COLLECTED


def test_unable_to_scan_offers_this_pickups_tracking_ids_only(app, associate):
    page = text(associate.get(open_turn(associate, pickup_of(app, "Camille Martin")["code"]), headers=FR))
    datalist = re.search(r'<datalist id="pickup-tracking-ids">(.*?)</datalist>', page, re.S).group(1)
    assert set(re.findall(r'value="([^"]+)"', datalist)) == {"CE100001FR", "CE100002FR"}
    assert "Impossible de scanner" in page and 'data-suggest-from="pickup-tracking-ids"' in page


def test_scanning_the_notice_again_says_to_scan_the_labels(app, associate):
    camille = pickup_of(app, "Camille Martin")
    screen = open_turn(associate, camille["code"])
    response = scan(associate, screen, camille["token"])
    assert response.status_code == 200 and "étiquettes" in text(response)


def test_expired_and_staged_for_return_parcels_are_listed_and_handed_over(app, associate):
    screen = open_turn(associate, pickup_of(app, "Lucas Robert")["code"])
    page = text(associate.get(screen, headers=FR))
    assert "CE100006FR" in page and "CE100007FR" in page
    for tracking_id in ("CE100006FR", "CE100007FR"):
        assert scan(associate, screen, tracking_id).status_code == 200
        assert state_of(app, tracking_id) == State.COLLECTED


def test_a_parcel_taken_back_by_the_carrier_is_listed_as_gone_and_cannot_be_handed_over(app, associate, make_pickup):
    shop = shop_id(app, "Tabac-Presse du Marché")
    made = make_pickup(shop, "Alice Test", [], [Action.EXPIRE, Action.STAGE_FOR_RETURN, Action.HAND_TO_CARRIER])
    waiting, returned = made["parcels"]
    screen = open_turn(associate, made["code"])
    page = text(associate.get(screen, headers=FR))
    card = re.search(r'<li class="pickup-parcel outcome-gone" id="parcel-\d+">(.*?)</li>', page, re.S).group(1)
    assert returned in card and "Déjà repris par le livreur" in card
    assert "Impossible de scanner" not in card
    response = scan(associate, screen, returned)
    assert response.status_code == 409
    assert state_of(app, returned) == State.RETURNED


# « Impossible à trouver » and « Rejeter »

def test_cannot_find_it_marks_the_parcel_not_found(app, associate):
    screen = open_turn(associate, pickup_of(app, "Camille Martin")["code"])
    response = associate.post(f"{screen}/colis/{parcel_id(app, 'CE100001FR')}/introuvable", headers=FR)
    assert response.status_code == 200
    assert state_of(app, "CE100001FR") == State.NOT_FOUND
    assert events_of(app, "CE100001FR")[-1].action == Action.MARK_NOT_FOUND


def test_reject_sends_the_parcel_to_the_return_flow(app, associate):
    screen = open_turn(associate, pickup_of(app, "Camille Martin")["code"])
    response = associate.post(f"{screen}/colis/{parcel_id(app, 'CE100002FR')}/rejeter", headers=FR)
    assert response.status_code == 200 and "rejeté" in text(response)
    assert state_of(app, "CE100002FR") == State.TO_RETURN


def test_rejecting_a_parcel_already_staged_for_return_is_kept_and_frees_the_code(app, associate):
    lucas = pickup_of(app, "Lucas Robert")
    screen = open_turn(associate, lucas["code"])
    scan(associate, screen, "CE100006FR")
    for _ in range(2):
        associate.post(f"{screen}/colis/{parcel_id(app, 'CE100007FR')}/rejeter", headers=FR)
    assert [e.action for e in events_of(app, "CE100007FR")][-1] == Action.REJECT
    assert sum(e.action == Action.REJECT for e in events_of(app, "CE100007FR")) == 1
    assert state_of(app, "CE100007FR") == State.TO_RETURN
    done = associate.post(f"{screen}/termine", headers=FR)
    assert "CE100007FR" in text(done)
    assert not pickup_of(app, "Lucas Robert")["active"]


def test_a_rejected_parcel_cannot_then_be_marked_not_found_in_the_same_turn(app, associate):
    screen = open_turn(associate, pickup_of(app, "Camille Martin")["code"])
    rejected = associate.post(f"{screen}/colis/{parcel_id(app, 'CE100002FR')}/rejeter", headers=FR)
    card = text(rejected).split(f'id="parcel-{parcel_id(app, "CE100002FR")}"', 1)[1].split("</li>", 1)[0]
    assert "rejeté" in card and "Impossible à trouver" not in card
    response = associate.post(f"{screen}/colis/{parcel_id(app, 'CE100002FR')}/introuvable", headers=FR)
    assert response.status_code == 409 and "déjà été traité" in text(response)
    assert state_of(app, "CE100002FR") == State.TO_RETURN


def test_the_options_act_only_on_this_pickups_parcels(app, associate):
    screen = open_turn(associate, pickup_of(app, "Camille Martin")["code"])
    response = associate.post(f"{screen}/colis/{parcel_id(app, 'CE100003FR')}/rejeter", headers=FR)
    assert response.status_code == 404
    assert state_of(app, "CE100003FR") == State.AT_STORE


def test_a_handed_over_parcel_cannot_be_rejected_afterwards(app, associate):
    screen = open_turn(associate, pickup_of(app, "Camille Martin")["code"])
    scan(associate, screen, "CE100001FR")
    response = associate.post(f"{screen}/colis/{parcel_id(app, 'CE100001FR')}/rejeter", headers=FR)
    assert response.status_code == 409
    assert state_of(app, "CE100001FR") == State.COLLECTED


# « Terminé »

def test_done_deactivates_an_emptied_pickup_and_frees_its_code(app, associate):
    lea = pickup_of(app, "Léa Bernard")
    screen = open_turn(associate, lea["code"])
    scan(associate, screen, "CE100003FR")
    done = associate.post(f"{screen}/termine", headers=FR)
    assert done.status_code == 200
    assert "Remis (1)" in text(done) and "CE100003FR" in text(done)
    assert not pickup_of(app, "Léa Bernard")["active"]
    assert associate.post(START, {"entry": lea["code"]}).status_code == 422


def test_a_partial_pickup_keeps_the_code_for_the_parcels_left(app, associate):
    camille = pickup_of(app, "Camille Martin")
    screen = open_turn(associate, camille["code"])
    scan(associate, screen, "CE100001FR")
    done = text(associate.post(f"{screen}/termine", headers=FR))
    assert "Laissés pour plus tard (1)" in done and "CE100002FR" in done
    assert "même code" in done
    assert pickup_of(app, "Camille Martin")["active"]
    page = text(associate.get(open_turn(associate, camille["code"]), headers=FR))
    assert "Déjà remis au client" in page  # the shoes, at the first turn
    assert re.search(r'outcome-waiting" id="parcel-\d+">.*?CE100002FR', page, re.S)


def test_the_summary_lists_handed_over_not_found_and_rejected(app, associate, make_pickup):
    made = make_pickup(shop_id(app, "Tabac-Presse du Marché"), "Alice Test", [], [], [])
    a, b, c = made["parcels"]
    screen = open_turn(associate, made["code"])
    scan(associate, screen, a)
    associate.post(f"{screen}/colis/{parcel_id(app, b)}/introuvable")
    associate.post(f"{screen}/colis/{parcel_id(app, c)}/rejeter")
    done = associate.post(f"{screen}/termine", headers=FR)
    summary = text(done)
    assert "Remis (1)" in summary and "Introuvables (1)" in summary and "Rejetés" in summary
    assert pickup_of(app, "Alice Test")["active"]  # the parcel not found keeps the code
    assert text(associate.get(f"{screen}/resume", headers=FR)).count(a) == 1


def test_done_twice_changes_nothing_more(app, associate):
    screen = open_turn(associate, pickup_of(app, "Léa Bernard")["code"])
    scan(associate, screen, "CE100003FR")
    first = associate.post(f"{screen}/termine", key="done-once")
    again = associate.post(f"{screen}/termine", key="done-once")
    assert again.headers.get("Idempotent-Replayed") == "true" and text(again) == text(first)


def test_a_plain_form_done_is_redirected_to_the_summary(app, associate):
    screen = open_turn(associate, pickup_of(app, "Léa Bernard")["code"])
    response = associate.post(f"{screen}/termine", htmx=False)
    assert response.status_code == 303 and response.headers["Location"].endswith("/resume")


def test_the_inventory_count_drops_by_the_parcels_handed_over(app, associate):
    def load():
        return int(re.search(r"(\d+) colis en magasin", text(associate.get("/", headers=FR))).group(1))

    before = load()
    screen = open_turn(associate, pickup_of(app, "Camille Martin")["code"])
    scan(associate, screen, "CE100001FR")
    associate.post(f"{screen}/colis/{parcel_id(app, 'CE100002FR')}/rejeter")
    associate.post(f"{screen}/termine")
    assert load() == before - 1  # the rejected parcel stays in the shop until the carrier takes it


# The screen's address

def test_page_and_fragment_share_the_screen_and_vary_on_hx_request(app, associate):
    screen = open_turn(associate, pickup_of(app, "Camille Martin")["code"])
    page, fragment = associate.get(screen, headers=FR), associate.get(screen, htmx=True, headers=FR)
    assert "<html" in text(page) and "<html" not in text(fragment)
    assert text(fragment).lstrip().startswith('<section class="card" id="pickup"')
    assert "HX-Request" in page.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]


def test_a_scan_answers_with_the_fragment_that_replaces_the_cards(app, associate):
    screen = open_turn(associate, pickup_of(app, "Camille Martin")["code"])
    response = scan(associate, screen, "CE100001FR")
    assert text(response).lstrip().startswith('<section class="card" id="pickup"')
    root = re.match(r'\s*(<section[^>]*>)', text(response)).group(1)
    assert 'hx-target="this"' in root and 'hx-swap="outerHTML"' in root  # its forms swap the whole screen


def test_a_tampered_ticket_or_one_from_another_shop_is_not_found(app, associate, browser):
    screen = open_turn(associate, pickup_of(app, "Camille Martin")["code"])
    assert associate.get(screen[:-3] + "xyz").status_code == 404
    other = browser().login("associe2")
    assert other.get(screen).status_code == 404
    assert scan(other, screen, "CE100001FR").status_code == 404
    assert state_of(app, "CE100001FR") == State.AT_STORE


def test_an_old_pickup_screen_sends_back_to_the_code(app, associate, clock, nothing_overdue):
    screen = open_turn(associate, pickup_of(app, "Camille Martin")["code"])
    clock.advance(rules.TURN_LIFETIME + timedelta(minutes=1))
    response = scan(associate, screen, "CE100001FR")
    assert response.status_code == 409 and "a expiré" in text(response)
    assert state_of(app, "CE100001FR") == State.AT_STORE


def test_the_pickup_screen_has_the_help_the_seed_puts_there(app, associate):
    page = text(associate.get(open_turn(associate, pickup_of(app, "Camille Martin")["code"]), headers=FR))
    assert "mode avion" in page and "éclair" in page and "vérifiez à nouveau les codes" in page.lower()
    assert 'href="/aide/assistance' in page


def test_only_associates_reach_the_pickup(browser, demo_data):
    carrier = browser().login("livreur")
    assert carrier.get(START).status_code == 403


# The notice sent again by the operator

def test_the_operator_resends_the_notice_with_the_same_code_recorded_in_the_outbox(app, browser, demo_data):
    camille = pickup_of(app, "Camille Martin")
    operator = browser().login("admin")
    page = text(operator.get(f"/admin/colis/{parcel_id(app, 'CE100001FR')}", headers=FR))
    assert "Renvoyer l'avis" in page
    before = count(app, OutboxMessage)
    response = operator.post(f"/admin/retraits/{camille['id']}/renvoyer-avis", headers=FR)
    assert response.status_code == 200
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
        assert message.kind == "notice_resent" and message.pickup_id == camille["id"]
        assert camille["code"] in message.body and camille["token"] in message.body
        assert message.recipient == "camille.martin@example.fr"
    assert count(app, OutboxMessage) == before + 1
    assert pickup_of(app, "Camille Martin")["code"] == camille["code"]
    with app.app_context():
        from hub.core.models import Account, ShopEvent
        event = db.session.scalars(select(ShopEvent).where(ShopEvent.kind == "notice_resent")).one()
        assert event.detail == "Camille Martin"
        assert db.session.get(Account, event.account_id).username == "admin"


def test_a_finished_pickups_notice_is_not_resent(app, browser, demo_data):
    operator = browser().login("admin")
    response = operator.post(f"/admin/retraits/{pickup_of(app, 'Manon Richard')['id']}/renvoyer-avis", headers=FR)
    assert response.status_code == 409
    assert count(app, OutboxMessage, OutboxMessage.kind == "notice_resent") == 0
