"""Carrier visits and steps that reach the server late, from a device's offline queue.

A visit is named by the command that opened it, so a device can open it offline; a step sent late by the
visit's own device is judged at the moment it was made; nothing else is (docs/decisions.md, « Codes »).
"""
from datetime import timedelta

from sqlalchemy import select

from hub.core import clock as clock_module
from hub.core.extensions import db
from hub.core.models import Visit
from hub.ops import dropoff as ops
from hub.rules import codes
from hub.rules.parcels import State

from ..conftest import query_one, text
from .conftest import EXPECTED, REPLAY, applied, current_code, open_visit, parcel, scan


def test_a_code_read_offline_is_checked_against_the_time_it_was_read(app, carrier, shop, clock):
    read_at = clock.now() - timedelta(hours=3)
    code = codes.shop_code(shop.totp_secret, read_at)
    stamp = str(int(read_at.timestamp() * 1000))
    online = open_visit(carrier, shop, code, scanned_at=stamp)
    assert online.status_code == 422  # online, a code must be the current one, whatever the device says
    replayed = carrier.post(f"/livreur/points/{shop.id}/visites", {"code": code, "kind": "dropoff", "scanned_at": stamp},
                            htmx=False, headers=REPLAY)
    assert replayed.status_code == 303 and replayed.headers["X-Command-Applied"] == "true"  # a plain form's


def test_a_visit_is_named_by_the_command_that_opened_it(app, carrier, shop, clock):
    key = "visite-ouverte-hors-ligne-1"
    response = carrier.post(f"/livreur/points/{shop.id}/visites", {"code": current_code(app, shop, clock),
                                                                   "kind": "dropoff"}, key=key, htmx=False)
    assert response.headers["Location"].endswith(f"/livreur/visites/{key}")
    assert query_one(app, Visit, key=key).open


def test_a_visit_the_server_never_opened_says_so_in_french(carrier):
    response = scan(carrier, "jamais-ouverte-0001", EXPECTED[0])
    assert response.status_code == 404
    assert "le code du point relais a peut-être été refusé" in text(response)


def test_a_scan_sent_late_from_the_offline_queue_counts_if_the_visit_was_open_when_it_was_made(app, carrier, visit,
                                                                                             clock):
    made_at = clock.now() + timedelta(minutes=10)
    clock.advance(timedelta(hours=2))  # the carrier drove on; the network came back two hours later
    late = scan(carrier, visit, EXPECTED[0], headers={**REPLAY, "X-Occurred-At": made_at.isoformat()})
    assert applied(late)
    assert parcel(app, EXPECTED[0]).state == State.AT_STORE
    online = scan(carrier, visit, EXPECTED[1])  # made now: the visit ended long ago
    assert online.status_code == 409
    after_the_end = scan(carrier, visit, EXPECTED[1],
                         headers={**REPLAY, "X-Occurred-At": (made_at + timedelta(hours=1)).isoformat()})
    assert after_the_end.status_code == 409
    assert parcel(app, EXPECTED[1]).state == State.EXPECTED


def late(made_at):
    """Headers of a step sent late from the device's offline queue, made at ``made_at``."""
    return {**REPLAY, "X-Occurred-At": made_at.isoformat()}


def test_a_visit_ended_for_idleness_goes_on_when_late_scans_show_the_carrier_was_there(app, carrier, visit, clock):
    clock.advance(timedelta(minutes=50))
    with app.app_context():  # the server ended it: it saw no scan for 45 minutes
        stored = db.session.scalar(select(Visit).where(Visit.key == visit))
        opened = stored.opened_at
        ops.settle(stored, clock_module.now())
        db.session.commit()
    assert not query_one(app, Visit, key=visit).open
    assert applied(scan(carrier, visit, EXPECTED[0], headers=late(opened + timedelta(minutes=40))))
    assert applied(scan(carrier, visit, EXPECTED[1], headers=late(opened + timedelta(minutes=49))))
    assert query_one(app, Visit, key=visit).open  # the carrier was at the counter all along
    assert {parcel(app, t).state for t in EXPECTED[:2]} == {State.AT_STORE}


