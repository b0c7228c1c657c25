"""The API for the network's systems (/api/v1): keys, shipments, parcels and events, the shop feed, webhooks,
and refusals as RFC 9457 problem documents with nothing stored."""
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.cli.demo import DEMO_API_KEY
from hub.core import clock as clock_module
from hub.core.extensions import db
from hub.core.models import (ApiKey, Closure, Command, Network, Parcel, Shop, ShopEvent,
                             WebhookDelivery)
from hub.ops import api_keys

from ..conftest import text
from .conftest import EXPECTED

PROBLEM = "application/problem+json"


class ApiClient:
    """A network's system: its key in the Authorization header, a fresh Idempotency-Key on every write."""

    def __init__(self, client, key=DEMO_API_KEY):
        self.client, self.key = client, key

    def headers(self, idempotency_key=None, **extra):
        headers = {"Authorization": f"Bearer {self.key}", **extra}
        headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        return headers

    def get(self, path, **kwargs):
        return self.client.get("/api/v1" + path, headers=self.headers(), **kwargs)

    def post(self, path, json=None, key=None, **kwargs):
        return self.client.post("/api/v1" + path, json=json, headers=self.headers(key, **kwargs.pop("headers", {})),
                                **kwargs)

    def patch(self, path, json=None, key=None):
        return self.client.patch("/api/v1" + path, json=json, headers=self.headers(key))

    def delete(self, path):
        return self.client.delete("/api/v1" + path, headers=self.headers())


@pytest.fixture
def api(app, demo_data):
    return ApiClient(app.test_client())


@pytest.fixture
def ids(app, demo_data):
    """The demo shops' ids and a shop of another network."""
    with app.app_context():
        shops = {s.name: s.id for s in db.session.scalars(select(Shop))}
        other_network = Network(name="Autre Réseau")
        foreign = Shop(name="Boutique d'un autre réseau", street="1 rue", postcode="13001", city="Marseille",
                       totp_secret="x" * 32, networks=[other_network])
        db.session.add(foreign)
        db.session.commit()
        return {"demo": shops["Tabac-Presse du Marché"], "paris": shops["Épicerie de la Gare"], "foreign": foreign.id}


def shipment(shop_id, tracking_id="CE900001FR", **fields):
    return {"tracking_id": tracking_id, "shop_id": shop_id, "recipient_name": "Inès Moreau",
            "recipient_email": "ines.moreau@example.fr", "recipient_phone": "06 12 34 56 78", "size": "medium",
            **fields}


