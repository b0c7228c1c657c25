"""What is not a tracking ID is refused with a message, wherever one is scanned or typed; names lose their
control and bidi-override characters."""
import pytest
from sqlalchemy import select

from hub.core.extensions import db
from hub.core.models import Closure, Network, Parcel, ParcelEvent, Pickup, SupportRequest

from ..conftest import text

NOT_TRACKING_IDS = ["X" * 10_000, "ÉÉÉ", "CE\u0661\u0662\u0663FR", "CE100001FR\u202e", "CE+100001FR",
                    "\uff23\uff25100001\uff26\uff32"]
MESSAGE = "Ce n'est pas un numéro de suivi"


def send_form(app, shop_id, **fields):
    with app.app_context():
        network = db.session.scalar(select(Network.id).where(Network.name == "Colis Express"))
    return {"shop": str(shop_id), "network": str(network), "tracking_id": "NEW0001FR", "recipient_name": "Inès Roux",
            "size": "small", **fields}


def events(app):
    with app.app_context():
        return db.session.query(ParcelEvent).count()


@pytest.mark.parametrize("raw", NOT_TRACKING_IDS)
def test_the_operator_cannot_send_a_parcel_under_what_is_not_a_tracking_id(app, operator, shop_of, count, raw):
    before = count(Parcel)
    response = operator.post("/admin/envois", send_form(app, shop_of("associe"), tracking_id=raw))
    assert response.status_code == 422 and MESSAGE in text(response)
    assert count(Parcel) == before


@pytest.mark.parametrize("raw", NOT_TRACKING_IDS)
def test_a_label_that_is_no_tracking_id_is_refused_at_every_scan(app, associate, carrier, visit, shop, raw):
    with app.app_context():
        code = db.session.scalar(select(Pickup.code).where(Pickup.customer_name == "Camille Martin", Pickup.active))
    screen = associate.post("/collecte/", {"entry": code}).headers["HX-Redirect"]
    intake = associate.post(f"/livraison/{shop.network_id}/autre", htmx=False).headers["Location"]
    before = events(app)
    for path, by in ((screen + "/scanner", associate), ("/retours/expires/scan", associate),
                     (intake + "/scan", associate), (f"/livreur/visites/{visit}/scan", carrier)):
        response = by.post(path, {"tracking_id": raw})
        assert response.status_code == 422 and MESSAGE in text(response), path
    assert events(app) == before


def test_a_label_typed_with_spaces_and_dashes_is_still_read(app, associate):
    with app.app_context():
        code = db.session.scalar(select(Pickup.code).where(Pickup.customer_name == "Camille Martin", Pickup.active))
    screen = associate.post("/collecte/", {"entry": code}).headers["HX-Redirect"]
    assert "Remis : CE100001FR" in text(associate.post(screen + "/scanner", {"tracking_id": " ce-100 001 fr\n"}))


def test_names_and_reasons_lose_control_and_bidi_override_characters(app, operator, associate, shop_of, clock):
    operator.post("/admin/envois", send_form(app, shop_of("associe"), recipient_name="Léa\u202e Martin\x07",
                                             description="Livre\u2066 rare\x0b"))
    associate.post("/aide/assistance", {"phone": "06 12 34 56 78", "name": "Jo\u202eé", "message": "Rappel\r\nsvp\x1b"})
    with app.app_context():
        sent = db.session.scalar(select(Parcel).where(Parcel.tracking_id == "NEW0001FR"))
        assert (sent.recipient_name, sent.description) == ("Léa Martin", "Livre rare")
        request = db.session.scalar(select(SupportRequest))
        assert (request.name, request.message) == ("Joé", "Rappel\nsvp")


def test_a_closure_reason_loses_its_bidi_overrides(app, associate, clock):
    from hub.rules import deadlines
    from datetime import timedelta
    day = deadlines.local_date(clock.now(), "Europe/Paris") + timedelta(days=3)
    associate.post("/horaires/fermetures", {"starts_on": day.isoformat(), "ends_on": day.isoformat(),
                                            "reason": "\u202eInventaire\u202c annuel"})
    with app.app_context():
        assert db.session.scalar(select(Closure.reason)) == "Inventaire annuel"
