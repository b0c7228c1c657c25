"""Who may see and do what: shop isolation, roles, CSRF, signing in and out."""
import html
import uuid

import pytest
from sqlalchemy import select

from hub.core.extensions import db
from hub.core.models import Account, Command, Device, Parcel
from hub.rules.parcels import Action, State

from ..conftest import csrf_token


@pytest.fixture
def other_shop(app, shop_of, parcel_in):
    """associe2's shop, with a lost parcel and a customer's pickup in it."""
    shop_id = shop_of("associe2")
    lost = parcel_in(shop_id, Action.RECEIVE, Action.MARK_NOT_FOUND, pickup_code="424242")
    with app.app_context():
        pickup_id = db.session.get(Parcel, lost).pickup_id
        demo_parcel = db.session.scalar(select(Parcel.id).where(Parcel.tracking_id == "CE200001FR"))
    return {"shop": shop_id, "lost": lost, "pickup": pickup_id, "demo_parcel": demo_parcel}


@pytest.fixture
def own_shop(app, shop_of, parcel_in):
    shop_id = shop_of("associe")
    lost = parcel_in(shop_id, Action.RECEIVE, Action.MARK_NOT_FOUND, pickup_code="515151")
    with app.app_context():
        return {"lost": lost, "pickup": db.session.get(Parcel, lost).pickup_id}


