"""Two requests at the same moment: the database keeps one active pickup per customer and one parcel per
shelf place, and the loser's command is retried from the new state (run on SQLite and PostgreSQL)."""
import threading

import pytest
from sqlalchemy import select

from hub.core.extensions import db
from hub.core.models import OutboxMessage, Parcel, Pickup
from hub.rules import codes

from .conftest import scan

BOTH_READ = 5  # seconds a request waits for the other at the race's point (SQLite's writer lock stops it first)


@pytest.fixture
def both_find_no_pickup(monkeypatch):
    """Both requests stop once each has found that the customer has no pickup yet, then go on together:
    the moment two parcels of one new customer arrive at once."""
    barrier, real = threading.Barrier(2, timeout=BOTH_READ), codes.new_pickup_code

    def meet_then_draw(taken):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass  # the other request is held by the database, as it should be
        return real(taken)

    monkeypatch.setattr(codes, "new_pickup_code", meet_then_draw)


def in_parallel(*calls):
    answers = [None] * len(calls)

    def run(n, call):
        answers[n] = call()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def test_two_parcels_of_a_new_customer_received_at_once_make_one_pickup_and_take_two_places(
        app, associate, carrier, visit, shop, make_parcel, both_find_no_pickup):
    for tracking_id in ("RACE0001FR", "RACE0002FR"):
        make_parcel(shop.id, tracking_id=tracking_id, recipient="Nouvelle Cliente", recipient_email="nc@example.fr")
    intake = associate.post(f"/livraison/{shop.network_id}/autre", htmx=False).headers["Location"]
    answers = in_parallel(lambda: scan(carrier, visit, "RACE0001FR"),
                          lambda: associate.post(intake + "/scan", {"tracking_id": "RACE0002FR"}))
    assert [a.status_code for a in answers] == [200, 200]
    with app.app_context():
        pickups = db.session.scalars(select(Pickup).where(Pickup.customer_email == "nc@example.fr")).all()
        parcels = db.session.scalars(select(Parcel).where(Parcel.recipient_email == "nc@example.fr")).all()
        notices = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "nc@example.fr")).all()
        assert len(pickups) == 1 and {p.pickup_id for p in parcels} == {pickups[0].id}
        assert len({p.shelf_place for p in parcels}) == 2
        assert {n.pickup_id for n in notices} == {pickups[0].id}


def test_the_database_refuses_a_second_active_pickup_for_a_customer_and_a_shelf_place_twice(app, shop):
    from sqlalchemy.exc import IntegrityError
    from hub.core import clock
    with app.app_context():
        for name in ("Léa Roux", "LÉA ROUX "):
            db.session.add(Pickup(shop_id=shop.id, customer_name=name, code=codes.new_pickup_code(set()),
                                  token=codes.new_token(), created_at=clock.now()))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        taken = db.session.scalar(select(Parcel).where(Parcel.shop_id == shop.id, Parcel.shelf_place.is_not(None),
                                                       Parcel.state == "at_store"))
        other = db.session.scalar(select(Parcel).where(Parcel.shop_id == shop.id, Parcel.state == "at_store",
                                                       Parcel.id != taken.id))
        other.shelf_place = taken.shelf_place
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
