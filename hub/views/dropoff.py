"""« Livraison par le livreur »: the shop code for the carrier, the visit followed live, the « Autre » intake."""
from datetime import datetime, timedelta, timezone

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..core import clock
from ..core.commands import command
from ..core.extensions import db
from ..core.models import Network, Parcel, Visit
from ..ops import dropoff as ops
from ..ops.tasks import pending_tasks
from ..ops.queries import shop_load
from ..rules import codes
from ..rules.dropoff import VisitKind, VisitMode
from ..rules.errors import DomainError
from ..core.web import actor, associate_required, go, in_my_shop_or_404, refuse, render, visit_key

bp = Blueprint("dropoff", __name__, url_prefix="/livraison")

SUMMARY_SHOWN_FOR = timedelta(minutes=15)


def _network_or_404(network_id):
    network = db.session.get(Network, network_id)
    if network is None or network not in current_user.shop.networks:
        abort(404)
    return network


@bp.get("/")
@associate_required
def start():
    """Choose the network only when the shop serves more than one (the seed's « choisissez Amazon »)."""
    networks = current_user.shop.networks
    if len(networks) == 1:
        return redirect(url_for("dropoff.code", network_id=networks[0].id))
    return render("dropoff/choose.html", "dropoff/_choose.html", networks=networks)


@bp.get("/<int:network_id>")
@associate_required
def code(network_id):
    """The shop's QR code and 6-digit number, large, computed on the device; the visit below it, live."""
    return _code_screen(_network_or_404(network_id))


def _code_screen(network, **extra):
    shop, now = current_user.shop, clock.now()
    return render("dropoff/code.html", "dropoff/_code.html", shop=shop, network=network,
                  **shop_code_context(shop, now), **_follow_context(shop, now, since=now), **extra)


def shop_code_context(shop, now):
    """What the shop code's card needs (templates/_shop_code.html): the code now; the device rotates it."""
    return dict(code=codes.shop_code(shop.totp_secret, now), code_step=codes.SHOP_CODE_STEP)


def _latest_visit(shop, now, since):
    """The open drop-off at the shop, else the one that ended since the screen was opened (its summary),
    at most some minutes ago: a screen opened later does not show the previous carrier's."""
    since = max(since, now - SUMMARY_SHOWN_FOR)
    visit = db.session.scalar(
        select(Visit).where(Visit.shop_id == shop.id, Visit.kind == VisitKind.DROPOFF, Visit.mode == VisitMode.CARRIER,
                            (Visit.closed_at.is_(None)) | (Visit.closed_at > since))
        .order_by(Visit.closed_at.is_not(None), Visit.opened_at.desc())
    )
    visit = visit and ops.settle(visit, now)
    return visit if visit and (visit.open or visit.closed_at > since) else None


def _since(now):
    """When the code screen was opened, from its polling URL (seconds since the epoch)."""
    seconds = request.args.get("depuis", type=int)
    try:
        return datetime.fromtimestamp(seconds, timezone.utc) if seconds is not None else now - SUMMARY_SHOWN_FOR
    except (OverflowError, OSError, ValueError):
        return now - SUMMARY_SHOWN_FOR


def _follow_context(shop, now, visit=None, since=None):
    since = since or _since(now)
    visit = visit or _latest_visit(shop, now, since)
    return dict(visit=visit, parcels=ops.visit_parcels(visit, last=ops.SHOWN) if visit else [],
                tally=ops.visit_tally(visit) if visit else None, load=shop_load(shop.id), capacity=shop.capacity,
                since=int(since.timestamp()))


@bp.get("/suivi")
@associate_required
def follow():
    """The carrier's visit as it happens (polled by the code screen)."""
    shop = current_user.shop
    return render("dropoff/follow.html", "dropoff/_follow.html", **_follow_context(shop, clock.now()))


def _visit_here_or_404(key, intake=False):
    """A visit at the associate's shop, by its key (only an « Autre » intake when ``intake``). An intake
    started offline is made when its start reaches the server."""
    query = select(Visit).where(Visit.key == key, Visit.shop_id == current_user.shop_id)
    visit = db.session.scalar(query.where(Visit.mode == VisitMode.OTHER) if intake else query)
    if visit is None:
        refuse(404, _("This delivery is not open on the server. If it was started without network, "
                      "see « To check »."))
    return visit


