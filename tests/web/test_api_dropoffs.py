"""The drop-off API as a network's system uses it: announce (201, 200 again, 409, 422, 404), read back by code
within its network only, and each step's webhook delivered signed by the worker to a real receiver."""
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from hub.core import clock as clock_module
from hub.core.extensions import db
from hub.core.models import Deposit, Network, Parcel, Shop
from hub.ops import Actor
from hub.ops import deposits as deposit_ops
from hub.ops import returns
from hub.rules.deposits import OverLimit
from hub.rules.parcels import Size

from .conftest import EXPECTED, current_code, open_visit, scan
from .test_notices_and_webhooks import hooks, work  # noqa: F401 — the receiver and the worker's round

DROPOFF = {"tracking_id": "CE950001FR", "kind": "return", "service": "Retour Boutique Lune",
           "sender_name": "Inès Moreau", "sender_email": "ines.moreau@example.fr", "size": "medium",
           "label_needed": True}


@pytest.fixture
def api(app, demo_data):
    from .test_api import ApiClient
    return ApiClient(app.test_client())


def test_an_announcement_gets_its_code_once_and_the_same_again_changes_nothing(app, api, shop, clock):
    first = api.post("/dropoffs", dict(DROPOFF, shop_id=shop.id, valid_days=5))
    assert first.status_code == 201
    body = first.get_json()
    assert body["code"].startswith("DEP-") and len(body["code"]) == 14 and body["state"] == "announced"
    assert body["label_needed"] is True and body["shop_id"] == shop.id and body["kind"] == "return"
    assert abs(datetime.fromisoformat(body["expires_at"]) - (clock.now() + timedelta(days=5))) < timedelta(seconds=5)
    again = api.post("/dropoffs", dict(DROPOFF, shop_id=shop.id, valid_days=5))
    assert again.status_code == 200 and again.get_json()["code"] == body["code"]
    assert api.get(f"/dropoffs/{body['code']}").get_json() == body


@pytest.mark.parametrize("changes", [{"sender_name": "Théo Garnier"}, {"kind": "sending"}, {"size": "large"}])
def test_the_same_tracking_id_with_other_details_is_a_conflict(api, changes):
    assert api.post("/dropoffs", DROPOFF).status_code == 201
    answer = api.post("/dropoffs", dict(DROPOFF, **changes))
    assert answer.status_code == 409 and answer.mimetype == "application/problem+json"


def test_the_tracking_id_of_a_parcel_of_the_network_is_a_conflict(api):
    answer = api.post("/dropoffs", dict(DROPOFF, tracking_id=EXPECTED[0]))
    assert answer.status_code == 409 and answer.mimetype == "application/problem+json"


@pytest.mark.parametrize("bad", [{"sender_name": ""}, {"tracking_id": ""}, {"kind": "gift"}, {"size": "huge"},
                                 {"valid_days": 0}, {"valid_days": 91}, {"label_needed": "yes"},
                                 {"sender_email": "not-an-address"}])
def test_bad_fields_are_422_and_nothing_is_announced(app, api, bad):
    answer = api.post("/dropoffs", dict(DROPOFF, **bad))
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    with app.app_context():
        assert db.session.scalar(select(Deposit).where(Deposit.tracking_id == "CE950001FR")) is None


def test_a_shop_of_another_network_is_404_and_so_is_another_networks_code(app, api):
    with app.app_context():
        vert = db.session.scalar(select(Network).where(Network.name == "Relais Vert"))
        theirs = deposit_ops.announce(vert, dict(tracking_id="VT0001FR", sender_name="Client Vert"),
                                      Actor(None, None, clock_module.now()))[0].code
        shop = Shop(name="Boutique Ailleurs", street="1 rue", postcode="75001", city="Paris", totp_secret="x" * 32,
                    networks=[Network(name="Ailleurs")])
        db.session.add(shop)
        db.session.commit()
        other_shop = shop.id
    assert api.post("/dropoffs", dict(DROPOFF, shop_id=other_shop)).status_code == 404
    assert api.get(f"/dropoffs/{theirs}").status_code == 404
    assert api.get("/dropoffs/DEP-AAAAAAAAAA").status_code == 404


def take(app, shop_id, code):
    with app.app_context():
        deposit = db.session.scalar(select(Deposit).where(Deposit.code == code))
        parcel = deposit_ops.take(db.session.get(Shop, shop_id), deposit, Size.SMALL, Actor(None, None, clock_module.now()))
        db.session.commit()
        return parcel.id


def test_each_step_of_a_drop_off_reaches_the_networks_receiver_signed(app, api, shop, carrier, clock,
                                                                      hooks, work):  # noqa: F811
    code = api.post("/dropoffs", DROPOFF).get_json()["code"]
    refused = api.post("/dropoffs", dict(DROPOFF, tracking_id="CE950002FR")).get_json()["code"]
    lost = api.post("/dropoffs", dict(DROPOFF, tracking_id="CE950003FR")).get_json()["code"]
    take(app, shop.id, code)
    parcel_id = take(app, shop.id, lost)
    with app.app_context():
        deposit = db.session.scalar(select(Deposit).where(Deposit.code == refused))
        deposit_ops.refuse(db.session.get(Shop, shop.id), deposit, OverLimit.TOO_LONG, Actor(None, None, clock.now()))
        returns.mark_missing(db.session.get(Parcel, parcel_id), Actor(None, None, clock.now()))
        db.session.commit()
    visit = open_visit(carrier, shop, current_code(app, shop, clock), kind="return").headers["Location"]
    assert scan(carrier, visit.rstrip("/").split("/")[-1], "CE950001FR").status_code == 200
    for _ in range(5):  # a parcel's calls go one after the other: a round sends the next of each
        work()
    assert hooks.refused == []
    assert sorted(hooks.events()) == sorted(["dropoff.received", "dropoff.received", "dropoff.refused",
                                             "dropoff.missing", "dropoff.collected"])
    bodies = {json.loads(body)["type"]: json.loads(body)["data"] for _headers, body in hooks.received}
    assert bodies["dropoff.collected"]["tracking_id"] == "CE950001FR"
    assert bodies["dropoff.collected"]["to_state"] == "dispatched"
    assert bodies["dropoff.missing"]["tracking_id"] == "CE950003FR"
    assert bodies["dropoff.refused"]["refusal"] == "too_long"
    assert all(headers["Comptoir-Signature"].startswith("v1=") for headers, _body in hooks.received)
    assert api.get(f"/dropoffs/{code}").get_json()["state"] == "dispatched"


def test_the_openapi_document_and_the_docs_page_list_the_drop_offs_and_their_webhooks(app, api, operator):
    spec = api.client.get("/api/v1/openapi.json").get_json()
    announce = spec["paths"]["/api/v1/dropoffs"]["post"]
    assert {"201", "200", "422"} <= set(announce["responses"])
    for said in ("409", "404", "DEP-", "valid_days", "label_needed", "shop_id", "dropoff.collected"):
        assert said in announce["description"]
    assert "404" in spec["paths"]["/api/v1/dropoffs/{code}"]["get"]["description"]
    page = operator.get("/api/v1/").get_data(as_text=True)
    for said in ("/dropoffs", "/dropoffs/{code}", "dropoff.received", "dropoff.refused", "dropoff.collected",
                 "dropoff.missing"):
        assert said in page
