"""Several associates on one counter device: personal PINs, « Qui est au comptoir ? », the switch that keeps
the device's sign-in, and the lock of a counter left unused."""
import html
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.cli.demo import DEMO_PASSWORD, DEMO_PINS
from hub.core.extensions import db
from hub.core.models import Account, ParcelEvent, Shop, ShopEvent, SignIn

from .conftest import applied


def account_id(app, username):
    with app.app_context():
        return db.session.scalar(select(Account.id).where(Account.username == username))


def switch(browser_, username_id, pin, htmx=True, next_=None):
    data = {"pin": pin, "csrf_token": browser_.token}
    if next_:
        data["next"] = next_
    headers = {"HX-Request": "true"} if htmx else {}
    return browser_.client.post(f"/comptoir/{username_id}", data=data, headers=headers)


@pytest.fixture
def counter(browser, demo_data):
    """One device where « camille » then « associe » signed in with their passwords (the last is signed in)."""
    device = browser().login("camille")
    device.client.post("/deconnexion", data={"csrf_token": device.token})
    return device.login("associe")


def test_the_header_says_who_is_at_the_counter(counter):
    page = counter.get("/").get_data(as_text=True)
    assert "Au comptoir :" in page and "Sophie Lefèvre" in page and "Changer" in page


def test_who_lists_the_associates_known_on_this_device(counter):
    page = counter.get("/comptoir").get_data(as_text=True)
    assert "Camille Roux" in page and "Sophie Lefèvre" in page and "Qui est au comptoir ?" in page


def open_sign_ins(app):
    with app.app_context():
        return [(s.id, s.account_id, s.acting_account_id) for s in db.session.scalars(
            select(SignIn).where(SignIn.ended_at.is_(None)))]


def at_counter(page):
    return re.search(r"data-at-counter-name>([^<]+)<", page).group(1)


def test_a_switch_by_pin_keeps_the_sign_in_and_its_replay_token(app, counter):
    token, before = counter.replay_token(), open_sign_ins(app)
    response = switch(counter, account_id(app, "camille"), DEMO_PINS["camille"])
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/"
    assert at_counter(counter.get("/").get_data(as_text=True)) == "Camille Roux"
    [(sign_in, signed_in, acting)] = open_sign_ins(app)
    assert [(sign_in, signed_in)] == [row[:2] for row in before] and acting == account_id(app, "camille")
    # A step the device queued before the switch still goes through with the token it held.
    replayed = counter.post("/capacite/complet", data={"full": "1"},
                            headers={"X-Offline-Replay": "1", "X-Replay-Token": token, "Sec-Fetch-Site": "same-origin",
                                     "X-Offline-Account": str(signed_in)})
    assert applied(replayed)


def pin_hash(app, username):
    with app.app_context():
        return db.session.scalar(select(Account.pin_hash).where(Account.username == username))


def set_pin(browser_, pin, confirmation=None, password=DEMO_PASSWORD, **kwargs):
    return browser_.client.post("/mon-code", data={"pin": pin, "confirmation": pin if confirmation is None else confirmation,
                                                   "password": password, "csrf_token": browser_.token, **kwargs},
                                headers={"HX-Request": "true"})


@pytest.mark.parametrize("pin, confirmation, message", [
    ("123", None, "Un code personnel compte de 4 à 6 chiffres, et seulement des chiffres."),
    ("1234567", None, "Un code personnel compte de 4 à 6 chiffres, et seulement des chiffres."),
    ("12a4", None, "Un code personnel compte de 4 à 6 chiffres, et seulement des chiffres."),
    ("١٢٣٤", None, "Un code personnel compte de 4 à 6 chiffres, et seulement des chiffres."),
    ("1234", "1243", "Les deux codes ne sont pas les mêmes."),
])
def test_a_pin_of_the_wrong_form_is_refused_in_french_and_changes_nothing(app, associate, pin, confirmation, message):
    before = pin_hash(app, "associe")
    response = set_pin(associate, pin, confirmation)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert pin_hash(app, "associe") == before


