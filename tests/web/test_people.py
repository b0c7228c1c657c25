"""« Personnes »: a network's operator invites an associate or a carrier (the link shown once), makes a reset
link, deactivates an account; each change is in the audit log (who, when, before → after)."""
from html import unescape

import pytest
from sqlalchemy import func, select

from hub.core.extensions import db
from hub.core.models import Account, AuditEntry, Network, OneTimeLink

from ..conftest import text
from .test_accounts import GOOD, set_password, signs_in
from .test_sign_ins import copy_of, opens_nothing


def network_id(app, name="Colis Express"):
    with app.app_context():
        return db.session.scalar(select(Network.id).where(Network.name == name))


def account_id(app, username):
    with app.app_context():
        return db.session.scalar(select(Account.id).where(Account.username == username))


def counts(app):
    with app.app_context():
        return [db.session.scalar(select(func.count()).select_from(m)) for m in (Account, OneTimeLink, AuditEntry)]


def invite(operator, network, **fields):
    data = {"name": "Nadia Haddad", "email": "nadia@example.fr", "role": "associate", "shop": "1", **fields}
    return operator.post(f"/admin/reseaux/{network}/personnes", data)


def shown_link(response):
    page = unescape(response.get_data(as_text=True))
    return "/mot-de-passe/" + page.split("/mot-de-passe/")[1].split("<")[0].strip()


def test_the_page_lists_the_networks_people_with_their_last_sign_in(app, browser, operator):
    browser().login("associe")
    page = text(operator.get(f"/admin/reseaux/{network_id(app)}/personnes"))
    assert "Sophie Lefèvre" in page and "Julien Moreau" in page and "Karim Benali" in page
    assert "dernière connexion" in page and "jamais connecté" in page
    vert = text(operator.get(f"/admin/reseaux/{network_id(app, 'Relais Vert')}/personnes"))
    assert "Sophie Lefèvre" in vert and "Julien Moreau" not in vert and "Karim Benali" not in vert


def test_an_invited_associate_sets_a_password_signs_in_and_the_log_says_who_invited(app, client, operator):
    answer = invite(operator, network_id(app))
    assert answer.status_code == 200 and "ne sera plus affiché" in text(answer)
    assert set_password(client, shown_link(answer), GOOD).status_code == 303
    assert signs_in(app, "nadia@example.fr", GOOD)
    page = text(operator.get(f"/admin/reseaux/{network_id(app)}/personnes"))
    assert "Service réseau — invité nadia@example.fr" in page
    assert "/mot-de-passe/" not in page  # shown once


@pytest.mark.parametrize("fields, message", [
    ({"email": "associe2@example.fr", "name": ""}, "Il faut un identifiant et un nom"),
    ({"email": ""}, "Il faut une adresse e-mail"),
    ({"email": "pas-une-adresse"}, "n'est pas une adresse e-mail"),
    ({"role": "operator"}, "Choisissez un rôle"),
    ({"shop": ""}, "Choisissez un point relais de ce réseau"),
    ({"shop": "999"}, "Choisissez un point relais de ce réseau"),
])
def test_bad_input_is_refused_in_french_and_changes_nothing(app, operator, fields, message):
    before = counts(app)
    answer = invite(operator, network_id(app), **fields)
    assert answer.status_code == 422 and message in unescape(answer.get_data(as_text=True))
    assert counts(app) == before


def test_a_duplicate_email_is_refused_and_changes_nothing(app, operator):
    assert invite(operator, network_id(app)).status_code == 200
    before = counts(app)
    answer = invite(operator, network_id(app), email="NADIA@example.fr", role="carrier")
    assert answer.status_code == 409 and "Un compte utilise déjà « nadia@example.fr »" in text(answer)
    assert counts(app) == before


def test_an_associate_of_a_shop_outside_the_network_is_refused(app, operator):
    answer = invite(operator, network_id(app, "Relais Vert"), shop="2")  # Épicerie de la Gare: Colis Express only
    assert answer.status_code == 422


def test_a_reset_link_and_a_deactivation_are_logged_before_and_after(app, browser, client, operator):
    phone = browser().login("associe")
    thief = copy_of(app, phone)
    base = f"/admin/reseaux/{network_id(app)}/personnes/{account_id(app, 'associe')}"
    link = shown_link(operator.post(base + "/lien"))
    assert operator.post(base + "/desactiver").status_code == 200
    assert opens_nothing(app, thief, phone.token)
    assert set_password(client, link, GOOD).status_code == 410  # a deactivated account's link is over too
    assert not signs_in(app, "associe", "demo1234")
    page = text(operator.get(f"/admin/reseaux/{network_id(app)}/personnes"))
    assert "désactivé associe" in page and "actif → inactif" in page
    assert "lien de réinitialisation du mot de passe créé associe" in page


def test_operators_are_listed_but_not_managed_here(app, operator):
    base = f"/admin/reseaux/{network_id(app)}/personnes/{account_id(app, 'admin-colis')}"
    assert operator.post(base + "/desactiver").status_code == 404
    assert operator.post(base + "/lien").status_code == 404
