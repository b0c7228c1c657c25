"""The carrier app at /livreur: today's shops, the shop code that opens a visit, parcels scanned in."""
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from ..core import clock
from ..core.commands import command
from ..core.extensions import db
from ..core.models import Parcel, Shop, Visit
from ..ops import dropoff as ops
from ..ops import returns
from ..ops.queries import is_open, shop_load, todays_shops
from ..rules.dropoff import VisitKind, VisitMode
from ..rules.errors import DomainError, N_
from ..core.web import actor, carrier_required, go, offline_replay, refuse, render, visit_key

bp = Blueprint("carrier", __name__, url_prefix="/livreur")
RETURN_GROUPS = {returns.RETURNS: N_("Returns"), returns.DEPOSITS: N_("Customers' drop-offs — to hand to the carrier")}


@bp.get("/")
@carrier_required
def home(error=None):
    """Today's shops: their address, whether they are open, and what waits there."""
    everything = request.args.get("tous") == "1"
    shops = todays_shops(current_user.network_id, everything)
    return render("carrier/home.html", "carrier/_home.html", shops=shops, everything=everything, error=error,
                  status=422 if error else 200)


@bp.get("/code")
@carrier_required
def read_code():
    """What the shop's QR code holds (a link to the shop's page with its code), read by a scanner."""
    content = request.args.get("contenu", "").strip()
    try:
        endpoint, args = current_app.url_map.bind("localhost").match(urlsplit(content).path)
    except HTTPException:
        endpoint, args = None, {}
    code = parse_qs(urlsplit(content).query).get("code", [""])[0]
    if endpoint != "carrier.shop":
        return home(error=_("This is not a shop's QR code. Type the shop's 6-digit code instead."))
    return redirect(url_for("carrier.shop", shop_id=args["shop_id"], code=code), 303)


def _my_shop_or_404(shop_id):
    """A shop of the carrier's network, active or not (one taken off the network still hands its returns over);
    any other answers 404."""
    shop = db.session.get(Shop, shop_id)
    if shop is None or current_user.network_id not in {n.id for n in shop.networks}:
        abort(404)
    return shop


def _my_visit_or_404(key, shown=True):
    """The carrier's own visit named ``key``. None may exist yet: a visit opened offline is made when
    its opening reaches the server, and never if the shop code is refused then. A visit ``shown`` is
    settled at the server's time; a step made in it is judged at its own (``ops.ensure_open``)."""
    visit = db.session.scalar(select(Visit).where(Visit.key == key, Visit.account_id == current_user.id))
    if visit is None:
        refuse(404, _("This visit is not open. If it was opened without network, the shop code may have been "
                      "refused when it was sent: see « To check »."))
    return ops.settle(visit, clock.now()) if shown else visit


@bp.get("/points/<int:shop_id>")
@carrier_required
def shop(shop_id):
    """The shop's page in the carrier app: type its 6-digit code (or arrive from its QR code)."""
    shop = _my_shop_or_404(shop_id)
    return render("carrier/shop.html", "carrier/_shop.html", shop=shop, code=request.args.get("code", ""),
                  open_now=is_open(shop, clock.now()))


def _scanned_at(now):
    """When the carrier read the code. Online that is now: a code must be fresh. Only a visit opened
    from the offline queue is checked against the device's stamp (ms since epoch), and is marked offline."""
    if not offline_replay():
        return now
    try:
        return datetime.fromtimestamp(int(request.form["scanned_at"]) / 1000, timezone.utc)
    except (KeyError, ValueError, OverflowError, OSError):
        return now


@bp.post("/points/<int:shop_id>/visites")
@carrier_required
@command
def open_visit(shop_id):
    """« Scanner le code du point relais »: a right code opens the visit; a wrong or stale one opens nothing."""
    shop = _my_shop_or_404(shop_id)
    who = actor()
    kind = VisitKind.RETURN if request.form.get("kind") == VisitKind.RETURN else VisitKind.DROPOFF
    try:
        visit = ops.open_visit(shop, current_user.network_id, current_user, who,
                               request.form.get("code", ""), _scanned_at(who.now), kind=kind, key=visit_key())
    except DomainError as err:
        return render("carrier/shop.html", "carrier/_shop.html", refused=err, shop=shop,
                      code=request.form.get("code", ""), open_now=is_open(shop, who.now))
    return go(url_for("carrier.visit", key=visit.key))


