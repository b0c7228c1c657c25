"""Fixtures shared by the web and end-to-end tests: an app on a real database, signed-in clients, factories."""
import contextlib
import functools
import html
import os
import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import settings

from tests import instants

# Hypothesis's per-example deadline is a timing assertion: a busy machine (two cores, the suite in parallel) made
# it fail examples that pass. Speed is measured in bench/, never asserted by a test.
settings.register_profile("comptoir", deadline=None)
settings.load_profile("comptoir")

# One instant for the whole run (server, demo data, browsers): set before the app reads it.
RUN_START = instants.resolve()

from hub.core import clock as clock_module
from hub.core import config
from hub import create_app
from hub.cli import demo
from hub.core.extensions import db, limiter
from hub.core.models import Account, Network, Parcel, Pickup, Role, Shop, Size
from hub.rules import codes



def pytest_report_header(config):
    return f"{instants.VARIABLE}={RUN_START.isoformat()}  (set it to run again at this instant)"


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def database_url(tmp_path):
    """PostgreSQL when TEST_DATABASE_URL says so (the test command's second pass), else a SQLite file.

    Tests running in parallel (pytest-xdist) each get a database of their own on the same server."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'test.db'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(url, worker) if worker else url


@functools.cache
def _worker_database(url, worker):
    """``url``'s server, database ``<name>_<worker>``, created when missing."""
    base = sa.make_url(url)
    name = f"{base.database}_{worker}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def empty_schema():
    """Empty tables for the next test: truncated where the schema already stands, else built."""
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    if db.engine.dialect.name == "postgresql":
        try:
            db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.commit()
            return
        except sa.exc.ProgrammingError:  # a test dropped the tables (the migration tests do)
            db.session.rollback()
    db.drop_all()
    db.create_all()


def engine_options(url):
    """On PostgreSQL, a test stuck behind another's lock fails after a minute instead of hanging the run."""
    options = dict(config.load("testing").SQLALCHEMY_ENGINE_OPTIONS)
    if url.startswith("postgresql"):
        options["connect_args"] = {"options": "-c lock_timeout=60000"}
    return options


@pytest.fixture
def app(tmp_path):
    url = database_url(tmp_path)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=engine_options(url))
    with app.app_context():
        empty_schema()
        clock_module.begin()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    limiter.reset()


@pytest.fixture
def ctx(app):
    """An application context, for tests that use the database directly."""
    with app.test_request_context():
        yield


@pytest.fixture
def demo_data(app):
    """The demo network (the same as the run command creates)."""
    with app.app_context():
        demo.create(clock_module.now())
        db.session.commit()


class Clock:
    """Moves the server's clock (an offset in the database) without sleeping."""

    def __init__(self, app):
        self.app = app

    def advance(self, delta: timedelta):
        self.move_to(self.now() + delta)

    def now(self):
        with self.app.app_context():
            return clock_module.now()

    def move_to(self, instant):
        """Move the clock to ``instant``; it runs on from there."""
        with self.app.app_context():
            clock_module.set_to(instant)
            db.session.commit()


@pytest.fixture
def clock(app):
    return Clock(app)


def csrf_token(client, path="/aide/"):
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


