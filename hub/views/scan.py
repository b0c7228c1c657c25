"""A scan on a screen with no scan field (the home screen, a list, a parcel's page): static/scan.js sends
what the scanner typed here, and the answer leads somewhere, or says why not. Never silence."""
from flask import Blueprint, current_app, request, url_for
from flask_login import current_user, login_required
from urllib.parse import urlsplit
from werkzeug.exceptions import HTTPException

from ..core.extensions import db
from ..core.models import Role
from ..ops import scans
from ..ops.turns import ticket_for
from ..rules.errors import DomainError
from ..core.web import actor, go, render

bp = Blueprint("scan", __name__)


def _answer(refused):
    return render("counter/scan_answer.html", "counter/_scan_answer.html", refused=refused)


def _at_the_counter(text):
    """An associate: a notice opens the customer's pickup, a drop-off code its « Dépôt d'un client » screen, a
    label the parcel's page with what to do."""
    who = actor()
    try:
        found = scans.identify(current_user.shop_id, text, who)
    except DomainError as err:
        db.session.commit()  # a wrong 6-digit code counts towards the guessing limit, as at « Collecte du client »
        return _answer(err)
    if found.pickup is not None:
        return go(url_for("pickup.screen", ticket=ticket_for(found.pickup, who.now)))
    if found.deposit_code is not None:
        return go(url_for("deposit.show", ref=found.deposit_code))
    return go(url_for("counter.parcel", parcel_id=found.parcel.id))


def _is_shop_code(text):
    """The shop's QR code holds a link to the shop's page in the carrier app."""
    try:
        endpoint, _args = current_app.url_map.bind("localhost").match(urlsplit(text).path)
    except HTTPException:
        return False
    return endpoint == "carrier.shop"


@bp.post("/scan")
@login_required
def scanned():
    """What a text scanned at rest is: opened when it names something of the user's, else « not recognised »."""
    text = request.form.get("texte", "").strip()[:500]
    if current_user.role == Role.ASSOCIATE:
        return _at_the_counter(text)
    if current_user.role == Role.CARRIER and _is_shop_code(text):
        return go(url_for("carrier.read_code", contenu=text))
    if current_user.role == Role.OPERATOR and text:
        return go(url_for("admin.home", q=text))
    return _answer(scans.NotUnderstood())
