"""« Collecte du livreur »: the expired-parcel scan, « Impossible à trouver » + « OK », the hand-over followed live."""
from flask import Blueprint, abort, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..core import clock
from ..core.commands import command
from ..core.extensions import db
from ..core.models import Parcel, Visit
from ..ops import dropoff as dropoff_ops
from .dropoff import shop_code_context
from ..ops import returns as ops
from ..rules.dropoff import VisitKind
from ..rules.errors import DomainError
from ..rules.parcels import State
from ..core.web import actor, associate_required, in_my_shop_or_404, render

bp = Blueprint("returns", __name__, url_prefix="/retours")
TAKEN = frozenset({State.RETURNED, State.DISPATCHED})  # what a carrier's scan at the collection leaves


def _current_visit(shop, now):
    visit = db.session.scalar(
        select(Visit).where(Visit.shop_id == shop.id, Visit.kind == VisitKind.RETURN, Visit.closed_at.is_(None))
        .order_by(Visit.opened_at.desc())
    )
    return visit if visit is None or dropoff_ops.settle(visit, now).open else None


def _start_context(shop, **extra):
    now = clock.now()
    visit = _current_visit(shop, now)
    (_, returning, _), (_, deposits, _) = ops.groups_to_hand_over(shop)
    return dict(shop=shop, waiting=ops.waiting_scan(shop), deadline=ops.scan_deadline(shop),
                returning=returning, deposits=deposits, too_long=ops.waiting_too_long(shop, now), visit=visit,
                taken=[p for p in dropoff_ops.visit_parcels(visit) if p.state in TAKEN] if visit else [],
                now=now, **extra)


def _start_page(shop, **extra):
    return render("returns/start.html", "returns/_start.html", **_start_context(shop, **extra),
                  **shop_code_context(shop, clock.now()))


@bp.get("/")
@associate_required
def start():
    """The shop code for the returns carrier, what to hand them, the expired parcels still to scan, the visit live."""
    return _start_page(current_user.shop)


def _expired_context(shop, **extra):
    waiting = ops.waiting_scan(shop)
    deadline = ops.scan_deadline(shop, waiting)
    return dict(shop=shop, waiting=waiting, deadline=deadline, overdue=bool(deadline and clock.now() >= deadline),
                **extra)


@bp.get("/expires")
@associate_required
def expired():
    """The expired parcels to scan for return, with their shelf places."""
    return render("returns/expired.html", "returns/_expired.html", **_expired_context(current_user.shop))


@bp.post("/expires/scan")
@associate_required
@command
def scan():
    """An expired parcel scanned: staged for the carrier."""
    shop = current_user.shop
    try:
        parcel, move = ops.stage(shop, request.form.get("tracking_id", "").strip(), actor())
    except DomainError as err:
        return render("returns/expired.html", "returns/_expired.html", refused=err, **_expired_context(shop))
    return render("returns/expired.html", "returns/_expired.html", staged=parcel, repeat=move.repeat,
                  **_expired_context(shop))


@bp.get("/colis/<int:parcel_id>/introuvable")
@associate_required
def ask_missing(parcel_id):
    """« Impossible à trouver »: ask the associate to confirm with « OK »."""
    parcel = in_my_shop_or_404(Parcel, parcel_id)
    return render("returns/expired.html", "returns/_expired.html", confirm=parcel, **_expired_context(parcel.shop))


@bp.post("/colis/<int:parcel_id>/manquant")
@associate_required
@command
def missing(parcel_id):
    """« OK »: the expired parcel cannot be found; it is declared missing."""
    parcel = in_my_shop_or_404(Parcel, parcel_id)
    try:
        ops.mark_missing(parcel, actor())
    except DomainError as err:
        return render("returns/expired.html", "returns/_expired.html", refused=err, **_expired_context(parcel.shop))
    return render("returns/expired.html", "returns/_expired.html", marked=parcel, **_expired_context(parcel.shop))


def _deposit_in_my_shop_or_404(parcel_id):
    """A customer's drop-off of the associate's shop; any other parcel answers 404."""
    parcel = in_my_shop_or_404(Parcel, parcel_id)
    if not parcel.outgoing:
        abort(404)
    return parcel


@bp.get("/depots/<int:parcel_id>/introuvable")
@associate_required
def ask_deposit_missing(parcel_id):
    """« Impossible à trouver » on a customer's drop-off: ask the associate to confirm with « OK »."""
    parcel = _deposit_in_my_shop_or_404(parcel_id)
    return _start_page(parcel.shop, confirm=parcel)


@bp.post("/depots/<int:parcel_id>/manquant")
@associate_required
@command
def deposit_missing(parcel_id):
    """« OK »: the customer's drop-off cannot be found; it is declared missing and its network told."""
    parcel = _deposit_in_my_shop_or_404(parcel_id)
    try:
        ops.mark_missing(parcel, actor())
    except DomainError as err:
        return _start_page(parcel.shop, refused=err)
    return _start_page(parcel.shop, marked=parcel)


def support_message(shop, parcels):
    """The call-back request's text, pre-filled for parcels no carrier has come for."""
    ids = ", ".join(p.tracking_id for p in parcels)
    return f"{shop.name} — {ids}"


def support_url(shop, parcels):
    return url_for("help.contact", depuis=url_for("returns.start"), message=support_message(shop, parcels))


bp.add_app_template_global(support_url, "support_url")