def test_a_new_pin_is_kept_hashed_and_then_switches(app, counter):
    assert "Mon code personnel" in counter.get("/mon-code").get_data(as_text=True)
    response = set_pin(counter, "482915")
    assert response.status_code == 200 and "Votre code personnel est enregistré." in response.get_data(as_text=True)
    stored = pin_hash(app, "associe")
    assert stored and "482915" not in stored
    assert switch(counter, account_id(app, "associe"), "482915").status_code == 204


def test_a_pin_replaced_asks_for_the_password_and_a_wrong_one_changes_nothing(app, counter):
    assert 'name="password"' in counter.get("/mon-code").get_data(as_text=True)  # the demo's associate has a PIN
    before = pin_hash(app, "associe")
    for password in ("", "not-my-password"):
        refused = set_pin(counter, "482915", password=password)
        assert refused.status_code == 422
        assert "Mot de passe incorrect : votre code n'a pas changé." in html.unescape(refused.get_data(as_text=True))
    assert pin_hash(app, "associe") == before
    assert switch(counter, account_id(app, "associe"), DEMO_PINS["associe"]).status_code == 204


def test_wrong_passwords_to_replace_a_pin_stop_at_ten_in_a_quarter_hour(app, counter):
    for _ in range(10):
        assert set_pin(counter, "482915", password="guess").status_code == 422
    assert set_pin(counter, "482915").status_code == 429  # the right password waits too
    assert set_pin(counter, "12", password="guess").status_code == 429


def test_a_first_pin_needs_no_password_again(app, counter):
    with app.app_context():
        db.session.scalar(select(Account).where(Account.username == "associe")).pin_hash = None
        db.session.commit()
    page = counter.get("/mon-code").get_data(as_text=True)
    assert 'name="password"' not in page
    assert set_pin(counter, "482915", password="").status_code == 200 and pin_hash(app, "associe")


def test_the_pin_forms_need_their_csrf_token(app, counter):
    before = pin_hash(app, "associe")
    assert counter.client.post("/mon-code", data={"pin": "4444", "confirmation": "4444"}).status_code == 400
    assert counter.client.post(f"/comptoir/{account_id(app, 'camille')}", data={"pin": DEMO_PINS["camille"]}
                               ).status_code == 400
    assert pin_hash(app, "associe") == before and open_sign_ins(app)[0][2] is None


def test_wrong_pins_say_the_tries_left_then_lock_until_a_password_sign_in(app, counter):
    colleague = account_id(app, "camille")
    for left in (4, 3, 2, 1):
        page = switch(counter, colleague, "0000").get_data(as_text=True)
        assert f"Code incorrect. Essais restants avant le verrouillage : {left}." in page
    locked = "Code verrouillé : connectez-vous avec votre mot de passe"
    assert locked in switch(counter, colleague, "0000").get_data(as_text=True)
    assert locked in switch(counter, colleague, DEMO_PINS["camille"]).get_data(as_text=True)
    assert open_sign_ins(app)[0][2] is None
    counter.client.post("/deconnexion", data={"csrf_token": counter.token})
    counter.login("camille").client.post("/deconnexion", data={"csrf_token": counter.token})
    counter.login("associe")
    assert switch(counter, colleague, DEMO_PINS["camille"]).status_code == 204


def test_another_shops_associate_is_never_listed_nor_switched_to(app, browser, demo_data):
    device = browser().login("associe2")
    device.client.post("/deconnexion", data={"csrf_token": device.token})
    device.login("associe")
    other = account_id(app, "associe2")
    assert "Karim Benali" not in device.get("/comptoir").get_data(as_text=True)
    with app.app_context():
        db.session.get(Account, other).pin_hash = db.session.get(Account, account_id(app, "associe")).pin_hash
        db.session.commit()
    assert switch(device, other, DEMO_PINS["associe"]).status_code == 404
    assert open_sign_ins(app)[0][2] is None
    bundle = device.client.get("/hors-ligne/paquet").get_json()
    assert [a["name"] for a in bundle["counter"]["associates"]] == ["Sophie Lefèvre"]


