"""Every web test touches the database: the test command runs them all again on PostgreSQL."""
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from hub.core import clock as clock_module
from hub.core.extensions import db
from hub.core.models import Account, Parcel, Shop
from hub.ops import Actor, record
from hub.rules import codes

from ..conftest import query_one


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents and not item.get_closest_marker("sqlite_plans"):
            item.add_marker(pytest.mark.db)


@pytest.fixture
def shop_of(app, demo_data):
    """``shop_of("associe")``: the id of the shop a demo associate works in."""

    def find(username):
        with app.app_context():
            return db.session.scalar(select(Account.shop_id).where(Account.username == username))

    return find


@pytest.fixture
def parcel_in(app, make_parcel):
    """``parcel_in(shop_id, *actions)``: a new parcel of the shop, moved through ``actions``."""

    def make(shop_id, *actions, **fields):
        parcel_id = make_parcel(shop_id, **fields)
        with app.app_context():
            parcel = db.session.get(Parcel, parcel_id)
            for action in actions:
                record(parcel, action, Actor(None, None, clock_module.now()))
            db.session.commit()
        return parcel_id

    return make


@pytest.fixture
def parcel_facts(app):
    """``parcel_facts(id)``: the parcel's state and the actions of its events, read afresh."""

    def read(parcel_id):
        with app.app_context():
            parcel = db.session.get(Parcel, parcel_id)
            return parcel.state, [event.action for event in parcel.events]

    return read


@pytest.fixture
def count(app):
    """``count(Model, **filters)``: how many rows, read afresh."""

    def rows(model, **filters):
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(model).filter_by(**filters))

    return rows


# --- A carrier at the demo shop (« Livraison par le livreur ») -------------------------------------

EXPECTED = ["CE100013FR", "CE100014FR", "CE100015FR"]  # expected today at the demo shop (hub/demo.py)


@pytest.fixture
def shop(app, demo_data):
    """The demo shop's id, secret and first network, read once (no session outlives the fixture)."""
    with app.app_context():
        s = db.session.scalars(select(Shop).where(Shop.name == "Tabac-Presse du Marché")).one()
        return SimpleNamespace(id=s.id, totp_secret=s.totp_secret, network_id=s.networks[0].id)


@pytest.fixture
def carrier(browser, demo_data):
    return browser().login("livreur")


REPLAY = {"X-Offline-Replay": "1", "Sec-Fetch-Site": "same-origin"}  # as the offline queue sends a step again


def applied(response):
    """The offline queue's step was applied: its answer says so and renders nothing (the queue reads no screen)."""
    return (response.status_code == 204 and response.headers.get("X-Command-Applied") == "true"
            and response.get_data() == b"")


def current_code(app, shop, clock):
    return codes.shop_code(shop.totp_secret, clock.now())


def open_visit(carrier, shop, code, **data):
    return carrier.post(f"/livreur/points/{shop.id}/visites", {"code": code, "kind": "dropoff", **data}, htmx=False)


@pytest.fixture
def visit(app, carrier, shop, clock):
    response = open_visit(carrier, shop, current_code(app, shop, clock))
    assert response.status_code == 303
    return response.headers["Location"].rstrip("/").split("/")[-1]


def parcel(app, tracking_id):
    return query_one(app, Parcel, tracking_id=tracking_id)


def scan(carrier, visit, tracking_id, **kwargs):
    return carrier.post(f"/livreur/visites/{visit}/scan", {"tracking_id": tracking_id}, **kwargs)


@pytest.fixture
def production(app, monkeypatch):
    """The production configuration on the test database, with a real secret key (and the default
    SESSION_COOKIE_SECURE, whatever the environment says)."""
    from hub import create_app

    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    prod = create_app("production", SECRET_KEY="a-long-and-real-secret-key-for-production",
                      SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    yield prod
    with prod.app_context():
        db.session.remove()
        db.engine.dispose()


# --- What a refused request must leave as it was -----------------------------------------------------

def _rows(statement):
    return sorted(tuple(str(value) for value in row) for row in db.session.execute(statement))


@pytest.fixture
def database_state(app):
    """``database_state()``: what the requests of a test may change, read afresh, to compare before and after.

    Left out: what a refused request records on purpose (a wrong pickup code), what reading notes (a
    sign-in's or a device's last use), and the expiries the server records on its own when a parcel's
    7 days end during the test."""
    from hub.core.models import (Account, Closure, Command, OpeningRange, OutboxMessage, ParcelEvent, Pickup,
                                 ShopEvent, SupportRequest, Visit)
    from hub.rules.parcels import Action

    def read():
        with app.app_context():
            return {
                "events": _rows(select(ParcelEvent.parcel_id, ParcelEvent.action, ParcelEvent.account_id)
                                .where(ParcelEvent.action != Action.EXPIRE)),
                "parcels": _rows(select(Parcel.id, Parcel.shop_id, Parcel.pickup_id, Parcel.shelf_place)),
                "pickups": _rows(select(Pickup.id, Pickup.active, Pickup.code)),
                "shops": _rows(select(Shop.id, Shop.full, Shop.capacity, Shop.active)),
                "visits": _rows(select(Visit.id, Visit.closed_at, Visit.end_reason, Visit.last_scan_at)),
                "closures": _rows(select(Closure.id, Closure.starts_on, Closure.ends_on)),
                "ranges": _rows(select(OpeningRange.id, OpeningRange.opens, OpeningRange.closes)),
                "accounts": _rows(select(Account.id, Account.active, Account.password_hash)),
                "rows": [db.session.scalar(select(func.count()).select_from(model)) for model in
                         (Command, OutboxMessage, ShopEvent, SupportRequest)],
            }

    return read
