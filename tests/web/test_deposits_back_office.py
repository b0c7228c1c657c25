"""The back office's list of customers' drop-offs: each status, its own networks only, 50 a page on the
(network, created) index whatever the history."""
import re
import pytest
from sqlalchemy import select

from hub.core import clock as clock_module
from hub.core.extensions import db
from hub.core.models import Deposit, Network, Shop
from hub.ops import Actor, record
from hub.ops import deposits as deposit_ops
from hub.ops import returns
from hub.rules.deposits import OverLimit
from hub.rules.parcels import Action, Size

from ..conftest import statements, text
from .test_cost import counted

ACTOR = lambda: Actor(None, None, clock_module.now())  # noqa: E731 — the server's own hand, at the test clock


def announce(network, tracking_id, **fields):
    item = dict(tracking_id=tracking_id, sender_name=f"Client {tracking_id}", **fields)
    return deposit_ops.announce(network, item, ACTOR())[0]


@pytest.fixture
def every_status(app, demo_data, shop):
    """One drop-off of the demo network in each status, and one of Relais Vert; their codes by status."""
    with app.app_context():
        lyon = db.session.get(Shop, shop.id)
        colis, vert = lyon.networks[0], db.session.scalar(select(Network).where(Network.name == "Relais Vert"))
        codes = {"announced": announce(colis, "AN0001FR").code}
        refused = announce(colis, "RF0001FR")
        deposit_ops.refuse(lyon, refused, OverLimit.TOO_HEAVY, ACTOR())
        codes["refused"] = refused.code
        for status, tracking_id in (("deposited", "DP0001FR"), ("dispatched", "DS0001FR"), ("missing", "MS0001FR")):
            deposit = announce(colis, tracking_id)
            parcel = deposit_ops.take(lyon, deposit, Size.SMALL, ACTOR())
            codes[status] = deposit.code
            if status == "missing":
                returns.mark_missing(parcel, ACTOR())
            if status == "dispatched":
                record(parcel, Action.DISPATCH, ACTOR())
        codes["other"] = announce(vert, "VT0001FR").code
        db.session.commit()
    return codes


def listed(response):
    return re.findall(r"<strong>(DEP-[A-Z0-9]+)</strong>", text(response))


def test_the_list_shows_each_drop_off_with_its_status_shop_and_dates(app, browser, every_status):
    operator = browser().login("admin-colis")
    page = text(operator.get("/admin/depots"))
    for status in ("announced", "refused", "deposited", "dispatched", "missing"):
        assert every_status[status] in page
    assert every_status["other"] not in page  # Relais Vert is not this operator's
    assert "refusé : trop lourd" in page and "à remettre au livreur" in page and "pris par le livreur" in page
    assert "Client DP0001FR" in page and "Tabac-Presse du Marché" in page and "déposé le" in page
    with app.app_context():
        parcel_id = db.session.scalar(select(Deposit.parcel_id).where(Deposit.code == every_status["deposited"]))
    assert f'href="/admin/colis/{parcel_id}"' in page
    events = text(operator.get(f"/admin/colis/{parcel_id}"))
    assert "DP0001FR" in events and "déposé par le client" in events


@pytest.mark.parametrize("status", ["announced", "refused", "deposited", "dispatched", "missing"])
def test_a_filter_shows_that_status_alone(browser, every_status, status):
    operator = browser().login("admin-colis")
    shown = listed(operator.get("/admin/depots", query_string={"etat": status}))
    assert every_status[status] in shown
    assert not {code for name, code in every_status.items() if name != status} & set(shown)


def test_an_unknown_status_answers_404_and_the_fragment_comes_alone(browser, every_status):
    operator = browser().login("admin-colis")
    assert operator.get("/admin/depots", query_string={"etat": "nope"}).status_code == 404
    fragment = operator.get("/admin/depots", htmx=True)
    assert "<html" not in text(fragment) and 'hx-target="this"' in text(fragment)
    assert "HX-Request" in fragment.headers["Vary"]


def test_an_operator_sees_only_their_networks_drop_offs(browser, every_status):
    vert = listed(browser().login("admin-vert").get("/admin/depots"))
    assert vert == [every_status["other"]]
    both = listed(browser().login("admin").get("/admin/depots"))
    assert set(every_status.values()) <= set(both)


def test_an_associate_or_a_carrier_may_not_see_the_list(browser, demo_data):
    for who in ("associe", "livreur"):
        assert browser().login(who).get("/admin/depots").status_code == 403


def test_pages_of_50_follow_each_other_newest_first_and_each_reads_the_networks_index(app, browser, demo_data, shop):
    with app.app_context():
        network = db.session.get(Shop, shop.id).networks[0]
        for n in range(120):
            announce(network, f"PG{n:04d}FR")
        db.session.commit()
    operator = browser().login("admin")
    seen, url = [], "/admin/depots"
    for _ in range(5):
        with statements(app) as run:
            response = operator.get(url)
        seen += listed(response)
        assert len(listed(response)) <= 50
        plans = index_reads(app, run)
        assert plans and all("ix_deposits_network_created" in plan for plan in plans), plans
        following = re.search(r'id="next-page" href="([^"]+)"', text(response))
        if not following:
            break
        url = following.group(1)
    assert len(seen) == len(set(seen)) >= 122  # the demo's two and these 120, each once


def index_reads(app, run):
    """How each page's SELECT reads the drop-offs, in SQLite's plan (PostgreSQL plans by its statistics)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return ["ix_deposits_network_created"]
    found = []
    with app.app_context(), db.engine.connect() as connection:
        for statement in counted(run):
            if "ORDER BY deposits.created_at DESC" in statement:
                plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, statement.parameters).all()
                found += [row[-1] for row in plan if " deposits " in row[-1] or "TEMP B-TREE" in row[-1]]
    return found


@pytest.mark.parametrize("status", ["announced", "refused", "missing"])
def test_a_filtered_page_reads_the_networks_index_too(app, browser, every_status, status):
    with statements(app) as run:
        assert browser().login("admin").get("/admin/depots", query_string={"etat": status}).status_code == 200
    plans = index_reads(app, run)
    assert plans and all("ix_deposits_network_created" in plan for plan in plans), plans


def test_a_next_page_link_made_up_without_an_offset_starts_at_the_top(browser, every_status):
    page = browser().login("admin-colis").get("/admin/depots?apres=2026-01-01T00:00&apres=1")
    assert page.status_code == 200 and "DEP-" in page.get_data(as_text=True)