def _waiting(visit):
    """What the visit may still scan: the first lines and how many there are, in groups shown apart (at a
    return visit, the returns and the customers' drop-offs; at a delivery, one group)."""
    if visit.kind == VisitKind.RETURN:
        return [(RETURN_GROUPS[states], parcels, count)
                for states, parcels, count in returns.groups_to_hand_over(visit.shop, visit.network_id, ops.SHOWN)]
    return [(None, ops.expected_parcels(visit, limit=ops.SHOWN), ops.count_expected(visit))]


def _visit_context(visit, opening=False, **extra):
    """The visit's screen: its latest scans and the first parcels still waiting, each list counted whole (a
    visit ``opening`` has scanned nothing yet)."""
    groups = _waiting(visit)
    expected, waiting = [p for _title, parcels, _count in groups for p in parcels], sum(g[2] for g in groups)
    tally = {"scanned": 0, "refused": 0, "received": 0} if opening else ops.visit_tally(visit)
    return dict(visit=visit, parcels=[] if opening else ops.visit_parcels(visit, last=ops.SHOWN), tally=tally,
                groups=groups, expected=expected, waiting=waiting, load=shop_load(visit.shop_id), capacity=visit.shop.capacity,
                **extra)


def first_visit_screen(shop, network_id, kind, key, now):
    """The visit's screen as it is the moment it opens (nothing scanned yet), for the offline bundle:
    a device with no network opens the visit on it, and the server makes the visit when the opening
    reaches it. The visit here is never stored."""
    visit = Visit(key=key, shop=shop, shop_id=shop.id, network_id=network_id, kind=kind, mode=VisitMode.CARRIER,
                  opened_at=now)
    return render_template("carrier/visit.html", **_visit_context(visit, opening=True))


def _scan(visit, tracking_id, who):
    """A label scanned at the counter: a parcel delivered, or a return taken, as the visit is."""
    if visit.kind == VisitKind.RETURN:
        parcel, move = returns.hand_to_carrier(visit, tracking_id, who)
        return parcel, "taken" if not move.repeat else "already_taken"
    parcel, outcome = ops.scan_in(visit, tracking_id, who)
    return parcel, outcome.value


@bp.get("/visites/<key>")
@carrier_required
def visit(key):
    """The carrier's scan screen at a shop."""
    return render("carrier/visit.html", "carrier/_visit.html", **_visit_context(_my_visit_or_404(key)))


@bp.post("/visites/<key>/scan")
@carrier_required
@command
def scan(key):
    """A parcel label scanned (or its tracking ID typed) during the visit."""
    visit = _my_visit_or_404(key, shown=False)
    try:
        parcel, outcome = _scan(visit, request.form.get("tracking_id", "").strip(), actor())
    except DomainError as err:
        return render("carrier/visit.html", "carrier/_visit.html", refused=err, **_visit_context(visit))
    return render("carrier/visit.html", "carrier/_visit.html", scanned=parcel, outcome=outcome,
                  **_visit_context(visit))


@bp.post("/visites/<key>/colis/<int:parcel_id>/refuser")
@carrier_required
@command
def refuse_damaged(key, parcel_id):
    """« Refuser — colis endommagé »: the parcel stays with the carrier."""
    visit = _my_visit_or_404(key, shown=False)
    parcel = db.session.get(Parcel, parcel_id)
    if parcel is None or parcel.network_id != current_user.network_id:
        abort(404)
    try:
        ops.refuse_damaged(visit, parcel, actor())
    except DomainError as err:
        return render("carrier/visit.html", "carrier/_visit.html", refused=err, **_visit_context(visit))
    return render("carrier/visit.html", "carrier/_visit.html", refused_parcel=parcel, **_visit_context(visit))


@bp.post("/visites/<key>/terminer")
@carrier_required
@command
def finish(key):
    """« Terminer la livraison »: the visit closes with its summary."""
    visit = ops.finish_visit(_my_visit_or_404(key, shown=False), actor())
    return render("carrier/visit.html", "carrier/_visit.html", **_visit_context(visit))