def test_an_associate_never_signed_in_on_the_device_is_not_switchable(app, associate):
    assert switch(associate, account_id(app, "camille"), DEMO_PINS["camille"]).status_code == 404
    assert "Camille Roux" not in associate.get("/comptoir").get_data(as_text=True)


def test_events_after_a_switch_name_the_associate_at_the_counter(app, counter, parcel_in, shop_of):
    parcel = parcel_in(shop_of("associe"), "receive", "mark_not_found")
    switch(counter, account_id(app, "camille"), DEMO_PINS["camille"])
    assert counter.post(f"/colis/{parcel}/retrouve").status_code == 200
    assert counter.post("/capacite/complet", data={"full": "1"}).status_code == 200
    with app.app_context():
        event = db.session.scalars(select(ParcelEvent).where(ParcelEvent.parcel_id == parcel)
                                   .order_by(ParcelEvent.id.desc())).first()
        shop_event = db.session.scalars(select(ShopEvent).order_by(ShopEvent.id.desc())).first()
        assert event.account_id == shop_event.account_id == account_id(app, "camille")


def replay(browser_, path, associate_id, data=None):
    headers = {"X-Offline-Replay": "1", "Sec-Fetch-Site": "same-origin",
               "X-Offline-Account": str(account_id(browser_.app, "associe")), "X-Comptoir-Associate": str(associate_id)}
    return browser_.post(path, data=data, headers=headers)


def last_event(app, parcel):
    with app.app_context():
        event = db.session.scalars(select(ParcelEvent).where(ParcelEvent.parcel_id == parcel)
                                   .order_by(ParcelEvent.id.desc())).first()
        return event.account_id, event.note, event.offline


def test_a_step_queued_offline_acts_as_its_associate_when_they_may(app, counter, parcel_in, shop_of):
    counter.app = app
    parcel = parcel_in(shop_of("associe"), "receive", "mark_not_found")
    response = replay(counter, f"/colis/{parcel}/retrouve", account_id(app, "camille"))
    assert response.headers.get("X-Command-Applied") == "true"
    assert last_event(app, parcel) == (account_id(app, "camille"), "", True)


@pytest.mark.parametrize("who", ["associe2", "livreur", "locked"])
def test_a_step_queued_offline_for_someone_who_may_not_act_here_acts_as_the_sign_in_with_a_note(
        app, counter, parcel_in, shop_of, who):
    counter.app = app
    named = account_id(app, "camille" if who == "locked" else who)
    if who == "locked":
        with app.app_context():
            db.session.get(Account, named).pin_failures = 5
            db.session.commit()
    parcel = parcel_in(shop_of("associe"), "receive", "mark_not_found")
    response = replay(counter, f"/colis/{parcel}/retrouve", named)
    assert response.headers.get("X-Command-Applied") == "true"
    signed_in, note, offline = last_event(app, parcel)
    assert signed_in == account_id(app, "associe") and offline and f"associate {named}" in note


def go_idle(clock, minutes):
    clock.advance(timedelta(minutes=minutes, seconds=1))


def test_a_counter_left_unused_asks_who_is_at_it_then_shows_the_screen(app, counter, clock):
    assert counter.get("/inventaire/").status_code == 200
    go_idle(clock, 10)
    response = counter.get("/inventaire/")
    assert response.status_code == 303 and response.headers["Location"] == "/comptoir?next=/inventaire/"
    htmx = counter.get("/inventaire/", htmx=True)
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"].startswith("/comptoir")
    assert counter.get("/comptoir?next=/inventaire/").status_code == 200
    assert counter.get("/").status_code == 303  # still locked: the « who » screen did not unlock it
    done = switch(counter, account_id(app, "associe"), DEMO_PINS["associe"], htmx=False, next_="/inventaire/")
    assert done.status_code == 303 and done.headers["Location"] == "/inventaire/"
    assert counter.get("/inventaire/").status_code == 200


