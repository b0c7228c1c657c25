"""Only the device's offline queue may date a step by the device or pass the overdue block: the replay token
it holds vouches for it. The headers a replay carries grant nothing by themselves, and a device's time is
never earlier than the parcel's previous event nor the visit's opening."""
import uuid
from datetime import timedelta

from sqlalchemy import select

from hub.core.extensions import db
from hub.core.models import Parcel, ParcelEvent, Pickup, Shop, Visit
from hub.rules import codes

from ..conftest import query_one
from .conftest import EXPECTED, REPLAY, applied, scan

HEADERS_ALONE = {**REPLAY, "X-Replay-Token": ""}  # what a console fetch or curl with the session can send


def turn_of(app, associate, customer="Camille Martin"):
    with app.app_context():
        code = db.session.scalar(select(Pickup.code).where(Pickup.customer_name == customer, Pickup.active))
    return associate.post("/collecte/", {"entry": code}).headers["HX-Redirect"]


def last_event(app, tracking_id):
    with app.app_context():
        return db.session.scalars(select(ParcelEvent).join(Parcel).where(Parcel.tracking_id == tracking_id)
                                  .order_by(ParcelEvent.id.desc())).first()


def state_since(app, tracking_id):
    with app.app_context():
        return db.session.scalar(select(Parcel.state_since).where(Parcel.tracking_id == tracking_id))


def test_a_hand_over_sent_with_replay_headers_alone_is_dated_by_the_server(app, associate, clock):
    screen = turn_of(app, associate)
    made_at = clock.now() - timedelta(hours=1)
    response = associate.post(screen + "/scanner", {"tracking_id": "CE100001FR"},
                              headers={**HEADERS_ALONE, "X-Occurred-At": made_at.isoformat()})
    assert response.status_code == 200
    event = last_event(app, "CE100001FR")
    assert event.occurred_at == event.recorded_at and not event.offline


def test_the_same_step_from_the_queue_with_its_token_is_dated_by_the_device(app, associate, clock):
    screen = turn_of(app, associate)
    made_at = (clock.now() - timedelta(minutes=1)).replace(microsecond=0)
    associate.post(screen + "/scanner", {"tracking_id": "CE100001FR"},
                   headers={**REPLAY, "X-Occurred-At": made_at.isoformat()})
    event = last_event(app, "CE100001FR")
    assert event.occurred_at == made_at < event.recorded_at and event.offline


def test_a_device_time_before_the_parcels_previous_event_is_moved_up_to_it(app, associate, clock):
    received = state_since(app, "CE100001FR")
    screen = turn_of(app, associate)
    associate.post(screen + "/scanner", {"tracking_id": "CE100001FR"},
                   headers={**REPLAY, "X-Occurred-At": (received - timedelta(hours=3)).isoformat()})
    event = last_event(app, "CE100001FR")
    assert event.action == "hand_to_customer" and event.occurred_at == received and event.offline


def test_replay_headers_alone_do_not_pass_the_overdue_block(app, associate, clock):
    clock.advance(timedelta(days=3))  # the expired parcel's 2 opening hours are long over
    blocked = associate.post("/capacite/complet", {"full": "1"}, headers=HEADERS_ALONE)
    assert blocked.status_code == 204 and "HX-Redirect" in blocked.headers
    with app.app_context():
        assert not db.session.scalar(select(Shop.full).where(Shop.name == "Tabac-Presse du Marché"))
    assert applied(associate.post("/capacite/complet", {"full": "1"}, headers=REPLAY))


def test_an_intake_cannot_be_closed_on_time_with_replay_headers_alone(app, associate, shop, clock):
    started = clock.now()
    intake = associate.post(f"/livraison/{shop.network_id}/autre", htmx=False).headers["Location"]
    clock.advance(timedelta(hours=3))
    claimed = {**HEADERS_ALONE, "X-Occurred-At": (started + timedelta(minutes=10)).isoformat()}
    assert associate.post(intake + "/terminer", headers=claimed).status_code == 200
    visit = query_one(app, Visit, key=intake.rsplit("/", 1)[-1])
    assert visit.closed_at >= started + timedelta(hours=3)


def test_a_code_read_hours_ago_is_not_believed_from_replay_headers_alone(app, carrier, shop, clock):
    read_at = clock.now() - timedelta(hours=3)
    form = {"code": codes.shop_code(shop.totp_secret, read_at), "kind": "dropoff",
            "scanned_at": str(int(read_at.timestamp() * 1000))}
    url = f"/livreur/points/{shop.id}/visites"
    assert carrier.post(url, form, htmx=False, headers=HEADERS_ALONE).status_code == 422
    assert carrier.post(url, form, htmx=False, headers=REPLAY).status_code == 303


def test_a_scan_dated_before_its_visit_opened_is_dated_at_the_opening(app, carrier, visit, clock):
    opened = query_one(app, Visit, key=visit).opened_at
    scan(carrier, visit, EXPECTED[0], headers={**REPLAY, "X-Occurred-At": (opened - timedelta(days=2)).isoformat()})
    event = last_event(app, EXPECTED[0])
    assert event.action == "receive" and event.occurred_at >= opened and event.offline


def test_a_replay_token_works_only_with_its_own_devices_cookie(app, associate, browser, clock):
    token, other = associate.replay_token(), browser().login("associe")
    screen = turn_of(app, other)
    made_at = clock.now() - timedelta(minutes=2)
    other.post(screen + "/scanner", {"tracking_id": "CE100001FR"},
               headers={**REPLAY, "X-Replay-Token": token, "X-Occurred-At": made_at.isoformat()})
    event = last_event(app, "CE100001FR")
    assert event.occurred_at == event.recorded_at and not event.offline


def test_a_replay_token_dies_with_its_sign_in(app, associate):
    token = associate.replay_token()
    associate.client.post("/deconnexion", data={"csrf_token": associate.token})
    response = associate.client.post("/capacite/complet", data={"full": "1"}, headers={
        **REPLAY, "X-Replay-Token": token, "Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 401
