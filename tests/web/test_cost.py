"""What a request costs, counted in SQL statements and read in their query plans (never timed): a scan needs
few statements, and none of them reads a shop's history (a full scan of the parcels or of their events). A
change that adds a statement to a scan fails here and must say why it is worth it."""
import re

import pytest
import sqlalchemy as sa

from hub.core.extensions import db

from ..conftest import statements, text
from .conftest import EXPECTED, scan as carrier_scan
from .test_pickup import open_turn, pickup_of, scan

# The testing clock reads its offset from the database; production's clock reads none.
TESTING_CLOCK = re.compile(r"\bFROM settings\b")
# History lives in these tables: a plan that walks one whole (or a shop's whole part of it) grows with it.
HISTORY = re.compile(r"\bSCAN (parcels|parcel_events|pickups|visits|commands|outbox)\b")


def counted(run):
    return [s for s in run if not TESTING_CLOCK.search(s)]


def sweeps(app, run):
    """The statements whose SQLite plan reads a history table through (no index search)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return []
    found = []
    with app.app_context(), db.engine.connect() as connection:
        for statement in counted(run):
            if statement.lstrip().upper().startswith("SELECT"):
                plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, statement.parameters).all()
                found += [f"{statement}\n  {row[-1]}" for row in plan if HISTORY.search(row[-1])]
    return found


@pytest.fixture
def counter(app, associate, nothing_overdue):
    """The demo counter, with whatever the first look at the shop writes down already written."""
    associate.get("/")
    return associate


def test_a_customer_scan_costs_eight_statements_none_of_them_a_sweep(app, counter):
    # The account with its shop; the command id; the pickup with its parcels; the parcel's move and its
    # event; the network's webhook endpoints; the parcels' latest events for the screen; the command stored
    # with its answer.
    screen = open_turn(counter, pickup_of(app, "Camille Martin")["code"])
    scan(counter, screen, "CE100001FR")
    with statements(app) as run:
        response = scan(counter, screen, "CE100002FR")
    assert response.status_code == 200 and "Remis : CE100002FR" in text(response)
    assert len(counted(run)) <= 8, "\n".join(counted(run))
    assert sweeps(app, run) == []


def test_a_carrier_scan_costs_at_most_twenty_three_statements_none_of_them_a_sweep(app, carrier, visit, nothing_overdue):
    # Receiving a parcel also gives it its hold (the shop's hours), a shelf place, a pickup and a notice, and
    # the answer shows the first lines of the visit's lists with their counts (never the lists whole) and the
    # shop's load.
    carrier_scan(carrier, visit, EXPECTED[0])
    with statements(app) as run:
        response = carrier_scan(carrier, visit, EXPECTED[1])
    assert response.status_code == 200
    assert len(counted(run)) <= 23, "\n".join(counted(run))
    assert sweeps(app, run) == []


def test_the_home_screen_costs_few_statements_none_of_them_a_sweep(app, counter):
    with statements(app) as run:
        response = counter.get("/")
    assert response.status_code == 200
    assert len(counted(run)) <= 6, "\n".join(counted(run))
    assert sweeps(app, run) == []


def test_a_history_a_hundred_times_longer_costs_the_same_statements(app, counter, shop_of):
    screen = open_turn(counter, pickup_of(app, "Camille Martin")["code"])
    with statements(app) as short:
        scan(counter, screen, "CE100001FR")
        counter.get("/")
    with app.app_context():
        shop = shop_of("associe")
        db.session.execute(sa.text(
            "INSERT INTO parcels (network_id, tracking_id, shop_id, recipient_name, recipient_email, description, size,"
            " state, recipient_folded, version) SELECT 1, 'H' || n, :shop, 'Ancien', '', '', 'small', 'collected',"
            " 'ancien', 1 FROM (WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 1200)"
            " SELECT n FROM k) AS numbers"), {"shop": shop})
        db.session.commit()
    with statements(app) as long:
        scan(counter, screen, "CE100002FR")
        counter.get("/")
    assert len(counted(long)) == len(counted(short)) and sweeps(app, long) == []


def test_a_carrier_scan_answer_stays_small_however_many_parcels_are_expected(app, carrier, visit, shop, make_parcel):
    with app.app_context():
        db.session.execute(sa.text(
            "INSERT INTO parcels (network_id, tracking_id, shop_id, recipient_name, recipient_email, description, size,"
            " state, recipient_folded, version) SELECT :network, 'EX' || (100000 + n), :shop, 'Client', '', '',"
            " 'small', 'expected', 'client', 1 FROM (WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k"
            " WHERE n < 847) SELECT n FROM k) AS numbers"), {"shop": shop.id, "network": shop.network_id})
        db.session.commit()
    for n in range(25):
        response = carrier_scan(carrier, visit, f"EX{100001 + n}")
    page = text(response)
    assert response.status_code == 200 and "EX100025 reçu." in page
    assert "Scannés (25)" in page and "5 scannés avant" in page
    assert f"Encore attendus ici ({847 - 25 + len(EXPECTED)})" in page and page.count('class="parcel ') == 40
    assert len(response.get_data()) < 40_000


@pytest.mark.parametrize("query", ["CE1000", "lea"])
def test_the_back_office_search_reads_one_index_range_per_network_never_a_sweep(app, operator, query):
    # admin runs both demo networks: a range on the (network, tracking ID) or (network, name) index each.
    with statements(app) as run:
        response = operator.get("/admin/colis", query_string={"q": query})
    assert response.status_code == 200
    assert sweeps(app, run) == []
    searches = [s for s in counted(run) if "FROM parcels" in s and "LIMIT" in s]
    assert len(searches) == 2, "\n".join(searches)


@pytest.mark.sqlite_plans
def test_the_outbox_scoped_to_the_operators_networks_reads_no_pickup_or_parcel_history(app, operator):
    with statements(app) as run:
        assert operator.get("/admin/avis").status_code == 200
    # Each notice's pickup or parcel by its primary key; never a shop's pickups or parcels by index or scan.
    history = re.compile(r"\b(SCAN|SEARCH) (parcels|pickups)\b(?! USING INTEGER PRIMARY KEY)")
    with app.app_context(), db.engine.connect() as connection:
        plans = [row[-1] for statement in counted(run) if "FROM outbox" in statement for row in
                 connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, statement.parameters).all()]
    assert plans and not [p for p in plans if history.search(p)], plans
    # All notices newest first through an index, whatever the outbox's history (the failed ones, found by
    # their status, are sorted: they are few).
    with app.app_context(), db.engine.connect() as connection:
        newest = [row[-1] for statement in counted(run) if "FROM outbox" in statement and "status IN" not in statement
                  for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, statement.parameters).all()]
    assert newest and not [p for p in newest if "TEMP B-TREE FOR ORDER BY" in p], newest
