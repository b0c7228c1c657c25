"""The carrier app at /livreur: today's shops of the carrier's network."""
from flask import Blueprint
from flask_login import current_user
from sqlalchemy import func, select

from . import clock
from .extensions import db
from .models import Parcel
from .queries import is_open, next_opening, shops_of_network
from .rules import deadlines
from .rules.parcels import State
from .web import carrier_required, render

bp = Blueprint("carrier", __name__, url_prefix="/livreur")


def _expected_counts(network_id):
    rows = db.session.execute(
        select(Parcel.shop_id, func.count())
        .where(Parcel.network_id == network_id, Parcel.state == State.EXPECTED)
        .group_by(Parcel.shop_id)
    ).all()
    return dict(rows)


@bp.get("/")
@carrier_required
def home():
    """Today's shops: address, open now or when it opens, parcels expected there."""
    now = clock.now()
    expected = _expected_counts(current_user.network_id)
    shops = [
        {"shop": shop, "expected": expected.get(shop.id, 0), "open": is_open(shop, now),
         "opens_at": next_opening(shop, now)}
        for shop in shops_of_network(current_user.network_id)
    ]
    shops.sort(key=lambda s: -s["expected"])
    return render("carrier/home.html", "carrier/_home.html", shops=shops, today=deadlines.local_date(now, "Europe/Paris"))