def assert_problem(response, status, detail_part=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"]
    if detail_part:
        assert detail_part in body["detail"], body["detail"]
    return body


def count(app, model, **filters):
    with app.app_context():
        return db.session.query(model).filter_by(**filters).count()


# --- The document and the keys ---------------------------------------------------------------------------

def test_the_openapi_document_is_openapi_3_1_and_names_every_operation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert {"/api/v1/shipments", "/api/v1/shipments/batch", "/api/v1/parcels/{tracking_id}", "/api/v1/events",
            "/api/v1/shops/{shop_id}", "/api/v1/webhooks"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


def test_a_readable_page_beside_the_document_lists_the_operations(client):
    page = text(client.get("/api/v1/"))
    assert "openapi.json" in page and "/api/v1/shipments/batch" in page and "Authorization: Bearer" in page


def test_without_a_valid_key_the_api_answers_401_in_french(app, api, demo_data):
    assert_problem(ApiClient(app.test_client(), key="cpt_nothing_here").get("/shops"), 401, "clé")
    response = app.test_client().get("/api/v1/shops")
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_opens_nothing(app, api):
    with app.app_context():
        api_keys.revoke(db.session.scalar(select(ApiKey)), clock_module.now())
        db.session.commit()
    assert_problem(api.get("/shops"), 401)


def test_keys_are_stored_as_a_digest_only(app, demo_data):
    with app.app_context():
        row = db.session.scalar(select(ApiKey))
        assert DEMO_API_KEY not in (row.digest, row.prefix) and len(row.digest) == 64
        assert api_keys.find(DEMO_API_KEY).id == row.id
        assert api_keys.find(DEMO_API_KEY + "x") is None


def test_the_api_is_rate_limited_per_key(app, api):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    assert [api.get("/shops").status_code for _ in range(3)] == [200, 200, 200]
    assert_problem(api.get("/shops"), 429)


# --- Shipments in ------------------------------------------------------------------------------------

def test_a_parcel_announced_through_the_api_is_expected_at_the_shop(api, ids, associate):
    response = api.post("/shipments", shipment(ids["demo"], expected_on=None))
    assert response.status_code == 201, response.get_json()
    parcel = response.get_json()
    assert parcel["state"] == "expected" and parcel["recipient_phone"] == "+33612345678"
    assert "CE900001FR" in text(associate.get("/attendus/"))


def test_announcing_the_same_parcel_again_changes_nothing(app, api, ids):
    assert api.post("/shipments", shipment(ids["demo"])).status_code == 201
    again = api.post("/shipments", shipment(ids["demo"], tracking_id="ce 900001 fr"))
    assert again.status_code == 200 and again.get_json()["tracking_id"] == "CE900001FR"
    assert count(app, Parcel, tracking_id="CE900001FR") == 1


def test_a_tracking_id_taken_with_other_contents_is_a_409_with_the_existing_parcel(app, api, ids):
    response = api.post("/shipments", shipment(ids["demo"], tracking_id=EXPECTED[0]))
    body = assert_problem(response, 409, EXPECTED[0])
    assert body["existing"]["tracking_id"] == EXPECTED[0] and body["existing"]["recipient_name"] != "Inès Moreau"


@pytest.mark.parametrize("shop", ["foreign", "unknown"])
def test_a_shop_of_another_network_is_as_unknown_as_a_shop_that_does_not_exist(app, api, ids, shop):
    shop_id = ids.get(shop, 999_999)
    assert_problem(api.post("/shipments", shipment(shop_id)), 404, "Il n'y a pas de point relais")
    assert_problem(api.get(f"/shops/{shop_id}"), 404)
    assert count(app, Parcel, tracking_id="CE900001FR") == 0


@pytest.mark.parametrize("field, value, words", [
    ("recipient_email", "ines.moreau@example", "adresse e-mail"),
    ("recipient_phone", "01 23 45 67 89", "numéro de mobile"),
    ("recipient_phone", "12", "numéro de mobile"),
])
def test_a_bad_email_or_mobile_is_refused_in_french_and_nothing_is_stored(app, api, ids, field, value, words):
    assert_problem(api.post("/shipments", shipment(ids["demo"], **{field: value})), 422, words)
    assert count(app, Parcel, tracking_id="CE900001FR") == 0
    assert count(app, Command) == 0


def test_english_is_answered_to_who_asks_for_it(api, ids):
    response = api.post("/shipments", shipment(ids["demo"], recipient_email="nope"),
                        headers={"Accept-Language": "en"})
    assert_problem(response, 422, "is not an e-mail address")


def test_a_body_that_does_not_fit_the_schema_names_its_fields(app, api, ids):
    body = assert_problem(api.post("/shipments", {"tracking_id": "X1", "shop_id": "one"}), 422, "champs")
    assert set(body["errors"]["json"]) == {"shop_id", "recipient_name"}


def test_a_body_over_the_size_limit_is_refused_before_it_is_read(app, api, ids):
    huge = shipment(ids["demo"], description="x" * (app.config["API_MAX_BODY_BYTES"] + 1))
    assert_problem(api.post("/shipments", huge), 413)
    assert count(app, Parcel, tracking_id="CE900001FR") == 0


def test_a_write_without_an_idempotency_key_is_refused(app, api, ids):
    response = app.test_client().post("/api/v1/shipments", json=shipment(ids["demo"]),
                                      headers={"Authorization": f"Bearer {DEMO_API_KEY}"})
    assert_problem(response, 400)


def test_the_same_idempotency_key_gives_the_same_answer_and_applies_once(app, api, ids):
    first = api.post("/shipments", shipment(ids["demo"]), key="announce-1")
    again = api.post("/shipments", shipment(ids["demo"]), key="announce-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == first.get_json()
    assert_problem(api.post("/shipments", shipment(ids["demo"], tracking_id="CE900002FR"), key="announce-1"), 422)
    with app.app_context():
        assert db.session.get(Command, "announce-1").api_key_id is not None


def test_a_batch_answers_item_by_item_and_keeps_only_the_accepted_ones(app, api, ids):
    items = [shipment(ids["demo"]), shipment(ids["foreign"], tracking_id="CE900002FR"),
             shipment(ids["demo"], tracking_id="CE900003FR", recipient_email="pas-une-adresse"),
             {"tracking_id": "CE900004FR"}, shipment(ids["paris"], tracking_id="CE900005FR")]
    results = api.post("/shipments/batch", {"parcels": items}).get_json()["results"]
    assert [(r["status"], r["accepted"]) for r in results] == [(201, True), (404, False), (422, False),
                                                                (422, False), (201, True)]
    assert "adresse e-mail" in results[2]["problem"]["detail"] and "recipient_name" in results[3]["problem"]["errors"]
    with app.app_context():
        assert set(db.session.scalars(select(Parcel.tracking_id).where(Parcel.tracking_id.like("CE9%")))) == {
            "CE900001FR", "CE900005FR"}


def test_a_parcel_not_arrived_yet_can_be_cancelled_and_its_event_is_kept(app, api, ids, parcel_facts):
    api.post("/shipments", shipment(ids["demo"]))
    response = api.post("/shipments/CE900001FR/cancel")
    assert response.status_code == 200 and response.get_json()["state"] == "cancelled"
    history = api.get("/parcels/CE900001FR").get_json()["events"]
    assert [e["type"] for e in history] == ["parcel.cancelled"]


def test_a_parcel_on_the_shelf_cannot_be_cancelled_nor_redirected(app, api, ids):
    on_shelf = "CE100001FR"  # received in the demo data
    assert_problem(api.post(f"/shipments/{on_shelf}/cancel"), 409)
    assert_problem(api.post(f"/shipments/{on_shelf}/redirect", {"shop_id": ids["paris"]}), 409)
    with app.app_context():
        assert db.session.scalar(select(Parcel).where(Parcel.tracking_id == on_shelf)).shop_id == ids["demo"]


def test_a_parcel_not_arrived_yet_goes_to_another_shop_with_an_event_that_says_so(app, api, ids, associate):
    response = api.post(f"/shipments/{EXPECTED[0]}/redirect", {"shop_id": ids["paris"]})
    assert response.status_code == 200 and response.get_json()["shop_id"] == ids["paris"]
    assert EXPECTED[0] not in text(associate.get("/attendus/"))
    event = api.get(f"/parcels/{EXPECTED[0]}").get_json()["events"][-1]
    assert event["type"] == "parcel.redirected" and "Épicerie de la Gare" in event["note"]
    assert_problem(api.post(f"/shipments/{EXPECTED[1]}/redirect", {"shop_id": ids["foreign"]}), 404)


# --- Parcels out ---------------------------------------------------------------------------------------

def test_a_parcel_shows_its_state_and_whole_history(api):
    parcel = api.get("/parcels/ce-100-009-fr").get_json()  # returned to the carrier in the demo data
    assert parcel["state"] == "returned"
    assert [e["type"] for e in parcel["events"]] == ["parcel.received", "parcel.expired", "parcel.staged_for_return",
                                                     "parcel.returned"]


def test_an_unknown_parcel_is_a_404_in_french(api):
    assert_problem(api.get("/parcels/XX000000FR"), 404, "Il n'y a pas de colis")


def test_the_events_feed_pages_with_a_cursor_and_goes_on_from_it(app, api, ids):
    first = api.get("/events?limit=5").get_json()
    assert len(first["events"]) == 5 and first["next"] == first["events"][-1]["id"]
    rest = api.get(f"/events?after={first['next']}&limit=500").get_json()
    ids_seen = [e["id"] for e in first["events"] + rest["events"]]
    assert ids_seen == sorted(ids_seen) and len(set(ids_seen)) == len(ids_seen)
    assert api.get(f"/events?after={rest['next']}").get_json() == {"events": [], "next": rest["next"]}
    api.post(f"/shipments/{EXPECTED[0]}/cancel")
    assert [e["type"] for e in api.get(f"/events?after={rest['next']}").get_json()["events"]] == ["parcel.cancelled"]


def test_the_events_feed_holds_only_the_networks_own_parcels(app, api, ids):
    with app.app_context():
        network = db.session.scalar(select(Network).where(Network.name == "Autre Réseau"))
        _row, key = api_keys.create(network, "", clock_module.now())
        db.session.commit()
    assert ApiClient(app.test_client(), key).get("/events").get_json()["events"] == []
    assert_problem(ApiClient(app.test_client(), key).get("/parcels/CE100001FR"), 404)


# --- The shop feed ------------------------------------------------------------------------------------

def test_the_shop_feed_lists_the_networks_shops_with_hours_and_capabilities(api, ids):
    shops = api.get("/shops").get_json()
    assert {s["id"] for s in shops} == {ids["demo"], ids["paris"]}
    demo = next(s for s in shops if s["id"] == ids["demo"])
    assert demo["capacity"] == 20 and demo["capabilities"] == ["PICK_UP", "DROP_OFF"] and demo["timezone"] == "Europe/Paris"
    assert {"weekday": 1, "opens": "09:00", "closes": "12:30"} in demo["hours"]


def test_the_feed_is_updated_with_the_counters_own_rules_and_logged(app, api, ids, clock):
    today = clock.now().date()
    response = api.patch(f"/shops/{ids['demo']}", {
        "capacity": 40, "full": True, "capabilities": ["PICK_UP"], "timezone": "Europe/Brussels",
        "hours": [{"weekday": 0, "opens": "9h", "closes": "18:00"}],
        "closures": [{"starts_on": str(today + timedelta(days=10)), "ends_on": str(today + timedelta(days=12)),
                      "reason": "Inventaire"}]})
    feed = response.get_json()
    assert response.status_code == 200, feed
    assert (feed["capacity"], feed["full"], feed["timezone"]) == (40, True, "Europe/Brussels")
    assert feed["hours"] == [{"weekday": 0, "opens": "09:00", "closes": "18:00"}]
    assert [c["reason"] for c in feed["closures"]] == ["Inventaire"]
    with app.app_context():
        kinds = {e.kind.value for e in db.session.scalars(select(ShopEvent).where(ShopEvent.shop_id == ids["demo"]))}
    assert {"capacity", "full", "services", "timezone", "hours", "closure_added"} <= kinds


@pytest.mark.parametrize("changes, words", [
    ({"capacity": 4}, "capacité"),
    ({"hours": [{"weekday": 2, "opens": "18:00", "closes": "09:00"}]}, "se termine avant"),
    ({"timezone": "Europe/Lutece"}, "fuseau horaire"),
    ({"capabilities": ["DELIVERY"]}, "service"),
])
def test_a_bad_feed_change_is_refused_in_french_and_nothing_changes(app, api, ids, changes, words):
    before = api.get(f"/shops/{ids['demo']}").get_json()
    assert_problem(api.patch(f"/shops/{ids['demo']}", dict(changes, full=True)), 422, words)
    assert api.get(f"/shops/{ids['demo']}").get_json() == before


def test_thirty_one_closures_are_refused_and_none_is_stored(app, api, ids, clock):
    start = clock.now().date() + timedelta(days=1)
    closures = [{"starts_on": str(start + timedelta(days=2 * n)), "ends_on": str(start + timedelta(days=2 * n))}
                for n in range(31)]
    assert_problem(api.patch(f"/shops/{ids['demo']}", {"closures": closures}), 422, "30")
    assert count(app, Closure, shop_id=ids["demo"]) == 0
    assert api.patch(f"/shops/{ids['demo']}", {"closures": closures[:30]}).status_code == 200
    assert count(app, Closure, shop_id=ids["demo"]) == 30


def test_another_networks_shop_cannot_be_changed(api, ids):
    assert_problem(api.patch(f"/shops/{ids['foreign']}", {"capacity": 50}), 404)


# --- Webhooks -----------------------------------------------------------------------------------------

def test_a_webhook_is_registered_with_its_secret_listed_and_removed(api):
    created = api.post("/webhooks", {"url": "https://colis-express.example/hooks"})
    assert created.status_code == 201 and created.get_json()["secret"].startswith("whsec_")
    listed = api.get("/webhooks").get_json()
    assert [w["url"] for w in listed] == ["https://colis-express.example/hooks"] and "secret" not in listed[0]
    assert api.delete(f"/webhooks/{created.get_json()['id']}").status_code == 204
    assert api.get("/webhooks").get_json() == []


def test_a_webhook_url_must_be_http(api):
    assert_problem(api.post("/webhooks", {"url": "ftp://colis-express.example"}), 422, "https://")


def test_every_event_of_the_networks_parcels_is_queued_for_its_webhooks_in_the_same_transaction(app, api, ids):
    api.post("/webhooks", {"url": "https://colis-express.example/hooks"})
    api.post("/shipments", shipment(ids["demo"]))
    api.post("/shipments/CE900001FR/cancel")
    api.patch(f"/shops/{ids['demo']}", {"capacity": 30})
    with app.app_context():
        deliveries = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        assert [(d.event_type, d.status.value) for d in deliveries] == [("parcel.cancelled", "pending"),
                                                                        ("shop.updated", "pending")]
        assert '"tracking_id":"CE900001FR"' in deliveries[0].body
