"""The benchmark's data, written straight into a database migrated by the app's own migrations.

A shop's *history* is what it handed over long ago: collected parcels (received, then handed to their
customer: two events each), each under a pickup that is over. Its *shelf* is what the load test hands over:
parcels on the shelf, two per customer, each customer under an active pickup. The two benchmark shops
differ only by their history (5,000 or 50,000 parcels); their shelves are the same.

    python bench/data.py shop  DATABASE_URL HISTORY SHELF   # one shop, its associate « banc » / bench1234
    python bench/data.py network DATABASE_URL SHOPS PARCELS # PARCELS spread over SHOPS shops (lookups, search)
"""
import os
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from werkzeug.security import generate_password_hash  # noqa: E402

PASSWORD = "bench1234"
NOW = datetime.now(timezone.utc).replace(microsecond=0)
BATCH = 20_000
NAMES = ["Camille Martin", "Léa Bernard", "Hugo Dubois", "Chloé Thomas", "Lucas Robert", "Manon Richard",
         "Nathan Petit", "Inès Durand", "Jules Leroy", "Zoé Moreau", "Louis Simon", "Jade Laurent"]


def migrate(url):
    """The schema, by the app's migrations (as the Procfile's release step does)."""
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    from flask_migrate import upgrade

    from hub import create_app

    app = create_app("production", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(directory=str(ROOT / "hub" / "migrations"))


def _stamp(engine, moment):
    """Instants as the app stores them: naive UTC on SQLite, aware on PostgreSQL."""
    return moment.replace(tzinfo=None) if engine.dialect.name == "sqlite" else moment


def _insert(connection, table, rows):
    columns = ", ".join(f'"{k}"' for k in rows[0])  # quoted: « full » is a keyword to PostgreSQL
    values = ", ".join(":" + k for k in rows[0])
    for start in range(0, len(rows), BATCH):
        connection.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), rows[start:start + BATCH])


def _sequences(connection, engine):
    """On PostgreSQL, the id sequences catch up with the ids given here."""
    if engine.dialect.name == "postgresql":
        for table in ("shops", "parcels", "pickups", "accounts"):
            connection.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                       f"(SELECT max(id) FROM {table}))"))


def _next_id(connection, table):
    return (connection.scalar(sa.text(f"SELECT max(id) FROM {table}")) or 0) + 1


def _shops(connection, engine, count, first_name="Banc"):
    """``count`` shops open every day 8:00–20:00, served by network 1; returns their ids."""
    if not connection.scalar(sa.text("SELECT count(*) FROM networks")):
        connection.execute(sa.text("INSERT INTO networks (id, name) VALUES (1, 'Colis Banc')"))
    first = _next_id(connection, "shops")
    ids = list(range(first, first + count))
    _insert(connection, "shops", [dict(id=i, name=f"{first_name} {i}", street="1 rue du Banc", postcode="69001",
                                       city="Lyon", timezone="Europe/Paris", capacity=20, full=False,
                                       offers_pickup=True, offers_customer_dropoff=False, active=True,
                                       totp_secret="JBSWY3DPEHPK3PXP") for i in ids])
    _insert(connection, "shop_networks", [dict(shop_id=i, network_id=1) for i in ids])
    _insert(connection, "opening_ranges", [dict(shop_id=i, weekday=d, opens="08:00:00", closes="20:00:00")
                                           for i in ids for d in range(7)])
    return ids


class Rows:
    """Rows to insert, ids given here so that events and pickups can name their parcels."""

    def __init__(self, connection, engine, events=True):
        self.engine, self.parcel_id, self.pickup_id = engine, _next_id(connection, "parcels"), _next_id(connection, "pickups")
        self.parcels, self.pickups, self.events, self.with_events = [], [], [], events

    def pickup(self, shop, name, code, active, when):
        from hub.rules.pickup import customer_key

        # Drawn names repeat: each pickup is another customer of that name (one active pickup per customer).
        self.pickups.append(dict(id=self.pickup_id, shop_id=shop, customer_name=name, customer_email="",
                                 customer_key=customer_key("", f"{name} {self.pickup_id}"),
                                 code=code, token=f"tok{self.pickup_id:021d}", active=active,
                                 created_at=_stamp(self.engine, when)))
        self.pickup_id += 1
        return self.pickup_id - 1

    def parcel(self, shop, pickup, tracking, name, state, dropped, collected=None):
        from hub.rules.text import folded

        pid = self.parcel_id
        self.parcel_id += 1
        last_day = (dropped + timedelta(days=7)).date()
        expires = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
        self.parcels.append(dict(id=pid, network_id=1, tracking_id=tracking, shop_id=shop, pickup_id=pickup,
                                 recipient_name=name, recipient_email="", description="Banc", size="small",
                                 state=state, shelf_place=f"A-{pid}", recipient_folded=folded(name), expected_on=None,
                                 dropped_at=_stamp(self.engine, dropped), state_since=_stamp(self.engine, collected or dropped),
                                 last_day=last_day, expires_at=_stamp(self.engine, expires), version=1))
        self._event(pid, "receive", "expected", "at_store", dropped)
        if collected:
            self._event(pid, "hand_to_customer", "at_store", "collected", collected)
        return pid

    def _event(self, parcel, action, before, after, when):
        if not self.with_events:
            return
        when = _stamp(self.engine, when)
        self.events.append(dict(parcel_id=parcel, action=action, from_state=before, to_state=after, account_id=None,
                                device_id=None, command_id=None, visit_id=None, occurred_at=when, recorded_at=when,
                                offline=False, note=""))

    def write(self, connection):
        for table, rows in (("pickups", self.pickups), ("parcels", self.parcels), ("parcel_events", self.events)):
            if rows:
                _insert(connection, table, rows)
        self.parcels, self.pickups, self.events = [], [], []


