"""The skeleton every screen stands on: languages, page or fragment, configurations, the clock, the event log."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, select, update

from hub.core import clock as clock_module
from hub.core import config, i18n
from hub import create_app
from hub.core.extensions import db
from hub.core.models import Account, Device, EventsAreForever, Parcel, ParcelEvent, Setting
from hub.ops import Actor, record
from hub.rules.deadlines import local_date
from hub.rules.parcels import Action, State

from ..conftest import RUN_START, csrf_token, text

ABOUT_NOW = timedelta(minutes=1)



# --- Language -----------------------------------------------------------------------------------


def test_the_interface_is_french_by_default(browser, demo_data):
    page = text(browser().get("/connexion"))
    assert '<html lang="fr">' in page
    assert "Se connecter" in page and "Nom d'utilisateur" in page


def test_a_browser_that_asks_for_english_gets_english(browser, demo_data):
    page = text(browser().get("/connexion", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert '<html lang="en">' in page
    assert "Sign in" in page and "Se connecter" not in page


def test_a_language_we_do_not_speak_falls_back_to_french(browser, demo_data):
    assert "Se connecter" in text(browser().get("/connexion", headers={"Accept-Language": "de-DE,de;q=0.9"}))


def test_the_accounts_choice_wins_over_the_browsers(app, browser, demo_data):
    with app.app_context():
        db.session.scalar(select(Account).where(Account.username == "associe")).locale = "en"
        db.session.commit()
    home = text(browser().login("associe").get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}))
    assert "Delivery by the carrier" in home
    assert "Livraison par le livreur" not in home


def test_the_language_switch_works_before_signing_in(browser, demo_data):
    client = browser().client
    response = client.post("/langue", data={"lang": "en", "csrf_token": csrf_token(client, "/connexion")},
                           headers={"Referer": "/connexion"})
    assert response.status_code == 303
    assert "Sign in" in text(client.get("/connexion", headers={"Accept-Language": "fr"}))


def test_the_language_switch_is_kept_on_the_account_for_every_device(app, browser, demo_data):
    first = browser().login("associe")
    assert first.client.post("/langue", data={"lang": "en", "csrf_token": first.token}).status_code == 303
    assert "Delivery by the carrier" in text(first.get("/"))
    with app.app_context():
        assert db.session.scalar(select(Account.locale).where(Account.username == "associe")) == "en"
    another_device = browser().login("associe")
    assert "Delivery by the carrier" in text(another_device.get("/", headers={"Accept-Language": "fr"}))
    first.client.post("/langue", data={"lang": "fr", "csrf_token": first.token})
    assert "Livraison par le livreur" in text(first.get("/"))


def test_the_language_switch_ignores_a_language_we_do_not_speak(app, associate):
    associate.client.post("/langue", data={"lang": "de", "csrf_token": associate.token})
    with app.app_context():
        assert db.session.scalar(select(Account.locale).where(Account.username == "associe")) is None
    assert "Livraison par le livreur" in text(associate.get("/"))


def test_dates_and_times_are_written_the_french_way_in_the_shops_time_zone(app):
    instant = datetime(2026, 6, 10, 12, 5, tzinfo=timezone.utc)
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert i18n.local_datetime(instant, "Europe/Paris", "short") == "10/06/2026 14:05"
        assert i18n.local_datetime(instant, "Europe/Paris") == "10 juin 2026, 14:05:00"
        assert i18n.local_date(instant, "Europe/Paris") == "10 juin 2026"
        assert i18n.local_time(instant, "Europe/Paris") == "14:05"
        # Late evening in UTC is already the next day in Paris.
        assert i18n.local_date(datetime(2026, 6, 10, 22, 30, tzinfo=timezone.utc), "Europe/Paris") == "11 juin 2026"
        assert i18n.local_time(datetime(2026, 1, 10, 12, 5, tzinfo=timezone.utc), "Europe/Paris") == "13:05"


# --- Page or fragment ---------------------------------------------------------------------------


@pytest.fixture
def parcel_path(parcel_in, shop_of):
    return f"/colis/{parcel_in(shop_of('associe'), Action.RECEIVE)}"


@pytest.mark.parametrize("path_of", [lambda p: p, lambda p: "/"], ids=["parcel", "home"])
def test_a_plain_get_gives_the_whole_page(associate, parcel_path, path_of):
    response = associate.get(path_of(parcel_path))
    assert response.status_code == 200
    assert "<html" in text(response) and "</html>" in text(response)
    assert "HX-Request" in response.headers["Vary"]


def test_an_htmx_get_gives_the_fragment_only(associate, parcel_path):
    response = associate.get(parcel_path, htmx=True)
    body = text(response).strip()
    assert response.status_code == 200
    assert "<html" not in body and "<body" not in body
    assert body.startswith('<section class="card" id="parcel"')
    assert "HX-Request" in response.headers["Vary"]


def test_the_home_fragment_has_the_three_actions_and_no_page_around(associate):
    body = text(associate.get("/", htmx=True))
    assert "<html" not in body
    for label in ("Livraison par le livreur", "Collecte du client", "Collecte du livreur"):
        assert label in body


@pytest.mark.parametrize("header", ["HX-Boosted", "HX-History-Restore-Request"])
def test_boosted_and_history_restore_requests_get_the_whole_page(associate, parcel_path, header):
    response = associate.get(parcel_path, htmx=True, headers={header: "true"})
    assert "<html" in text(response)
    assert "HX-Request" in response.headers["Vary"]


def test_pages_load_the_pinned_htmx_2_build_that_we_serve(associate):
    page = text(associate.get("/"))
    match = re.search(r'src="(/static/vendor/htmx-2\.0\.\d+\.min\.js\?v=\w+)"', page)
    assert match, "the page does not load a vendored htmx 2.0.x"
    script = associate.client.get(match.group(1))
    assert script.status_code == 200 and b"htmx" in script.get_data()
    script.close()


def test_every_page_sends_the_csrf_token_with_htmx_requests(associate):
    page = text(associate.get("/"))
    assert re.search(r"hx-headers='\{\"X-CSRFToken\": \"[^\"]+\"\}'", page)


# --- Configurations -----------------------------------------------------------------------------


@pytest.mark.parametrize("secret", [config.TESTING_SECRET, "", None])
def test_production_refuses_to_start_with_the_default_secret_key(app, secret):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SECRET_KEY=secret, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])


def test_production_with_a_key_has_no_way_to_move_the_clock(production):
    assert not production.config["MOVABLE_CLOCK"] and not production.config["DEMO_DATA"]
    client = production.test_client()
    assert client.post("/_test/clock", json={"advance": 86400}).status_code == 404
    assert client.get("/_test/clock").status_code == 404
    assert not any(rule.rule.startswith("/_test") for rule in production.url_map.iter_rules())


def test_the_production_clock_ignores_an_offset_stored_in_the_settings(app, clock, production):
    far = datetime(9000, 1, 1, tzinfo=timezone.utc)
    clock.move_to(far)
    assert clock.now() >= far
    with production.app_context():
        assert production.config["MOVABLE_CLOCK"] is False and clock_module.run_start() is None
        with pytest.raises(RuntimeError):
            clock_module.set_to(RUN_START)


def test_flask_demo_refuses_in_production_and_creates_nobody(production, count):
    result = production.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "only created in development and testing" in result.output
    assert count(Account) == 0


def test_flask_demo_fills_an_empty_testing_database_once(app, count):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    accounts = count(Account)
    assert {"associe", "associe2", "livreur", "admin"} <= set(_usernames(app))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "already has data" in second.output
    assert count(Account) == accounts


def _usernames(app):
    with app.app_context():
        return db.session.scalars(select(Account.username)).all()


def test_the_demo_has_parcels_in_every_state_and_some_expected_today(app, demo_data):
    with app.app_context():
        shop_id = db.session.scalar(select(Account.shop_id).where(Account.username == "associe"))
        states = set(db.session.scalars(select(Parcel.state).where(Parcel.shop_id == shop_id)))
        today = local_date(clock_module.now(), "Europe/Paris")
        expected_today = db.session.scalars(
            select(Parcel).where(Parcel.shop_id == shop_id, Parcel.state == State.EXPECTED,
                                 Parcel.expected_on == today)).all()
    assert states == set(State) - {State.WITH_SENDER}  # a drop-off is with its sender only until it is deposited
    assert len(expected_today) >= 1


def test_an_unknown_configuration_name_is_refused(monkeypatch):
    with pytest.raises(RuntimeError, match="COMPTOIR_ENV"):
        config.load("staging")
    monkeypatch.delenv("COMPTOIR_ENV", raising=False)
    assert config.load() is config.ProductionConfig


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("sqlite:////srv/comptoir.db", "sqlite:////srv/comptoir.db"),
])
def test_database_urls_from_hosting_providers_get_the_psycopg_driver(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert config._database_url("sqlite://") == expected


# --- The testing clock --------------------------------------------------------------------------


def test_every_testing_database_starts_at_the_runs_instant(clock):
    assert abs(clock.now() - RUN_START) < ABOUT_NOW


def test_flask_demo_starts_the_clock_at_the_runs_instant_and_dates_the_demo_from_it(app, clock):
    with app.app_context():
        db.session.execute(delete(Setting))
        db.session.commit()
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    assert abs(clock.now() - RUN_START) < ABOUT_NOW
    with app.app_context():
        expected_on = db.session.scalars(select(Parcel.expected_on).where(Parcel.state == State.EXPECTED)).all()
    assert set(expected_on) == {local_date(RUN_START, "Europe/Paris")}


def test_the_testing_clock_moves_and_the_servers_now_moves_with_it(app, browser, demo_data, clock):
    client = browser().client
    moved = client.post("/_test/clock", json={"advance": timedelta(days=3).total_seconds()})
    assert moved.status_code == 200
    server_now = datetime.fromisoformat(moved.get_json()["now"])
    assert abs(server_now - (RUN_START + timedelta(days=3))) < ABOUT_NOW
    assert abs(clock.now() - (RUN_START + timedelta(days=3))) < ABOUT_NOW
    # A view that stamps something uses the moved clock.
    post_login = client.post("/connexion", data={"username": "associe", "password": "demo1234",
                                                 "csrf_token": csrf_token(client, "/connexion")})
    assert post_login.status_code == 303
    with app.app_context():
        device = db.session.get(Device, client.get_cookie("comptoir_device").value)
        assert abs(device.last_seen_at - (RUN_START + timedelta(days=3))) < ABOUT_NOW


def test_the_testing_clock_can_be_set_to_an_instant_and_moved_back(browser, demo_data, clock):
    client = browser().client
    client.post("/_test/clock", json={"advance": 86400})
    client.post("/_test/clock", json={"advance": 86400})
    assert clock.now() - RUN_START > timedelta(days=1, hours=23)
    new_year = datetime(2031, 1, 1, tzinfo=timezone.utc)
    answer = client.post("/_test/clock", json={"at": new_year.isoformat()}).get_json()
    assert abs(datetime.fromisoformat(answer["now"]) - new_year) < ABOUT_NOW
    client.post("/_test/clock", json={"advance": -86400})
    assert abs(clock.now() - (new_year - timedelta(days=1))) < ABOUT_NOW


def test_the_clock_fixture_moves_the_server_without_sleeping(clock):
    before = clock.now()
    clock.advance(timedelta(days=8))
    assert clock.now() - before > timedelta(days=7, hours=23)


# --- The event log ------------------------------------------------------------------------------


@pytest.fixture
def event_id(app, parcel_in, shop_of):
    parcel_id = parcel_in(shop_of("associe"), Action.RECEIVE, Action.EXPIRE)
    with app.app_context():
        return db.session.scalar(select(ParcelEvent.id).where(ParcelEvent.parcel_id == parcel_id).limit(1))


def test_an_event_cannot_be_updated(app, event_id):
    with app.app_context():
        event = db.session.get(ParcelEvent, event_id)
        event.note = "rewritten"
        with pytest.raises(EventsAreForever):
            db.session.flush()
        db.session.rollback()
        assert db.session.get(ParcelEvent, event_id).note == ""


def test_an_event_cannot_be_deleted(app, event_id, count):
    with app.app_context():
        db.session.delete(db.session.get(ParcelEvent, event_id))
        with pytest.raises(EventsAreForever):
            db.session.flush()
        db.session.rollback()
    assert count(ParcelEvent, id=event_id) == 1


@pytest.mark.parametrize("statement", [
    lambda: update(ParcelEvent).values(note="rewritten"),
    lambda: delete(ParcelEvent),
], ids=["update", "delete"])
def test_events_cannot_be_rewritten_in_bulk_either(app, event_id, count, statement):
    with app.app_context():
        with pytest.raises(EventsAreForever):
            db.session.execute(statement())
        db.session.rollback()
    assert count(ParcelEvent, id=event_id) == 1
    assert count(ParcelEvent, note="rewritten") == 0


def test_new_events_are_still_recorded(app, event_id, count):
    with app.app_context():
        parcel = db.session.get(ParcelEvent, event_id).parcel
        record(parcel, Action.STAGE_FOR_RETURN, Actor(None, None, clock_module.now()))
        db.session.commit()
        assert [e.action for e in parcel.events] == [Action.RECEIVE, Action.EXPIRE, Action.STAGE_FOR_RETURN]