def shown(response):
    """The text of a response as a person reads it (entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


# --- Another shop's ids -------------------------------------------------------------------------


def test_an_associate_opens_their_own_shops_parcels_and_pickups(associate, own_shop):
    assert associate.get(f"/colis/{own_shop['lost']}").status_code == 200
    assert associate.get(f"/retraits/{own_shop['pickup']}").status_code == 200


@pytest.mark.parametrize("which", ["lost", "demo_parcel"])
def test_another_shops_parcel_answers_404(associate, other_shop, which):
    response = associate.get(f"/colis/{other_shop[which]}")
    assert response.status_code == 404
    assert "Écharpe" not in shown(response)


def test_another_shops_pickup_answers_404(associate, other_shop):
    response = associate.get(f"/retraits/{other_shop['pickup']}")
    assert response.status_code == 404
    assert "424242" not in shown(response)


def test_a_command_on_another_shops_parcel_answers_404_and_changes_nothing(associate, other_shop, parcel_facts, count):
    key = str(uuid.uuid4())
    assert associate.post(f"/colis/{other_shop['lost']}/retrouve", key=key).status_code == 404
    assert parcel_facts(other_shop["lost"]) == (State.NOT_FOUND, [Action.RECEIVE, Action.MARK_NOT_FOUND])
    assert count(Command, id=key) == 0


def test_an_id_that_does_not_exist_answers_404_like_another_shops(associate):
    assert associate.get("/colis/999999").status_code == 404
    assert associate.get("/retraits/999999").status_code == 404


def test_the_other_associate_sees_their_own_parcel(browser, other_shop):
    other = browser().login("associe2")
    assert other.get(f"/colis/{other_shop['lost']}").status_code == 200
    assert other.get(f"/retraits/{other_shop['pickup']}").status_code == 200


# --- Roles --------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["livreur", "admin"])
def test_carriers_and_operators_cannot_use_the_counter(browser, demo_data, own_shop, username):
    someone = browser().login(username)
    assert someone.get("/").status_code == 403
    assert someone.get(f"/colis/{own_shop['lost']}").status_code == 403
    assert someone.get(f"/retraits/{own_shop['pickup']}").status_code == 403
    assert someone.post(f"/colis/{own_shop['lost']}/retrouve").status_code == 403


def test_a_carrier_still_cannot_change_a_parcel_at_the_counter(browser, demo_data, own_shop, parcel_facts):
    browser().login("livreur").post(f"/colis/{own_shop['lost']}/retrouve")
    assert parcel_facts(own_shop["lost"])[0] == State.NOT_FOUND


@pytest.mark.parametrize("path", ["/admin/", "/livreur/"])
def test_an_associate_cannot_open_the_back_office_nor_the_carrier_app(associate, path):
    assert associate.get(path).status_code == 403


def test_each_role_opens_its_own_home(browser, demo_data):
    assert browser().login("livreur").get("/livreur/").status_code == 200
    assert browser().login("admin").get("/admin/").status_code == 200
    assert browser().login("associe").get("/").status_code == 200


@pytest.mark.parametrize("path", ["/", "/admin/", "/livreur/", "/colis/1", "/retraits/1"])
def test_an_anonymous_visitor_is_sent_to_the_login_page(browser, demo_data, path):
    response = browser().get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")


def test_help_is_reachable_without_an_account(browser, demo_data):
    anonymous = browser()
    assert anonymous.get("/aide/").status_code == 200
    assert anonymous.get("/aide/assistance").status_code == 200
    login_page = shown(anonymous.get("/connexion"))
    assert "Mot de passe oublié ?" in login_page
    assert 'href="/aide/' in login_page


# --- CSRF ---------------------------------------------------------------------------------------


def test_a_command_without_the_csrf_token_is_refused_and_changes_nothing(associate, own_shop, parcel_facts, count):
    key = str(uuid.uuid4())
    response = associate.client.post(f"/colis/{own_shop['lost']}/retrouve",
                                     headers={"Idempotency-Key": key, "HX-Request": "true"})
    assert response.status_code == 400
    assert parcel_facts(own_shop["lost"]) == (State.NOT_FOUND, [Action.RECEIVE, Action.MARK_NOT_FOUND])
    assert count(Command, id=key) == 0


def test_a_command_with_a_forged_csrf_token_is_refused(associate, own_shop, parcel_facts):
    response = associate.client.post(f"/colis/{own_shop['lost']}/retrouve",
                                     headers={"Idempotency-Key": str(uuid.uuid4()), "X-CSRFToken": "forged"})
    assert response.status_code == 400
    assert parcel_facts(own_shop["lost"])[0] == State.NOT_FOUND


def test_a_language_switch_without_the_csrf_token_is_refused(app, associate):
    assert associate.client.post("/langue", data={"lang": "en"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Account.locale).where(Account.username == "associe")) is None


def test_a_login_without_the_csrf_token_is_refused(browser, demo_data):
    client = browser().client
    response = client.post("/connexion", data={"username": "associe", "password": "demo1234"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


# --- Signing in and out -------------------------------------------------------------------------


def post_login(client, username, password):
    return client.post("/connexion", data={"username": username, "password": password,
                                           "csrf_token": csrf_token(client, "/connexion")})


def test_a_wrong_password_is_refused_in_french(browser, demo_data):
    client = browser().client
    response = post_login(client, "associe", "pas-le-bon")
    assert response.status_code == 401
    assert "Nom d'utilisateur ou mot de passe incorrect." in shown(response)
    assert client.get("/").status_code == 302


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(browser, demo_data):
    response = post_login(browser().client, "personne", "demo1234")
    assert response.status_code == 401
    assert "Nom d'utilisateur ou mot de passe incorrect." in shown(response)


def test_a_disabled_account_cannot_sign_in(app, browser, demo_data):
    with app.app_context():
        db.session.scalar(select(Account).where(Account.username == "associe")).active = False
        db.session.commit()
    assert post_login(browser().client, "associe", "demo1234").status_code == 401


def test_passwords_are_stored_hashed(app, demo_data):
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.username == "associe"))
        assert "demo1234" not in account.password_hash
        assert account.check_password("demo1234") and not account.check_password("demo12345")


def test_failed_logins_are_rate_limited_after_ten(browser, demo_data):
    client = browser().client
    statuses = [post_login(client, "associe", f"faux-{n}").status_code for n in range(10)]
    assert statuses == [401] * 10
    blocked = post_login(client, "associe", "demo1234")
    assert blocked.status_code == 429
    assert "Trop de tentatives" in shown(blocked)
    assert client.get("/").status_code == 302


def test_successful_logins_do_not_count_against_the_limit(browser, demo_data):
    for _ in range(12):
        client = browser().client
        assert post_login(client, "associe", "demo1234").status_code == 303


@pytest.mark.parametrize("username, home", [("associe", "/"), ("livreur", "/livreur/"), ("admin", "/admin/")])
def test_a_successful_login_leads_to_the_home_of_the_role(browser, demo_data, username, home):
    response = post_login(browser().client, username, "demo1234")
    assert response.status_code == 303
    assert response.headers["Location"] == home


def test_a_login_remembers_the_device(app, browser, demo_data):
    client = browser().client
    post_login(client, "associe", "demo1234")
    device_id = client.get_cookie("comptoir_device").value
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.username == "associe"))
        device = db.session.get(Device, device_id)
        assert (device.last_account_id, device.shop_id) == (account.id, account.shop_id)


def test_a_login_returns_to_the_page_asked_for(browser, demo_data):
    client = browser().client
    response = client.post("/connexion?next=/aide/", data={"username": "associe", "password": "demo1234",
                                                           "csrf_token": csrf_token(client, "/connexion")})
    assert response.headers["Location"] == "/aide/"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "%2F%09%2Fevil.example",
                                    "%2F%0A%2Fevil.example", "/%09/evil.example", "%09//evil.example",
                                    "/%E2%80%AE/evil.example", "%2F%5C%2Fevil.example", "%20//evil.example"])
def test_a_login_never_redirects_to_another_site(browser, demo_data, target):
    client = browser().client
    response = client.post(f"/connexion?next={target}", data={"username": "associe", "password": "demo1234",
                                                               "csrf_token": csrf_token(client, "/connexion")})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_a_signed_in_user_visiting_the_login_page_goes_home(browser, demo_data):
    response = browser().login("livreur").get("/connexion")
    assert response.status_code == 302 and response.headers["Location"] == "/livreur/"


def test_logout_is_a_post_only(associate):
    assert associate.client.get("/deconnexion").status_code == 405
    assert associate.get("/").status_code == 200


def test_logout_signs_out_and_says_so_in_french(associate):
    response = associate.client.post("/deconnexion", data={"csrf_token": associate.token})
    assert response.status_code == 303 and response.headers["Location"] == "/connexion"
    page = shown(associate.client.get("/connexion"))
    assert "Vous êtes déconnecté" in page
    assert associate.get("/").status_code == 302


def test_logout_without_the_csrf_token_keeps_the_session(associate):
    assert associate.client.post("/deconnexion").status_code == 400
    assert associate.get("/").status_code == 200



# --- Failed sign-ins count per account -------------------------------------------------------------


def post_login_from(client, username, password, address):
    token = csrf_token(client, "/connexion")
    return client.post("/connexion", data={"username": username, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_twenty_wrong_passwords_on_one_account_lock_no_other_account_behind_the_same_address(browser, demo_data):
    guesser = browser().client
    statuses = [post_login_from(guesser, "associe", f"faux-{n}", "203.0.113.7").status_code for n in range(20)]
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}
    colleague = browser().client
    assert post_login_from(colleague, "associe2", "demo1234", "203.0.113.7").status_code == 303
    assert post_login_from(browser().client, "livreur", "demo1234", "203.0.113.7").status_code == 303


def test_an_account_locked_at_one_address_still_signs_in_from_another(browser, demo_data):
    guesser = browser().client
    for n in range(10):
        post_login_from(guesser, "associe", f"faux-{n}", "203.0.113.7")
    assert post_login_from(browser().client, "associe", "demo1234", "203.0.113.7").status_code == 429
    assert post_login_from(browser().client, "associe", "demo1234", "198.51.100.4").status_code == 303


def test_an_account_guessed_from_many_addresses_is_locked_everywhere(browser, demo_data):
    for n in range(30):
        post_login_from(browser().client, "associe", f"faux-{n}", f"198.51.100.{n}")
    assert post_login_from(browser().client, "associe", "demo1234", "192.0.2.1").status_code == 429