class Browser:
    """A test client that signs in, keeps its CSRF token, and sends commands like the app does."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def login(self, username, password=demo.DEMO_PASSWORD):
        token = csrf_token(self.client, "/connexion")
        response = self.client.post("/connexion", data={"username": username, "password": password, "csrf_token": token})
        assert response.status_code == 303, response.get_data(as_text=True)
        self.token = csrf_token(self.client)
        return self

    def get(self, path, htmx=False, **kwargs):
        headers = kwargs.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.get(path, headers=headers, **kwargs)

    def replay_token(self):
        """The device's replay token, as the offline bundle hands it to the service worker's queue."""
        return self.client.get("/hors-ligne/paquet").get_json()["replayToken"]

    def post(self, path, data=None, key=None, htmx=True, headers=None, **kwargs):
        """POST as HTMX does: CSRF header and an Idempotency-Key (fresh unless given). A step replayed from
        the offline queue (``X-Offline-Replay``) carries the device's replay token, as the queue sends it,
        unless the test gives one (an empty one: a request that only says it is a replay)."""
        headers = dict(headers or {})
        if headers.get("X-Offline-Replay") == "1" and "X-Replay-Token" not in headers:
            headers["X-Replay-Token"] = self.replay_token()
        headers.setdefault("X-CSRFToken", self.token or csrf_token(self.client))
        headers["Idempotency-Key"] = key or str(uuid.uuid4())
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(path, data=data or {}, headers=headers, **kwargs)


@pytest.fixture
def browser(app):
    """A fresh browser; ``browser()`` again gives another one (another device)."""
    return lambda: Browser(app.test_client())


@pytest.fixture
def associate(browser, demo_data):
    return browser().login("associe")


@pytest.fixture
def operator(browser, demo_data):
    return browser().login("admin")


@pytest.fixture
def make_shop(app):
    def make(name="Boutique Test", network=None, **fields):
        with app.app_context():
            network = network or db.session.query(Network).first() or Network(name="Réseau Test")
            shop = Shop(name=name, street="1 rue du Test", postcode="75001", city="Paris",
                        totp_secret=codes.new_shop_secret(), networks=[network], **fields)
            db.session.add(shop)
            db.session.commit()
            return shop.id

    return make


@pytest.fixture
def make_account(app):
    def make(username, role=Role.ASSOCIATE, shop_id=None, network_id=None, password=demo.DEMO_PASSWORD):
        with app.app_context():
            account = Account(username=username, display_name=username.title(), role=role, shop_id=shop_id,
                              network_id=network_id)
            account.set_password(password)
            db.session.add(account)
            db.session.commit()
            return account.id

    return make


@pytest.fixture
def make_parcel(app):
    def make(shop_id, tracking_id=None, recipient="Client Test", size=Size.SMALL, pickup_code=None, **fields):
        with app.app_context():
            shop = db.session.get(Shop, shop_id)
            parcel = Parcel(network=shop.networks[0], shop=shop, tracking_id=tracking_id or f"T{uuid.uuid4().hex[:10].upper()}",
                            recipient_name=recipient, size=size, **fields)
            if pickup_code:
                parcel.pickup = Pickup(shop=shop, customer_name=recipient, code=pickup_code, token=codes.new_token(),
                                       created_at=clock_module.now())
            db.session.add(parcel)
            db.session.commit()
            return parcel.id

    return make


class Statement(str):
    """A statement as the database got it: its SQL (it is a str), and its parameters."""

    def __new__(cls, sql, parameters):
        self = super().__new__(cls, sql)
        self.parameters = parameters
        return self


@contextlib.contextmanager
def statements(app=None):
    """The SQL statements run inside the block (``with statements(app) as run: …``; then ``run`` lists them):
    a test of what a request costs, never of how long it takes. Without ``app``, the current one's."""
    run = []

    def seen(_conn, _cursor, statement, parameters, *_args):
        run.append(Statement(statement, parameters))

    with app.app_context() if app else contextlib.nullcontext():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        yield run
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)


def query_one(app, model, **filters):
    with app.app_context():
        return db.session.query(model).filter_by(**filters).one()


def text(response):
    """The response body as a person reads it (HTML entities decoded, a non-breaking space as a space)."""
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def markup(response):
    """The response body as the browser gets it (entities as they are)."""
    return response.get_data(as_text=True)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def nothing_overdue(app, demo_data):
    """The demo shop's expired parcels already scanned for return, so moving the clock hours ahead does not
    block the counter (the 2-hour rule), whatever the time of day the tests run at."""
    from hub.ops import Actor, record
    from hub.rules.parcels import Action, State

    with app.app_context():
        for parcel in db.session.query(Parcel).filter(Parcel.state == State.EXPIRED):
            record(parcel, Action.STAGE_FOR_RETURN, Actor(None, None, clock_module.now()))
        db.session.commit()