@bp.post("/visites/<key>/colis/<int:parcel_id>/refuser")
@associate_required
@command
def refuse_damaged(key, parcel_id):
    """The associate refuses a damaged parcel before the visit closes."""
    visit = _visit_here_or_404(key)
    parcel = in_my_shop_or_404(Parcel, parcel_id)
    try:
        ops.refuse_damaged(visit, parcel, actor())
    except DomainError as err:
        return _follow_fragment(visit, refused=err)
    return _follow_fragment(visit)


def _follow_fragment(visit, status=200, **extra):
    """The associate's view of ``visit``: the live follow of a carrier, or their own « Autre » intake."""
    if visit.mode == VisitMode.OTHER:
        return render("dropoff/intake.html", "dropoff/_intake.html", status=status, **_intake_context(visit), **extra)
    context = _follow_context(current_user.shop, clock.now(), visit=visit)
    return render("dropoff/follow.html", "dropoff/_follow.html", status=status, **context, **extra)


# « Autre »: another carrier's driver; the associate scans the parcels in.

@bp.post("/<int:network_id>/autre")
@associate_required
@command
def start_intake(network_id):
    """Start scanning in another carrier's parcels (the network's minutes of opening time to finish), where the
    network allows it and the shop is active."""
    network = _network_or_404(network_id)
    try:
        visit = ops.start_intake(current_user.shop, network.id, current_user, actor(), key=visit_key())
    except DomainError as err:
        return _code_screen(network, refused=err)
    return go(url_for("dropoff.intake", key=visit.key))


def _intake_context(visit, opening=False):
    deadline = next((t.deadline for t in pending_tasks(visit.shop) if t.params.get("key") == visit.key), None)
    return dict(visit=visit, parcels=[] if opening else ops.visit_parcels(visit, last=ops.SHOWN),
                tally={"scanned": 0, "refused": 0, "received": 0} if opening else ops.visit_tally(visit),
                expected=ops.expected_parcels(visit, limit=ops.SHOWN), waiting=ops.count_expected(visit),
                deadline=deadline, load=shop_load(visit.shop_id), capacity=visit.shop.capacity,
                overdue=bool(deadline and clock.now() >= deadline))


def first_intake_screen(shop, network_id, key, now):
    """An « Autre » intake's screen as it is when it starts, for the offline bundle (never stored)."""
    visit = Visit(key=key, shop=shop, shop_id=shop.id, network_id=network_id, kind=VisitKind.DROPOFF, mode=VisitMode.OTHER,
                  opened_at=now)
    return render_template("dropoff/intake.html", **_intake_context(visit, opening=True))


@bp.get("/autre/<key>")
@associate_required
def intake(key):
    """The associate's own scan list for an « Autre » delivery."""
    visit = _visit_here_or_404(key, intake=True)
    return render("dropoff/intake.html", "dropoff/_intake.html", **_intake_context(visit))


@bp.post("/autre/<key>/scan")
@associate_required
@command
def intake_scan(key):
    """A label scanned by the associate during an « Autre » intake."""
    visit = _visit_here_or_404(key, intake=True)
    tracking_id = request.form.get("tracking_id", "").strip()
    try:
        parcel, outcome = ops.scan_in(visit, tracking_id, actor())
    except DomainError as err:
        return render("dropoff/intake.html", "dropoff/_intake.html", refused=err, **_intake_context(visit))
    return render("dropoff/intake.html", "dropoff/_intake.html", scanned=parcel, outcome=outcome.value,
                  **_intake_context(visit))


@bp.post("/autre/<key>/terminer")
@associate_required
@command
def finish_intake(key):
    """End the « Autre » intake: the counter is free again."""
    visit = _visit_here_or_404(key, intake=True)
    ops.finish_visit(visit, actor())
    return render("dropoff/intake.html", "dropoff/_intake.html", finished=True, **_intake_context(visit))