def test_a_counter_in_use_does_not_lock_and_polls_do_not_keep_it_awake(app, counter, clock):
    for _ in range(3):
        clock.advance(timedelta(minutes=6))
        assert counter.get("/").status_code == 200
    clock.advance(timedelta(minutes=6))
    assert counter.get("/capacite/", htmx=True).status_code == 200  # a fragment read: no activity
    clock.advance(timedelta(minutes=5))
    assert counter.get("/").status_code == 303


def test_steps_queued_offline_pass_a_locked_counter(app, counter, clock, parcel_in, shop_of):
    counter.app = app
    parcel = parcel_in(shop_of("associe"), "receive", "mark_not_found")
    go_idle(clock, 10)
    response = replay(counter, f"/colis/{parcel}/retrouve", account_id(app, "associe"))
    assert response.headers.get("X-Command-Applied") == "true"


def shop_idle_minutes(app):
    with app.app_context():
        return db.session.scalar(select(Shop.idle_minutes).where(Shop.name == "Tabac-Presse du Marché"))


@pytest.mark.parametrize("typed", ["0", "121", "dix", ""])
def test_idle_minutes_out_of_bounds_are_refused_in_french(app, associate, typed):
    response = associate.post("/comptoir/veille", data={"minutes": typed})
    assert response.status_code == 422
    assert "Le délai est un nombre entier de minutes, de 1 à 120." in response.get_data(as_text=True)
    assert shop_idle_minutes(app) == 10


def test_the_shop_sets_its_idle_minutes_and_the_lock_follows_them(app, counter, clock):
    associate = counter
    assert "Verrouillage du comptoir" in associate.get("/comptoir/veille").get_data(as_text=True)
    assert associate.post("/comptoir/veille", data={"minutes": "2"}).status_code == 200
    assert shop_idle_minutes(app) == 2
    with app.app_context():
        event = db.session.scalars(select(ShopEvent).order_by(ShopEvent.id.desc())).first()
        assert event.detail == "10 → 2" and event.account_id == account_id(app, "associe")
    go_idle(clock, 2)
    assert associate.get("/").status_code == 303


def test_a_device_one_associate_alone_uses_never_locks(associate, clock):
    go_idle(clock, 60)
    assert associate.get("/").status_code == 200
    assert 'data-idle-minutes="0"' in associate.get("/").get_data(as_text=True)


def test_a_locked_counter_changes_no_pin_and_no_setting(app, counter, clock):
    before = pin_hash(app, "associe")
    go_idle(clock, 10)
    assert counter.get("/mon-code").status_code == 303
    assert set_pin(counter, "9999").status_code == 204  # sent to « Qui est au comptoir ? »
    assert counter.post("/comptoir/veille", data={"minutes": "120"}).status_code == 204
    assert pin_hash(app, "associe") == before and shop_idle_minutes(app) == 10


def test_after_a_switch_by_pin_the_pin_page_asks_for_a_password_sign_in(app, counter):
    switch(counter, account_id(app, "camille"), DEMO_PINS["camille"])
    before = pin_hash(app, "camille")
    response = set_pin(counter, "9999")
    assert response.status_code == 422
    assert "Pour changer votre code, connectez-vous avec votre mot de passe sur cet appareil." in response.get_data(
        as_text=True)
    assert pin_hash(app, "camille") == before


def test_a_replay_with_no_session_switches_nobody(app, browser, counter):
    token, device = counter.replay_token(), counter.client.get_cookie("comptoir_device").value
    bare = browser()
    bare.client.set_cookie("comptoir_device", device)
    headers = {"X-Offline-Replay": "1", "Sec-Fetch-Site": "same-origin", "X-Replay-Token": token,
               "Idempotency-Key": str(uuid.uuid4())}
    response = bare.client.post(f"/comptoir/{account_id(app, 'camille')}", data={"pin": DEMO_PINS["camille"]},
                                headers=headers)
    assert response.status_code == 403 and open_sign_ins(app)[0][2] is None
