"""Operators see only their networks: every back-office route of the URL map, called by an operator of
another network with Colis Express's ids, answers 403 or 404 and changes nothing, and the lists and the
search show nothing of it. The routes are read from the app's URL map: a new back-office route is swept as
soon as it exists, or the sweep fails until its parameters are known here."""
import uuid

import pytest
from sqlalchemy import func, select

from hub.core import clock as clock_module
from hub.core.extensions import db
from hub.core.models import (Account, ApiKey, AuditEntry, Device, HeldStep, Network, OneTimeLink, OutboxMessage,
                             Parcel, Role, Shop, SupportRequest, WebhookDelivery, WebhookEndpoint)
from hub.rules import codes
from hub.rules.parcels import Size

from ..conftest import text

BACK_OFFICE = ("admin.", "integrations.", "people.", "devices.", "network.")
SEEN_NOWHERE = ("Colis Express", "Tabac-Presse", "Épicerie de la Gare", "CE10000", "Léa Bernard", "cpt_demo0",
                "Caisse Colis")


def back_office(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith(BACK_OFFICE)]


def path_with(rule, values):
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<int:{name}>", str(values[name])).replace(f"<{name}>", str(values[name]))
    return path


@pytest.fixture
def elsewhere(app, browser, demo_data, make_account):
    """An operator of « Réseau Ailleurs » alone (with a shop and a parcel of its own), signed in."""
    with app.app_context():
        network = Network(name="Réseau Ailleurs")
        shop = Shop(name="Boutique Ailleurs", street="1 rue", postcode="13001", city="Marseille",
                    totp_secret=codes.new_shop_secret(), networks=[network])
        db.session.add(Parcel(network=network, shop=shop, tracking_id="AILLEURS0001", recipient_name="Client Ailleurs",
                              size=Size.SMALL))
        db.session.commit()
        network_id = network.id
    account_id = make_account("operateur-ailleurs", Role.OPERATOR)
    with app.app_context():
        db.session.get(Account, account_id).operated_networks = [db.session.get(Network, network_id)]
        db.session.commit()
    return browser().login("operateur-ailleurs")


@pytest.fixture
def colis_express(app, demo_data):
    """Ids of Colis Express's things, one of each kind a back-office route takes."""
    with app.app_context():
        now = clock_module.now()
        network = db.session.scalar(select(Network).where(Network.name == "Colis Express"))
        parcel = db.session.scalar(select(Parcel).where(Parcel.pickup_id.is_not(None)).limit(1))
        endpoint = WebhookEndpoint(network=network, url="https://colis.example/hook", secret="s" * 32, created_at=now)
        delivery = WebhookDelivery(endpoint=endpoint, event_type="parcel.received", ordering_key="p1", body="{}",
                                   created_at=now, status="failed")
        message = OutboxMessage(kind="pickup_notice", recipient="lea@example.fr", subject="Avis", body="Bonjour",
                                created_at=now, pickup_id=parcel.pickup_id, status="failed")
        call_back = SupportRequest(shop_id=parcel.shop_id, phone="0612345678", name="Sophie", created_at=now)
        device = Device(id=str(uuid.uuid4()), shop_id=parcel.shop_id, name="Caisse Colis", first_seen_at=now,
                        last_seen_at=now, revoked_at=now, revoke_reason="volé")
        held = HeldStep(device=device, command_id=str(uuid.uuid4()), method="POST", path="/capacite/complet",
                        content_type="application/x-www-form-urlencoded", body="full=1", received_at=now)
        db.session.add_all([endpoint, delivery, message, call_back, device, held])
        db.session.commit()
        return {"parcel_id": parcel.id, "pickup_id": parcel.pickup_id, "shop_id": parcel.shop_id,
                "network_id": network.id, "key_id": db.session.scalar(select(ApiKey.id).limit(1)),
                "delivery_id": delivery.id, "message_id": message.id, "request_id": call_back.id,
                "account_id": db.session.scalar(select(Account.id).where(Account.username == "associe")),
                "device_id": device.id, "step_id": held.id}


@pytest.fixture
def everything(app, database_state):
    """What a back-office request could change, read afresh."""
    def read():
        with app.app_context():
            rows = lambda *columns: sorted(db.session.execute(select(*columns)).all())  # noqa: E731
            return (database_state(), rows(SupportRequest.id, SupportRequest.status), rows(Account.id, Account.email),
                    db.session.scalar(select(func.count()).select_from(OneTimeLink)),
                    rows(OutboxMessage.id, OutboxMessage.status, OutboxMessage.next_attempt_at),
                    rows(ApiKey.id, ApiKey.revoked_at), rows(WebhookDelivery.id, WebhookDelivery.status),
                    rows(Device.id, Device.revoked_at, Device.revoke_reason), rows(HeldStep.id, HeldStep.status),
                    db.session.scalar(select(func.count()).select_from(Parcel)),
                    rows(Network.id, Network.name, Network.hold_days, Network.default_capacity,
                         Network.other_carrier_allowed, Network.intake_minutes),
                    rows(Shop.id, Shop.name, Shop.street, Shop.timezone, Shop.offers_pickup),
                    db.session.scalar(select(func.count()).select_from(AuditEntry)))
    return read


