"""A scan on a screen with no scan field: a notice opens its pickup, a label its parcel with what to do,
anything else is « non reconnu » — never silence, and never a guess counted that is not a code."""
from sqlalchemy import select

from hub.core.extensions import db
from hub.core.models import Parcel, Pickup, PickupCodeFailure, Shop

from ..conftest import text

FR = {"Accept-Language": "fr-FR"}


def scanned(browser, content):
    return browser.post("/scan", {"texte": content}, headers=FR)


def pickup_of(app, customer):
    with app.app_context():
        p = db.session.scalar(select(Pickup).where(Pickup.customer_name == customer))
        return p.code, p.token


def parcel_id(app, tracking_id):
    with app.app_context():
        return db.session.scalar(select(Parcel.id).where(Parcel.tracking_id == tracking_id))


def test_a_notice_scanned_at_rest_opens_the_customers_pickup(app, associate):
    code, token = pickup_of(app, "Camille Martin")
    for entry in (token, f" {code} "):
        response = scanned(associate, entry)
        assert response.status_code == 204 and response.headers["HX-Redirect"].startswith("/collecte/")
        assert "Camille Martin" in text(associate.get(response.headers["HX-Redirect"]))


def test_a_label_scanned_at_rest_opens_the_parcel_and_says_what_to_do(app, associate):
    response = scanned(associate, "ce100006fr")
    assert response.headers["HX-Redirect"] == f"/colis/{parcel_id(app, 'CE100006FR')}"
    page = text(associate.get(response.headers["HX-Redirect"], headers=FR))
    assert "Expiré : scannez-le dans « Collecte du livreur »" in page
    waiting = text(associate.get(scanned(associate, "CE100001FR").headers["HX-Redirect"], headers=FR))
    assert "Attend son client : dans « Collecte du client », scannez d'abord son avis" in waiting


def test_anything_else_is_not_recognised_and_costs_no_guess(app, associate, count):
    for content in ("3760123456789", "CE200001FR"):  # a product's EAN, another shop's parcel
        response = scanned(associate, content)
        assert response.status_code == 422
        assert "Scan non reconnu : ce n'est ni l'avis d'un client ni un colis de ce point relais." in text(response)
        assert 'data-feedback="refused"' in text(response)
    assert count(PickupCodeFailure) == 0


def test_a_wrong_code_at_rest_counts_as_at_customer_pickup(app, associate, count):
    response = scanned(associate, "000001" if pickup_of(app, "Camille Martin")[0] != "000001" else "000002")
    assert response.status_code == 422 and "Ce code n'est pas valable" in text(response)
    assert count(PickupCodeFailure) == 1


def test_a_carrier_scanning_a_shops_qr_code_at_rest_lands_on_that_shop(app, browser, demo_data):
    carrier = browser().login("livreur")
    with app.app_context():
        shop_id = db.session.scalar(select(Shop.id).where(Shop.name == "Tabac-Presse du Marché"))
    response = scanned(carrier, f"http://localhost/livreur/points/{shop_id}?code=123456")
    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith("/livreur/code?contenu=")
    assert scanned(carrier, "CE100013FR").status_code == 422


def test_the_back_office_looks_a_scanned_label_up(operator):
    response = scanned(operator, "CE100001FR")
    assert response.headers["HX-Redirect"] == "/admin/?q=CE100001FR"


def test_a_scan_at_rest_asks_to_be_signed_in(client):
    assert client.post("/scan", data={"texte": "x"}).status_code in (302, 400, 401)
