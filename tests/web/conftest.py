"""Every web test touches the database: the test command runs them all again on PostgreSQL."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.core import clock as clock_module
from hub.core.extensions import db
from hub.core.models import Account, Parcel
from hub.ops import Actor, record


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
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

