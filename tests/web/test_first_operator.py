"""A fresh production database (the command line speaks English), from the command line to the counter: a network, a shop, the first operator
and their password, then an associate invited from « Personnes » who signs in at the counter."""
import pytest
from sqlalchemy import func, select

from hub.core.extensions import db
from hub.core.models import Account, Network, Shop

from ..conftest import Browser, text
from .test_accounts import GOOD, link_of, set_password
from .test_people import invite, shown_link
from .test_sign_ins import cli

SHOP = ("shops", "create", "Bar des Amis", "--street", "2 rue Haute", "--postcode", "33000", "--city", "Bordeaux")


def test_from_an_empty_database_to_an_associate_at_the_counter(app, client):
    assert "Network Colis Sud created" in cli(app, "networks", "create", "Colis Sud").output
    made = cli(app, *SHOP, "--timezone", "Europe/Paris", "--capacity", "40", "--network", "Colis Sud")
    assert made.exit_code == 0 and "serving Colis Sud" in made.output, made.output
    path = link_of(cli(app, "accounts", "create-operator", "ops@colis-sud.example", "--network", "Colis Sud"))
    assert set_password(client, path, GOOD).status_code == 303
    operator = Browser(app.test_client()).login("ops@colis-sud.example", GOOD)
    assert "Bar des Amis" in text(operator.get("/admin/"))
    with app.app_context():
        network_id, shop = db.session.scalar(select(Network.id)), db.session.scalar(select(Shop))
        shop_id = shop.id
        # Open Monday to Saturday until its associates enter its hours: never « open every day » for want of any.
        assert sorted({r.weekday for r in shop.ranges}) == [0, 1, 2, 3, 4, 5]
    answer = invite(operator, network_id, shop=str(shop_id), email="nadia@colis-sud.example")
    assert set_password(client, shown_link(answer), "deux cafés et un croissant").status_code == 303
    associate = Browser(app.test_client()).login("nadia@colis-sud.example", "deux cafés et un croissant")
    assert associate.get("/").status_code == 200


@pytest.mark.parametrize("args, message", [
    (SHOP + ("--timezone", "", "--network", "Colis Sud"), "Choose the shop's time zone"),
    (SHOP + ("--timezone", "Lune/Base", "--network", "Colis Sud"), "is not a time zone"),
    (SHOP + ("--timezone", "Europe/Paris", "--capacity", "0", "--network", "Colis Sud"), "whole number from 5 to 1000"),
    (SHOP + ("--timezone", "Europe/Paris", "--capacity", "100000", "--network", "Colis Sud"), "from 5 to 1000"),
    (SHOP + ("--timezone", "Europe/Paris", "--network", "Inconnu"), "no network named"),
    (SHOP[:3] + ("--street", "", "--postcode", "1", "--city", "X", "--timezone", "Europe/Paris",
                 "--network", "Colis Sud"), "Fill in the shop"),
    (("networks", "create", "colis sud"), "A network is already named « colis sud »"),
])
def test_bad_input_makes_no_shop_and_no_network(app, args, message):
    cli(app, "networks", "create", "Colis Sud")
    result = cli(app, *args)
    assert result.exit_code != 0 and message in result.output, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Shop)) == 0
        assert db.session.scalar(select(func.count()).select_from(Network)) == 1
        assert db.session.scalar(select(func.count()).select_from(Account)) == 0
