"""The customer's pickup notice at /retrait/<token>: barcode, 6-digit code, shop, hours, last day, and
« Renvoyer l'avis » (by e-mail and text message again, a few times an hour at most)."""
import segno
from flask import Blueprint, abort, g, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from ..core import clock
from ..core.commands import command
from ..core.extensions import db, limiter
from ..core.models import Pickup
from ..ops import Actor
from ..ops import pickup as pickup_ops
from ..rules.deadlines import local_date
from ..rules.errors import DomainError
from ..rules.parcels import COLLECTABLE
from ..core.web import done, render

bp = Blueprint("notice", __name__)


def barcode_svg(content):
    """The notice's barcode: a QR code (phone cameras and counter scanners read it well), inline SVG."""
    return Markup(segno.make(content, error="m", micro=False).svg_inline(scale=6, border=2, dark="#000"))


def _pickup(token):
    return db.session.scalar(select(Pickup).where(Pickup.token == token)) or abort(404)


def _notice(pickup, fragment="notice/show.html", **extra):
    waiting = [p for p in pickup.parcels if p.state in COLLECTABLE]
    last_day = min((p.last_pickup_day for p in waiting if p.dropped_at), default=None)
    now = clock.now()
    return render("notice/show.html", fragment, pickup=pickup, shop=pickup.shop, waiting=waiting, last_day=last_day,
                  past_due=bool(last_day and last_day < local_date(now, pickup.shop.timezone)),
                  barcode=barcode_svg(pickup.token) if waiting else None, now=now, **extra)


@bp.get("/retrait/<token>")
def show(token):
    """The notice the customer shows at the counter. The token is unguessable; no login."""
    return _notice(_pickup(token))


@bp.post("/retrait/<token>/renvoyer")
@limiter.limit("3 per hour", key_func=lambda: "notice:" + request.view_args.get("token", ""))
@limiter.limit("10 per hour", key_func=lambda: "notice-ip:" + (request.remote_addr or ""))
@command
def send_again(token):
    """« Renvoyer l'avis »: the customer gets the notice again, by e-mail and text message, same code."""
    pickup = _pickup(token)
    try:
        pickup_ops.resend_notice(pickup, Actor(None, g.get("device_id"), clock.now(), command_id=g.get("command_id")))
    except DomainError as err:
        return _notice(pickup, "notice/_send_again.html", refused=err)
    return done(url_for("notice.show", token=token), _("The notice is on its way again."),
                lambda: _notice(pickup, "notice/_send_again.html", sent=True))
