"""Sign-ins live on the server: signing out, a password change, a deactivation and a device revoked end
them, and with them every copy of their cookies and the device's replay token."""
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.core.extensions import db
from hub.core.models import Account, Device, Shop, SignIn
from hub.ops import accounts
from hub.rules import accounts as rules

from ..conftest import csrf_token


def copy_of(app, browser_):
    """Another client holding copies of the browser's cookies (its session and its device)."""
    thief = app.test_client()
    for name in ("session", "comptoir_device"):
        thief.set_cookie(name, browser_.client.get_cookie(name).value)
    return thief


def declare_full(client, token):
    return client.post("/capacite/complet", data={"full": "1", "csrf_token": token},
                       headers={"Idempotency-Key": str(uuid.uuid4())})


def shop_is_full(app, username="associe"):
    with app.app_context():
        return db.session.scalar(select(Shop.full).join(Account, Account.shop_id == Shop.id)
                                 .where(Account.username == username))


def opens_nothing(app, thief, token):
    """The copied cookies open no page, apply no command and fetch no bundle."""
    assert thief.get("/").status_code == 302
    assert thief.get("/hors-ligne/paquet").status_code == 302
    assert declare_full(thief, token).status_code in (302, 400)
    assert not shop_is_full(app)
    return True


def cli(app, *args, **kwargs):
    return app.test_cli_runner().invoke(args=list(args), **kwargs)


def test_a_copy_of_the_session_cookie_works_while_the_sign_in_is_open(app, associate):
    thief = copy_of(app, associate)
    assert thief.get("/").status_code == 200
    assert declare_full(thief, associate.token).status_code == 303 and shop_is_full(app)


def test_signing_out_ends_every_copy_of_the_session(app, associate):
    thief = copy_of(app, associate)
    associate.client.post("/deconnexion", data={"csrf_token": associate.token})
    assert opens_nothing(app, thief, associate.token)


def test_a_session_cookie_copied_without_its_device_cookie_opens_nothing(app, associate):
    thief = app.test_client()
    thief.set_cookie("session", associate.client.get_cookie("session").value)
    assert thief.get("/").status_code == 302


def test_a_password_change_ends_every_sign_in_of_the_account(app, browser, associate):
    phone, thief = browser().login("associe"), copy_of(app, associate)
    result = cli(app, "accounts", "set-password", "associe", input="nouveau mot de passe du comptoir\nnouveau mot de passe du comptoir\n")
    assert result.exit_code == 0, result.output
    assert "2 sign-in(s) ended" in result.output and "nouveau" not in result.output
    assert opens_nothing(app, thief, associate.token)
    assert phone.get("/").status_code == 302
    client = browser().client
    assert client.post("/connexion", data={"username": "associe", "password": "nouveau mot de passe du comptoir",
                                           "csrf_token": csrf_token(client, "/connexion")}).status_code == 303


def test_a_password_too_short_is_refused_and_ends_nothing(app, associate):
    result = cli(app, "accounts", "set-password", "associe", "--password", "court")
    assert result.exit_code != 0 and "at least 15 characters" in result.output
    assert associate.get("/").status_code == 200


def test_a_deactivation_ends_every_sign_in_and_no_new_one_starts(app, browser, associate):
    thief = copy_of(app, associate)
    result = cli(app, "accounts", "deactivate", "associe")
    assert result.exit_code == 0 and "1 sign-in(s) ended" in result.output
    assert opens_nothing(app, thief, associate.token)
    client = browser().client
    assert client.post("/connexion", data={"username": "associe", "password": "demo1234",
                                           "csrf_token": csrf_token(client, "/connexion")}).status_code == 401


def test_an_unknown_account_or_device_is_named_and_nothing_changes(app, associate):
    assert "No account is named « personne »" in cli(app, "accounts", "deactivate", "personne").output
    assert "No device has the id « inconnu »" in cli(app, "devices", "revoke", "inconnu").output
    assert associate.get("/").status_code == 200


def test_a_revoked_device_is_signed_out_and_signs_in_again_under_a_new_id(app, associate):
    device_id, thief = associate.client.get_cookie("comptoir_device").value, copy_of(app, associate)
    token = associate.replay_token()
    result = cli(app, "devices", "revoke", device_id, "--reason", "téléphone perdu")
    assert result.exit_code == 0 and "1 sign-in(s) ended" in result.output
    # Its cookies open nothing: every request says why the device was removed, and no step is applied.
    for path in ("/", "/hors-ligne/paquet"):
        assert thief.get(path).headers.get("X-Comptoir-Device-Revoked") == "1"
    assert declare_full(thief, associate.token).status_code == 403 and not shop_is_full(app)
    replayed = thief.post("/capacite/complet", data={"full": "1"}, headers={
        "X-Offline-Replay": "1", "Sec-Fetch-Site": "same-origin", "Idempotency-Key": str(uuid.uuid4()),
        "X-Replay-Token": token})
    assert replayed.headers["X-Comptoir-Held"] == "true" and not shop_is_full(app)
    with app.app_context():
        device = db.session.get(Device, device_id)
        assert device.revoked_at is not None and device.revoke_reason == "téléphone perdu"
    associate.login("associe")
    assert associate.client.get_cookie("comptoir_device").value != device_id
    assert associate.get("/").status_code == 200


def test_another_account_signing_in_on_the_device_ends_the_first_sign_in(app, associate, make_account, shop_of):
    thief = copy_of(app, associate)
    make_account("collegue", shop_id=shop_of("associe"))
    associate.client.delete_cookie("session")
    associate.login("collegue")
    assert thief.get("/").status_code == 302


def test_a_sign_in_unused_for_thirty_days_is_over(app, associate, clock, nothing_overdue):
    clock.advance(rules.IDLE_LIMIT - timedelta(minutes=1))
    assert associate.get("/aide/").status_code == 200  # used: it goes on
    clock.advance(rules.IDLE_LIMIT - timedelta(minutes=1))
    assert associate.get("/").status_code == 200
    clock.advance(rules.IDLE_LIMIT)
    assert associate.get("/").status_code == 302


def test_each_sign_in_is_kept_with_its_account_device_and_why_it_ended(app, associate):
    associate.client.post("/deconnexion", data={"csrf_token": associate.token})
    with app.app_context():
        (sign_in,) = db.session.scalars(select(SignIn)).all()
        assert sign_in.account.username == "associe" and sign_in.device_id
        assert sign_in.ended_at is not None and sign_in.end_reason == "signed_out"
        assert len(sign_in.id) >= 40  # random: a leaked key still cannot name a live sign-in


# --- Sign-in time --------------------------------------------------------------------------------


@pytest.fixture
def hashes_checked(monkeypatch):
    checked = []
    real = accounts.check_password_hash

    def spy(hashed, password):
        checked.append(hashed)
        return real(hashed, password)

    monkeypatch.setattr(accounts, "check_password_hash", spy)
    monkeypatch.setattr("hub.core.models.accounts.check_password_hash", spy)
    return checked


@pytest.mark.parametrize("username", ["personne", "associe"])
def test_a_refused_sign_in_checks_one_password_hash_whether_the_account_exists_or_not(app, demo_data, hashes_checked,
                                                                                   username):
    with app.app_context():
        assert accounts.authenticate(username, "pas-le-bon") is None
    assert len(hashes_checked) == 1


def test_a_deactivated_account_costs_the_same_hash_as_any_other(app, demo_data, hashes_checked):
    with app.app_context():
        db.session.scalar(select(Account).where(Account.username == "associe")).active = False
        assert accounts.authenticate("associe", "demo1234") is None
    assert len(hashes_checked) == 1