def _operates_network_1(connection):
    """The bench's operator runs the network its parcels belong to (an operator sees its networks alone)."""
    connection.execute(sa.text("INSERT INTO operator_networks (account_id, network_id) SELECT id, 1 FROM accounts"
                               " WHERE username = 'banc-admin'"))


def history(rows, shop, count, rng):
    """``count`` parcels collected long ago, each under a pickup that is over (its code free again)."""
    for n in range(count):
        dropped = NOW - timedelta(days=rng.randint(30, 900), hours=rng.randint(0, 23))
        name = rng.choice(NAMES)
        pickup = rows.pickup(shop, name, f"{rng.randrange(10**6):06d}", False, dropped)
        rows.parcel(shop, pickup, f"HS{shop:05d}{n:07d}", name, "collected", dropped, dropped + timedelta(days=2))


def shelf(rows, shop, count, rng):
    """``count`` parcels on the shelf today, two a customer under an active pickup (codes unique in the shop)."""
    codes = rng.sample(range(10**6), count // 2 + 1)
    for n in range(0, count, 2):
        dropped = NOW - timedelta(hours=rng.randint(1, 48))
        name = rng.choice(NAMES)
        pickup = rows.pickup(shop, name, f"{codes[n // 2]:06d}", True, dropped)
        for k in range(min(2, count - n)):
            rows.parcel(shop, pickup, f"SH{shop:05d}{n + k:07d}", name, "at_store", dropped)


def build_shop(url, history_size, shelf_size):
    """One shop with its history and its shelf, and its associate « banc »; returns the shop's id."""
    migrate(url)
    engine = sa.create_engine(url)
    rng = random.Random(history_size)
    with engine.begin() as connection:
        [shop] = _shops(connection, engine, 1)
        connection.execute(sa.text("INSERT INTO accounts (username, display_name, password_hash, role, shop_id, active)"
                                   " VALUES ('banc', 'Banc', :h, 'associate', :s, :a)"),
                           {"h": generate_password_hash(PASSWORD), "s": shop, "a": True})
        connection.execute(sa.text("INSERT INTO accounts (username, display_name, password_hash, role, active)"
                                   " VALUES ('banc-admin', 'Banc', :h, 'operator', :a)"),
                           {"h": generate_password_hash(PASSWORD), "a": True})
        _operates_network_1(connection)
        rows = Rows(connection, engine)
        history(rows, shop, history_size, rng)
        shelf(rows, shop, shelf_size, rng)
        rows.write(connection)
        connection.execute(sa.text("UPDATE shops SET next_expiry_at = (SELECT min(expires_at) FROM parcels WHERE "
                                   "parcels.shop_id = shops.id AND state = 'at_store')"))
        _sequences(connection, engine)
    engine.dispose()
    return shop


def _without_indexes(connection, tables):
    """Drop the tables' indexes (a bulk load is faster without them); returns what recreates them."""
    rows = connection.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                                      "AND tbl_name IN :t").bindparams(sa.bindparam("t", expanding=True)),
                              {"t": list(tables)}).all()
    for name, _sql in rows:
        connection.execute(sa.text(f'DROP INDEX "{name}"'))
    return [sql for _name, sql in rows]


def build_network(url, shops, parcels):
    """``parcels`` over ``shops`` shops: nine in ten collected long ago, the rest on the shelves."""
    migrate(url)
    engine = sa.create_engine(url)
    rng = random.Random(parcels)
    per_shop = parcels // shops
    with engine.begin() as connection:
        indexes = _without_indexes(connection, ("parcels", "pickups")) if engine.dialect.name == "sqlite" else []
        ids = _shops(connection, engine, shops)
        connection.execute(sa.text("INSERT INTO accounts (username, display_name, password_hash, role, active)"
                                   " VALUES ('banc-admin', 'Banc', :h, 'operator', :a)"),
                           {"h": generate_password_hash(PASSWORD), "a": True})
        _operates_network_1(connection)
        rows = Rows(connection, engine, events=False)  # lookups and search read parcels and pickups only
        for shop in ids:
            on_shelf = max(2, per_shop // 10)
            history(rows, shop, per_shop - on_shelf, rng)
            shelf(rows, shop, on_shelf, rng)
            if len(rows.parcels) >= BATCH * 5:
                rows.write(connection)
        rows.write(connection)
        for sql in indexes:
            connection.execute(sa.text(sql))
        _sequences(connection, engine)
    engine.dispose()


if __name__ == "__main__":
    kind, url, a, b = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    print(build_shop(url, a, b) if kind == "shop" else build_network(url, a, b))
