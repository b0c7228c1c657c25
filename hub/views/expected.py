"""« Colis attendus »: the parcels on their way to the shop, today and on the next days, by network."""
from itertools import groupby

from flask import Blueprint
from flask_login import current_user

from ..core import clock
from ..ops.queries import expected_parcels
from ..rules import deadlines
from ..core.web import associate_required, render

bp = Blueprint("expected", __name__, url_prefix="/attendus")


def by_day_and_network(parcels):
    """[(day or None, [(network, [parcels])])], in the order the query gives them."""
    return [
        (day, [(network, list(group)) for network, group in groupby(day_parcels, key=lambda p: p.network)])
        for day, day_parcels in ((d, list(g)) for d, g in groupby(parcels, key=lambda p: p.expected_on))
    ]


@bp.get("/")
@associate_required
def index():
    """Parcels expected at the shop: late ones first, then today, the next days, and those with no date."""
    shop = current_user.shop
    parcels = expected_parcels(shop.id)
    return render("expected/index.html", "expected/_index.html", shop=shop, days=by_day_and_network(parcels),
                  total=len(parcels), today=deadlines.local_date(clock.now(), shop.timezone))