def test_every_back_office_parameter_is_known(app, colis_express):
    unknown = {(rule.endpoint, name) for rule in back_office(app) for name in rule.arguments
               if name not in colis_express}
    assert unknown == set(), "give the sweep an id of another network for these"


def test_another_networks_ids_answer_404_and_change_nothing(app, elsewhere, colis_express, everything):
    before, answers = everything(), {}
    for rule in back_office(app):
        if not rule.arguments:
            continue
        path = path_with(rule, colis_express)
        if "GET" in rule.methods:
            answers[("GET", path)] = elsewhere.get(path, htmx=True).status_code
        if "POST" in rule.methods:
            answers[("POST", path)] = elsewhere.post(path, {
                "status": "closed", "capacity": "50", "name": "volée", "email": "vol@example.fr", "role": "associate",
                "shop": colis_express["shop_id"], "hold_days": "9", "default_capacity": "30", "intake_minutes": "60",
                "street": "1 rue", "postcode": "13001", "city": "Marseille", "timezone": "Europe/Paris",
                "networks": colis_express["network_id"], "capabilities": "PICK_UP", "active": "1"}).status_code
    assert {k: v for k, v in answers.items() if v not in (403, 404)} == {}
    assert len(answers) >= 10
    assert everything() == before


def test_lists_and_search_show_nothing_of_another_network(app, elsewhere, colis_express):
    pages = [rule.rule for rule in back_office(app) if not rule.arguments and "GET" in rule.methods]
    assert len(pages) >= 5
    shown = {path: text(elsewhere.get(path)) for path in pages}
    shown.update({f"search {q}": text(elsewhere.get("/admin/colis", query_string={"q": q}))
                  for q in ("CE", "Léa", "l", "a")})
    assert {path: word for path, page in shown.items() for word in SEEN_NOWHERE if word in page} == {}
    assert "AILLEURS0001" in text(elsewhere.get("/admin/colis", query_string={"q": "ailleurs0"}))
    assert "Boutique Ailleurs" in shown["/admin/"] and "Réseau Ailleurs" in shown["/admin/reseaux/"]


def test_a_shop_cannot_be_created_in_or_moved_to_another_network(app, elsewhere, colis_express, everything):
    before = everything()
    fields = {"name": "Boutique Volée", "street": "1 rue", "postcode": "13001", "city": "Marseille",
              "timezone": "Europe/Paris", "capacity": "20", "capabilities": "PICK_UP", "active": "1",
              "networks": colis_express["network_id"]}
    created = elsewhere.post("/admin/points/nouveau", fields)
    assert created.status_code == 422 and "qu'à un réseau que vous gérez" in text(created)
    with app.app_context():
        own = db.session.scalar(select(Shop.id).where(Shop.name == "Boutique Ailleurs"))
    moved = elsewhere.post(f"/admin/points/{own}/modifier", dict(fields, name="Boutique Ailleurs"))
    assert moved.status_code == 422 and "qu'à un réseau que vous gérez" in text(moved)
    assert everything() == before


def test_a_parcel_cannot_be_sent_to_another_networks_shop_or_in_its_name(elsewhere, colis_express, everything):
    before = everything()
    answer = elsewhere.post("/admin/envois", {"shop": colis_express["shop_id"], "network": colis_express["network_id"],
                                              "tracking_id": "VOLE000001", "recipient_name": "X", "size": "small"})
    assert answer.status_code == 422
    assert everything() == before


def test_an_operator_with_no_network_sees_nothing(app, browser, make_account, colis_express):
    make_account("operateur-sans-reseau", Role.OPERATOR)
    nobody = browser().login("operateur-sans-reseau")
    home, search = text(nobody.get("/admin/")), text(nobody.get("/admin/colis", query_string={"q": "CE"}))
    assert not [word for word in SEEN_NOWHERE + ("Relais Vert",) if word in home + search]
    assert nobody.get(f"/admin/colis/{colis_express['parcel_id']}").status_code == 404


def test_an_operator_of_relais_vert_sees_the_shared_shop_but_not_colis_express_parcels(browser, colis_express):
    vert = browser().login("admin-vert")
    assert "Tabac-Presse du Marché" in text(vert.get("/admin/"))
    assert vert.get(f"/admin/points/{colis_express['shop_id']}").status_code == 200
    assert "CE10000" not in text(vert.get("/admin/colis", query_string={"q": "CE"}))
    assert vert.get(f"/admin/colis/{colis_express['parcel_id']}").status_code == 404
    assert browser().login("admin-colis").get(f"/admin/colis/{colis_express['parcel_id']}").status_code == 200
