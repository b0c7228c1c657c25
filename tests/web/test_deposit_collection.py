"""« Collecte du livreur » with customers' drop-offs: the returns and the drop-offs listed apart, for the
associate and for the carrier; a drop-off nowhere to be found; one no carrier came for."""
import json
import re
from datetime import timedelta
from urllib.parse import unquote_plus

import pytest
from sqlalchemy import select

from hub.core import clock as clock_module
from hub.core.extensions import db
from hub.core.models import Deposit, Parcel, Shop, WebhookDelivery
from hub.ops import Actor, webhooks
from hub.ops import deposits as deposit_ops
from hub.rules.parcels import Action, Size, State

from ..conftest import text
from .conftest import current_code, open_visit, scan


@pytest.fixture
def waiting(app, demo_data, shop, parcel_in):
    """At the demo shop: the demo's label-less return taken at the counter, and a parcel staged for return."""
    with app.app_context():
        network = db.session.get(Shop, shop.id).networks[0]
        webhooks.add_endpoint(network, "https://network.example/hooks", clock_module.now())
        deposit = db.session.scalar(select(Deposit).where(Deposit.code == "DEP-RETURNLUNE"))
        parcel = deposit_ops.take(db.session.get(Shop, shop.id), deposit, Size.MEDIUM, Actor(None, None, clock_module.now()))
        db.session.commit()
        dropped = parcel.id
    returning = parcel_in(shop.id, Action.EXPIRE, Action.STAGE_FOR_RETURN, state=State.AT_STORE, tracking_id="RT555FR", shelf_place="A3",
                          recipient="Client Retour")
    return dict(deposit=dropped, returning=returning)


def sections(page):
    """The parcels' ids under each heading of the collection: {heading start: [ids]}."""
    found, heading = {}, None
    for match in re.finditer(r'<h2[^>]*>([^<(]+)|id="(?:return|deposit|parcel)-(\d+)"', page):
        if match.group(1):
            heading = match.group(1).strip()
            found[heading] = []
        elif heading:
            found[heading].append(int(match.group(2)))
    return found


def state_of(app, parcel_id):
    with app.app_context():
        return db.session.get(Parcel, parcel_id).state


def webhook_types(app):
    with app.app_context():
        return [json.loads(d.body)["type"] for d in db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))]


def test_the_associate_sees_the_returns_and_the_drop_offs_apart_with_their_shelf_and_count(associate, waiting):
    page = text(associate.get("/retours/"))
    groups = sections(page)
    assert waiting["returning"] in groups["Retours"] and waiting["deposit"] not in groups["Retours"]
    drop_offs = groups["Dépôts clients — à remettre au livreur"]
    assert waiting["deposit"] in drop_offs and len(drop_offs) == 2  # with the demo's drop-off of yesterday
    assert "Dépôts clients — à remettre au livreur (2)" in page and f"Retours ({len(groups['Retours'])})" in page
    assert re.search(r'id="deposit-\d+">\s*<span class="shelf">R', page)  # the « R » shelf of the drop-offs
    assert '<span class="shelf">A3</span>' in page


def test_a_drop_off_nowhere_to_be_found_is_missing_after_ok_and_found_again_at_the_counter(app, associate, waiting):
    parcel_id = waiting["deposit"]
    asked = associate.get(f"/retours/depots/{parcel_id}/introuvable", htmx=True)
    page = text(asked)
    assert asked.status_code == 200 and "Confirmez que vous ne trouvez pas le colis CE800001FR" in page
    assert 'hx-trigger="every 3s"' not in page  # the live view does not wipe the question away
    assert state_of(app, parcel_id) == State.DEPOSITED  # asking changes nothing
    marked = associate.post(f"/retours/depots/{parcel_id}/manquant")
    assert marked.status_code == 200 and "CE800001FR déclaré manquant." in text(marked)
    assert state_of(app, parcel_id) == State.MISSING
    assert webhook_types(app)[-1] == "dropoff.missing"
    assert str(parcel_id) not in str(sections(text(associate.get("/retours/")))["Dépôts clients — à remettre au livreur"])
    assert associate.post(f"/colis/{parcel_id}/retrouve").status_code in (200, 303)
    assert state_of(app, parcel_id) == State.DEPOSITED
    assert webhook_types(app)[-1] == "dropoff.found_again"


def test_only_a_drop_off_of_the_shop_may_be_declared_missing_there(app, browser, associate, waiting, parcel_facts):
    assert associate.get(f"/retours/depots/{waiting['returning']}/introuvable").status_code == 404
    assert associate.post(f"/retours/depots/{waiting['returning']}/manquant").status_code == 404
    other = browser().login("associe2")
    assert other.get(f"/retours/depots/{waiting['deposit']}/introuvable").status_code == 404
    assert other.post(f"/retours/depots/{waiting['deposit']}/manquant").status_code == 404
    assert state_of(app, waiting["deposit"]) == State.DEPOSITED


def test_declaring_missing_twice_tells_the_network_once(app, associate, waiting):
    parcel_id = waiting["deposit"]
    for _ in range(2):
        assert associate.post(f"/retours/depots/{parcel_id}/manquant").status_code == 200
    assert webhook_types(app).count("dropoff.missing") == 1
    with app.app_context():
        assert [e.action for e in db.session.get(Parcel, parcel_id).events].count(Action.MARK_MISSING) == 1


def test_the_carrier_sees_both_groups_and_takes_both_the_associate_follows(app, carrier, associate, shop, clock,
                                                                          waiting):
    opened = open_visit(carrier, shop, current_code(app, shop, clock), kind="return")
    url = opened.headers["Location"]
    groups = sections(text(carrier.get(url)))
    assert waiting["returning"] in groups["Retours"] and waiting["deposit"] not in groups["Retours"]
    assert waiting["deposit"] in groups["Dépôts clients — à remettre au livreur"]
    key = url.rstrip("/").split("/")[-1]
    assert "CE800001FR repris." in text(scan(carrier, key, "CE800001FR"))
    assert "RT555FR repris." in text(scan(carrier, key, "RT555FR"))
    assert (state_of(app, waiting["deposit"]), state_of(app, waiting["returning"])) == (State.DISPATCHED, State.RETURNED)
    assert "dropoff.collected" in webhook_types(app)
    followed = text(associate.get("/retours/", htmx=True))
    taken = followed.split("Repris par le livreur")[1]
    assert "CE800001FR" in taken and "RT555FR" in taken and "2 colis repris" in followed


def waited(app, parcel_ids, delta):
    """The parcels have waited ``delta`` for the carrier (a clock moved days on would expire the demo's parcels,
    whose return scan then blocks the screen)."""
    with app.app_context():
        for parcel_id in parcel_ids:
            db.session.get(Parcel, parcel_id).state_since = clock_module.now() - delta
        db.session.commit()


def test_a_drop_off_no_carrier_came_for_in_3_days_invites_to_contact_support(app, associate, waiting):
    def support_link():
        found = re.search(r'href="([^"]*)"[^>]*>Contacter l\'assistance', text(associate.get("/retours/")))
        return unquote_plus(found.group(1)) if found else ""

    ids = [waiting["deposit"], waiting["returning"]]
    waited(app, ids, timedelta(days=3) - timedelta(minutes=1))
    assert "CE800001FR" not in support_link() and "RT555FR" not in support_link()
    waited(app, ids, timedelta(days=3) + timedelta(minutes=1))
    assert "CE800001FR" in support_link() and "RT555FR" in support_link()
