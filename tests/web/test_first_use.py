"""What a new user tripped on, screen by screen: French typography, a foreign call-back number, zero counts,
the favicon, the way back from the help, and demo data that happens at the counter's hours."""
from datetime import datetime

import pytest
from sqlalchemy import select

from hub.cli import demo
from hub.core.extensions import db
from hub.core.models import ParcelEvent, Pickup, Shop
from hub.ops.queries import is_open
from hub.rules.parcels import Action
from tests import instants

from ..conftest import markup, text


def test_french_guillemets_keep_their_words_on_the_same_line(associate):
    page = markup(associate.get("/collecte/"))
    assert "«\u00a0Entrer le code\u00a0»" in page and "« Entrer le code »" not in page


def test_the_support_line_is_never_broken_across_two_lines(browser, demo_data):
    assert "01\u00a023\u00a045\u00a067\u00a089" in markup(browser().client.get("/aide/"))


def test_a_foreign_call_back_number_is_shown_with_its_country_code(associate, operator):
    done = associate.post("/aide/assistance", {"phone": "+1 201 555 0123"})
    assert done.status_code == 200 and "+1 201-555-0123" in text(done)
    assert "+1 201-555-0123" in text(operator.get("/admin/")) and "(201) 555-0123" not in text(operator.get("/admin/"))
    assert "06 12 34 56 78" in text(associate.post("/aide/assistance", {"phone": "0612345678"}))


def test_a_count_of_zero_is_not_shown_as_an_alarm(app, associate):
    page = markup(associate.get("/inventaire/"))
    assert 'class="count state-expired"' in page  # the demo shop has one expired parcel
    associate.post("/retours/expires/scan", {"tracking_id": "CE100006FR"})
    assert 'class="count state-expired zero"' in markup(associate.get("/inventaire/"))


def test_every_page_names_its_icon_and_the_favicon_is_found(browser, demo_data):
    client = browser().client
    assert 'rel="icon"' in markup(client.get("/connexion"))
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and "/static/icons/icon-192.png?v=" in response.headers["Location"]


def test_the_help_has_a_way_back_signed_out_and_signed_in(browser, associate, demo_data):
    for path in ("/aide/", "/aide/assistance"):
        assert "Retour à la connexion" in text(browser().client.get(path))
        assert "Retour à l'accueil" in text(associate.get(path))


@pytest.mark.parametrize("instant", sorted(instants.NAMED.values()) + [instants.resolve().isoformat()])
def test_the_demo_parcels_moved_only_while_the_shop_was_open(app, instant):
    """At the counter, that is: a network cancels or redirects a parcel at any hour."""
    with app.app_context():
        shop = demo.create(datetime.fromisoformat(instant))
        moments = db.session.scalars(select(ParcelEvent.occurred_at)
                                     .where(ParcelEvent.action.not_in([Action.CANCEL, Action.REDIRECT]))).all()
        closed = [m.isoformat() for m in moments if not is_open(db.session.get(Shop, shop.id), m)]
    assert moments and not closed, closed


def test_a_notice_past_its_last_day_says_why_and_what_to_do(app, browser, demo_data):
    with app.app_context():
        token = db.session.scalar(select(Pickup.token).where(Pickup.customer_name == "Lucas Robert"))
    page = text(browser().client.get(f"/retrait/{token}"))  # his parcels expired and wait for the carrier
    assert "Le dernier jour de retrait était le" in page and "attend que le livreur le reprenne" in page
    assert "À retirer au plus tard" not in page
