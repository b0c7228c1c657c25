"""Accounts made from the command line, and the one-time links that set their passwords: an invitation
lives 48 hours, a reset 1 hour; each works once, and using one ends the account's other sign-ins."""
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from hub.core.extensions import db
from hub.core.models import Account, OneTimeLink, Role

from ..conftest import csrf_token
from .test_sign_ins import cli, copy_of, opens_nothing

GOOD = "un café au comptoir du marché"


def link_of(result):
    """The path of the link printed alone on the command's last line."""
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("http") and " " not in last
    return "/" + last.split("/", 3)[3]


def set_password(client, path, password, confirmation=None):
    token = csrf_token(client, path)
    return client.post(path, data={"password": password, "confirmation": confirmation or password,
                                   "csrf_token": token})


def signs_in(app, username, password):
    client = app.test_client()
    return client.post("/connexion", data={"username": username, "password": password,
                                           "csrf_token": csrf_token(client, "/connexion")}).status_code == 303


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_create_operator_prints_a_link_that_sets_the_password_once(app, client, demo_data):
    path = link_of(cli(app, "accounts", "create-operator", "Lea.Martin@Example.fr", "--network", "Relais Vert"))
    assert not signs_in(app, "lea.martin@example.fr", GOOD)
    page = client.get(path)
    assert page.status_code == 200 and "lea.martin@example.fr" in page.get_data(as_text=True)
    answer = set_password(client, path, GOOD)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/connexion")
    assert signs_in(app, "lea.martin@example.fr", GOOD)
    with app.app_context():
        operator = db.session.scalar(select(Account).where(Account.email == "lea.martin@example.fr"))
        assert operator.role == Role.OPERATOR and [n.name for n in operator.operated_networks] == ["Relais Vert"]
    used = client.get(path)
    assert used.status_code == 410 and "déjà été utilisé" in used.get_data(as_text=True)
    assert set_password(client, path, "un autre mot de passe bien long").status_code == 410
    assert signs_in(app, "lea.martin@example.fr", GOOD)


def test_the_link_uses_public_url_when_set(app, demo_data):
    app.config["PUBLIC_URL"] = "https://comptoir.example"
    result = cli(app, "accounts", "create-operator", "ops@example.fr")
    assert result.output.strip().splitlines()[-1].startswith("https://comptoir.example/mot-de-passe/")


def test_an_invitation_expires_after_48_hours_and_then_changes_nothing(app, client, clock, demo_data):
    path = link_of(cli(app, "accounts", "create", "nadia", "--role", "associate", "--name", "Nadia Haddad",
                       "--shop", "1", "--email", "nadia@example.fr"))
    clock.advance(timedelta(hours=47, minutes=59))
    assert client.get(path).status_code == 200
    clock.advance(timedelta(minutes=1))
    expired = client.get(path)
    assert expired.status_code == 410 and "Ce lien a expiré" in expired.get_data(as_text=True)
    assert set_password(client, path, GOOD).status_code == 410
    assert not signs_in(app, "nadia", GOOD)


def test_a_reset_link_lives_one_hour_and_ends_every_other_sign_in(app, browser, clock, client, associate):
    thief = copy_of(app, associate)
    path = link_of(cli(app, "accounts", "reset-link", "associe"))
    assert signs_in(app, "associe", "demo1234")  # the old password works until the link is used
    assert set_password(client, path, GOOD).status_code == 303
    assert opens_nothing(app, thief, associate.token)
    assert signs_in(app, "associe", GOOD) and not signs_in(app, "associe", "demo1234")
    late = link_of(cli(app, "accounts", "reset-link", "associe"))
    clock.advance(timedelta(hours=1))
    assert client.get(late).status_code == 410


@pytest.mark.parametrize("password, confirmation, message", [
    ("court", None, "au moins 15 caractères"),
    ("1qaz2wsx3edc4rfv", None, "mots de passe les plus courants"),
    ("       Associe         ", None, "ne peut pas être l'identifiant"),
    (GOOD, GOOD + "!", "ne sont pas identiques"),
])
def test_a_bad_password_is_refused_in_french_and_the_link_still_works(app, client, demo_data, password,
                                                                     confirmation, message):
    path = link_of(cli(app, "accounts", "reset-link", "associe"))
    answer = set_password(client, path, password, confirmation)
    assert answer.status_code == 422 and message in unescape(answer.get_data(as_text=True))
    assert set_password(client, path, GOOD).status_code == 303


def test_the_username_as_password_is_refused(app, client, demo_data):
    path = link_of(cli(app, "accounts", "create-operator", "responsable.reseau@example.fr"))
    answer = set_password(client, path, "Responsable.Reseau@example.fr")
    assert answer.status_code == 422 and "ne peut pas être l'identifiant" in unescape(answer.get_data(as_text=True))


def test_an_unknown_link_is_not_found(client, demo_data):
    answer = client.get("/mot-de-passe/nimporte-quoi")
    assert answer.status_code == 404 and "Ce lien n'est pas valide" in unescape(answer.get_data(as_text=True))


@pytest.mark.parametrize("args", [
    ("create-operator", "Lea@Example.fr"),                          # an existing e-mail, case aside
    ("create", "ADMIN", "--role", "carrier", "--name", "X", "--network", "Colis Express"),
    ("create", "Associe", "--role", "associate", "--name", "X", "--shop", "1"),
    ("create", "nouveau", "--role", "carrier", "--name", "X", "--network", "Colis Express",
     "--email", "lea@example.fr"),
])
def test_a_duplicate_username_or_email_is_refused_and_nothing_is_made(app, demo_data, args):
    assert link_of(cli(app, "accounts", "create-operator", "lea@example.fr"))
    accounts, links = count(app, Account), count(app, OneTimeLink)
    result = cli(app, "accounts", *args)
    assert result.exit_code != 0 and "already uses" in result.output
    assert (count(app, Account), count(app, OneTimeLink)) == (accounts, links)


@pytest.mark.parametrize("args, message", [
    (("create-operator", "pas-une-adresse"), "is not an e-mail address"),
    (("create", "x", "--role", "associate", "--name", "X"), "needs --shop"),
    (("create", "x", "--role", "carrier", "--name", "X"), "needs --network"),
    (("create-operator", "o@example.fr", "--network", "Inconnu"), "no network named"),
])
def test_bad_input_on_the_command_line_is_named_and_makes_nothing(app, demo_data, args, message):
    accounts = count(app, Account)
    result = cli(app, "accounts", *args)
    assert result.exit_code != 0 and message in result.output
    assert count(app, Account) == accounts


def test_accounts_help_lists_every_command(app):
    output = cli(app, "accounts", "--help").output
    for name in ("create-operator", "create", "reset-link", "set-password", "deactivate"):
        assert name in output


@pytest.mark.parametrize("body", ["[1, 2]", '"texte"', "{}"])
def test_a_json_body_on_the_password_page_is_refused_without_an_error(app, client, demo_data, body):
    path = link_of(cli(app, "accounts", "reset-link", "associe"))
    answer = client.post(path, data=body, headers={"Content-Type": "application/json",
                                                   "X-CSRFToken": csrf_token(client, path)})
    assert answer.status_code in (400, 422)
    assert set_password(client, path, GOOD).status_code == 303
