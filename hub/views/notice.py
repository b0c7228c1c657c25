"""The customer's pickup notice at /retrait/<token>: barcode, 6-digit code, shop, hours, last day."""
import segno
from flask import Blueprint, abort
from markupsafe import Markup
from sqlalchemy import select

from ..core import clock
from ..core.extensions import db
from ..core.models import Pickup
from ..rules.deadlines import local_date
from ..rules.parcels import COLLECTABLE
from ..core.web import render

bp = Blueprint("notice", __name__)


def barcode_svg(content):
    """The notice's barcode: a QR code (phone cameras and counter scanners read it well), inline SVG."""
    return Markup(segno.make(content, error="m", micro=False).svg_inline(scale=6, border=2, dark="#000"))


@bp.get("/retrait/<token>")
def show(token):
    """The notice the customer shows at the counter. The token is unguessable; no login."""
    pickup = db.session.scalar(select(Pickup).where(Pickup.token == token)) or abort(404)
    waiting = [p for p in pickup.parcels if p.state in COLLECTABLE]
    last_day = min((p.last_pickup_day for p in waiting if p.dropped_at), default=None)
    now = clock.now()
    return render("notice/show.html", "notice/show.html", pickup=pickup, shop=pickup.shop, waiting=waiting, last_day=last_day,
                  past_due=bool(last_day and last_day < local_date(now, pickup.shop.timezone)),
                  barcode=barcode_svg(pickup.token) if waiting else None, now=now)