def test_a_late_step_counts_only_if_made_before_the_end_on_the_visits_own_device(app, browser, carrier, visit,
                                                                               clock):
    opened = clock.now()
    clock.advance(timedelta(minutes=5))
    assert carrier.post(f"/livreur/visites/{visit}/terminer").status_code == 200
    clock.advance(timedelta(minutes=5))
    other_device = browser().login("livreur")
    assert scan(other_device, visit, EXPECTED[0], headers=late(opened + timedelta(minutes=1))).status_code == 409
    assert scan(carrier, visit, EXPECTED[0], headers=late(opened + timedelta(minutes=6))).status_code == 409
    assert parcel(app, EXPECTED[0]).state == State.EXPECTED
    assert applied(scan(carrier, visit, EXPECTED[0], headers=late(opened + timedelta(minutes=1))))
    assert parcel(app, EXPECTED[0]).state == State.AT_STORE  # scanned before « Terminer », sent after
    assert not query_one(app, Visit, key=visit).open


def test_a_refusal_is_never_granted_late_into_a_visit_already_over(app, carrier, visit, clock):
    opened = clock.now()
    assert scan(carrier, visit, EXPECTED[0]).status_code == 200
    assert carrier.post(f"/livreur/visites/{visit}/terminer").status_code == 200
    clock.advance(timedelta(minutes=5))
    on_shelf = parcel(app, EXPECTED[0])
    response = carrier.post(f"/livreur/visites/{visit}/colis/{on_shelf.id}/refuser",
                            headers=late(opened + timedelta(seconds=30)))
    assert response.status_code == 409
    assert parcel(app, EXPECTED[0]).state == State.AT_STORE


def test_an_opening_that_arrives_late_is_over_when_the_next_visit_began_even_a_finished_one(app, carrier, shop,
                                                                                            clock):
    read_at = clock.now()
    offline_open = {"code": current_code(app, shop, clock), "kind": "dropoff",
                    "scanned_at": str(int(read_at.timestamp() * 1000))}
    clock.advance(timedelta(minutes=10))
    since = open_visit(carrier, shop, current_code(app, shop, clock)).headers["Location"].split("/")[-1]
    clock.advance(timedelta(minutes=5))
    carrier.post(f"/livreur/visites/{since}/terminer")
    clock.advance(timedelta(minutes=5))
    carrier.post(f"/livreur/points/{shop.id}/visites", offline_open, key="opened-offline-before", htmx=False,
                 headers=late(read_at))
    early, later = query_one(app, Visit, key="opened-offline-before"), query_one(app, Visit, key=since)
    assert early.closed_at == later.opened_at and early.end_reason == "replaced"
    assert later.end_reason == "finished"
    assert scan(carrier, "opened-offline-before", EXPECTED[0],
                headers=late(read_at + timedelta(minutes=11))).status_code == 409  # made after the next began


def test_an_opening_that_arrives_late_does_not_end_the_visit_opened_since(app, carrier, shop, clock):
    read_at = clock.now()
    offline_open = {"code": current_code(app, shop, clock), "kind": "dropoff", "scanned_at": str(int(read_at.timestamp() * 1000))}
    clock.advance(timedelta(minutes=10))
    current = open_visit(carrier, shop, current_code(app, shop, clock)).headers["Location"].split("/")[-1]
    clock.advance(timedelta(minutes=1))
    arrived = carrier.post(f"/livreur/points/{shop.id}/visites", offline_open, key="opened-offline-early",
                           htmx=False, headers=late(read_at))
    assert arrived.status_code == 303 and arrived.headers["X-Command-Applied"] == "true"
    early = query_one(app, Visit, key="opened-offline-early")
    assert not early.open and early.end_reason == "replaced"
    assert query_one(app, Visit, key=current).open
    assert applied(scan(carrier, "opened-offline-early", EXPECTED[0], headers=late(read_at + timedelta(minutes=2))))
    assert scan(carrier, current, EXPECTED[1]).status_code == 200


def test_a_plain_form_applied_by_the_queue_and_posted_again_from_its_page_still_opens_its_screen(app, carrier,
                                                                                                  shop, clock):
    form = {"code": current_code(app, shop, clock), "kind": "dropoff"}
    url = f"/livreur/points/{shop.id}/visites"
    replayed = carrier.post(url, form, key="opened-by-the-queue", htmx=False, headers=REPLAY)
    again = carrier.post(url, form, key="opened-by-the-queue", htmx=False)  # a page restored by « Back »
    assert replayed.status_code == again.status_code == 303 and again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == replayed.headers["Location"]
    assert again.headers["Location"].endswith("/opened-by-the-queue")


def test_an_htmx_step_applied_by_the_queue_and_sent_again_swaps_nothing(app, carrier, visit):
    first = scan(carrier, visit, EXPECTED[0], key="scanned-by-the-queue", headers=REPLAY)
    again = scan(carrier, visit, EXPECTED[0], key="scanned-by-the-queue")
    assert applied(first) and again.status_code == 204 and again.get_data() == b""
    assert again.headers["Idempotent-Replayed"] == "true"
