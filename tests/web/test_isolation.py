"""Every route of the app, called with another shop's ids (and another network's, for a carrier), answers
403 or 404 and changes nothing. The routes are read from the app's own URL map: a new route with an id is
swept as soon as it exists, or the sweep fails until it is classified here."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.core import clock as clock_module
from hub.core.extensions import db
from hub.core.models import Account, Closure, Deposit, Network, Parcel, Role, Shop, Size, Visit, WebhookEndpoint
from hub.ops.turns import ticket_for
from hub.rules import codes
from hub.rules.deposits import DepositKind
from hub.rules.dropoff import VisitMode
from hub.rules.parcels import Action

from .test_api import ApiClient

# Routes whose parameters are not another shop's ids, and why.
NOT_SWEPT = {
    "static": "files of static/",
    "notice.show": "the customer's notice: its unguessable token is the credential, no sign-in",
    "shop_page.show": "a shop's public page",
    "auth.set_password": "a one-time link: its unguessable token is the credential, no sign-in",
    "hours.new_range": "a day of the week, not an id",
    "deposit.receipt": "the deposit receipt: its unguessable token is the credential, no sign-in",
    **{f"deposit.{name}": "what the customer shows (a drop-off code or label), not an id: another network's code "
                          "says which network to take it to and changes nothing (test_deposit)"
       for name in ("show", "take", "refuse")},
    **{f"admin.{name}": "the back office: swept as another network's operator (test_operator_isolation), "
                        "403 to anyone else (test_access)"
       for name in ("update_call_back", "parcel", "shop", "set_capacity", "resend_notice")},
    "notice.send_again": "the customer's notice: its unguessable token is the credential, no sign-in",
    **{f"integrations.{name}": "the back office: swept as another network's operator (test_operator_isolation), "
                                 "403 to anyone else (test_access)"
       for name in ("network", "create_key", "revoke_key", "send_delivery_again", "send_notice_again")},
    **{f"people.{name}": "the back office: swept as another network's operator (test_operator_isolation), "
                         "403 to anyone else (test_access)" for name in ("index", "invite", "reset_link", "deactivate")},
    **{f"devices.{name}": "the back office: swept as another network's operator (test_operator_isolation), "
                          "403 to anyone else (test_devices)" for name in ("of_shop", "show", "revoke", "accept", "refuse")},
    **{f"network.{name}": "the back office: swept as another network's operator (test_operator_isolation), "
                          "403 to anyone else (test_access)"
       for name in ("settings", "save_settings", "edit_shop", "update_shop")},
    **{endpoint: "the API: swept with another network's ids below (a key, not a session)" for endpoint in
       ("shipments.cancel", "shipments.redirect", "parcels.show", "shops.show", "shops.update", "webhooks.delete",
        "dropoffs.show")},
}
API_SWEPT = {endpoint for endpoint, why in NOT_SWEPT.items() if why.startswith("the API")}


@pytest.fixture
def foreign(app, shop_of, parcel_in, nothing_overdue):
    """Ids that are not the demo associate's (another shop's) nor the demo carrier's (another network's)."""
    other_shop = shop_of("associe2")
    lost = parcel_in(other_shop, Action.RECEIVE, Action.MARK_NOT_FOUND, pickup_code="424242")
    with app.test_request_context():
        elsewhere = Network(name="Réseau Ailleurs")
        far_shop = Shop(name="Boutique Ailleurs", street="1 rue", postcode="13001", city="Marseille",
                        totp_secret=codes.new_shop_secret(), networks=[elsewhere])
        db.session.add_all([elsewhere, far_shop])
        db.session.flush()
        someone = Account(username="livreur-ailleurs", display_name="Livreur", role=Role.CARRIER,
                          network_id=elsewhere.id, password_hash="-")
        db.session.add(someone)
        db.session.flush()
        db.session.add(Closure(shop_id=other_shop, starts_on=clock_module.now().date() + timedelta(days=2),
                               ends_on=clock_module.now().date() + timedelta(days=3)))
        db.session.add(Parcel(network_id=elsewhere.id, shop_id=far_shop.id, tracking_id="AILLEURS0001",
                              recipient_name="Client Ailleurs", size=Size.SMALL))
        db.session.add(Deposit(network_id=elsewhere.id, code="DEP-ZZLLEURS22", kind=DepositKind.RETURN,
                               tracking_id="AILLEURSDEP1", sender_name="Client Ailleurs", created_at=clock_module.now(),
                               expires_at=clock_module.now() + timedelta(days=14)))
        db.session.add(WebhookEndpoint(network_id=elsewhere.id, url="https://ailleurs.example/hook", secret="s" * 32,
                                       created_at=clock_module.now()))
        db.session.add(Visit(key="visite-ailleurs-0001", shop_id=other_shop, network_id=db.session.get(
            Parcel, lost).network_id, account_id=someone.id, opened_at=clock_module.now(), mode=VisitMode.OTHER))
        db.session.commit()
        pickup = db.session.get(Parcel, lost).pickup
        return {"parcel_id": lost, "pickup_id": pickup.id, "ticket": ticket_for(pickup, clock_module.now()),
                "closure_id": db.session.scalar(select(Closure.id).where(Closure.shop_id == other_shop)),
                "network_id": elsewhere.id, "shop_id": far_shop.id, "key": "visite-ailleurs-0001",
                "tracking_id": "AILLEURS0001", "code": "DEP-ZZLLEURS22",
                "account_id": db.session.scalar(select(Account.id).where(Account.username == "associe2")),
                "webhook_id": db.session.scalar(select(WebhookEndpoint.id).where(WebhookEndpoint.network_id == elsewhere.id))}


def routes(app):
    """(rule, endpoint, methods) of every route with parameters."""
    return [rule for rule in app.url_map.iter_rules() if rule.arguments and not rule.endpoint.startswith("test_clock")]


def path_with(rule, values):
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<int:{name}>", str(values[name])).replace(f"<{name}>", str(values[name]))
    return path


def test_every_route_with_an_id_is_swept_or_says_why_not(app, foreign):
    unknown = {(rule.endpoint, name) for rule in routes(app) if rule.endpoint not in NOT_SWEPT
               for name in rule.arguments if name not in foreign}
    assert unknown == set(), "classify these parameters in the sweep"


@pytest.mark.parametrize("who", ["associe", "livreur"])
def test_another_shops_or_networks_ids_answer_403_or_404_and_change_nothing(app, browser, foreign, database_state,
                                                                          who):
    someone = browser().login(who)
    before, answers = database_state(), {}
    for rule in routes(app):
        if rule.endpoint in NOT_SWEPT:
            continue
        path = path_with(rule, foreign)
        if "GET" in rule.methods:
            answers[("GET", path)] = someone.get(path, htmx=True).status_code
        if "POST" in rule.methods:
            answers[("POST", path)] = someone.post(path, {"tracking_id": "CE200001FR", "code": "123456"}).status_code
    assert {k: v for k, v in answers.items() if v not in (403, 404)} == {}
    assert len(answers) >= 20
    assert database_state() == before


def test_a_networks_key_finds_nothing_of_another_network_and_changes_nothing(app, foreign, database_state):
    """Colis Express's key, with another network's parcel, shop and webhook: 404 as if they did not exist."""
    api, before, answers = ApiClient(app.test_client()), database_state(), {}
    bodies = {"POST": {"shop_id": foreign["shop_id"]}, "PATCH": {"capacity": 50}}
    for rule in routes(app):
        if rule.endpoint not in API_SWEPT:
            continue
        path = path_with(rule, foreign).removeprefix("/api/v1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            call = getattr(api, method.lower())
            response = call(path, bodies[method]) if method in bodies else call(path)
            answers[(method, path)] = response.status_code
    assert set(answers.values()) == {404}, answers
    assert len(answers) == len(API_SWEPT)
    assert database_state() == before
