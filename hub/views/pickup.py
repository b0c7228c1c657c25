"""« Collecte du client »: open a customer's pickup with their notice, hand the parcels over, « Terminé ».

The pickup screen's address carries the turn's signed ticket (hub/ops/turns.py).
"""
from functools import wraps

from flask import Blueprint, abort, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core import clock
from ..core.commands import command
from ..core.extensions import db
from ..core.models import Parcel
from ..ops import pickup as ops
from ..ops.turns import load_turn, ticket_for
from ..rules import pickup as rules
from ..rules.errors import N_, DomainError, WrongCode
from ..core.web import actor, associate_required, done, go, render

bp = Blueprint("pickup", __name__, url_prefix="/collecte")


def with_turn(view):
    """Give the view the turn its ticket names; an expired ticket goes back to the start screen."""

    @wraps(view)
    def wrapper(ticket, **kwargs):
        try:
            turn = load_turn(ticket, current_user.shop_id, actor().when)
        except rules.TurnExpired as err:
            return _start(refused=err)
        if turn is None:
            abort(404)
        return view(turn, **kwargs)

    return wrapper


def _start(refused=None, typed=False):
    now = clock.now()
    guard = ops.guard(current_user.shop_id, g.device_id, now)
    locked = rules.seconds_left(guard.locked_until, now) if guard.locked_until else 0
    warn = isinstance(refused, WrongCode) and not locked and guard.attempts_left <= rules.WARN_WHEN_LEFT
    return render("pickup/start.html", "pickup/_start.html", refused=refused, typed=typed,
                  locked_seconds=locked, attempts_left=guard.attempts_left if warn else None,
                  window_minutes=int(rules.WINDOW.total_seconds() // 60))


def _screen_context(turn, **extra):
    return dict(turn=turn, pickup=turn.pickup, lines=ops.turn(turn.pickup, turn.opened_at), **extra)


def _screen(turn, refused=None, message=None, open_parcel=None):
    return render("pickup/screen.html", "pickup/_screen.html", refused=refused,
                  **_screen_context(turn, message=message, open_parcel=open_parcel))


def screen_fragment(turn):
    """The pickup screen of ``turn`` as it stands, for the offline bundle (the page around it: ``screen_shell``)."""
    return render_template("pickup/_screen.html", **_screen_context(turn))


def screen_shell(slot):
    """The page every pickup screen sits in, with ``slot``'s markers for the customer's name and the screen."""
    return render_template("pickup/screen.html", slot=slot)


def _after(turn, message):
    """A done step: HTMX gets the cards again with the message; a plain form is sent back to them."""
    return done(url_for("pickup.screen", ticket=turn.ticket), message, lambda: _screen(turn, message=message))


def _parcel_of(pickup, parcel_id):
    parcel = db.session.get(Parcel, parcel_id)
    if parcel is None or parcel.pickup_id != pickup.id:
        abort(404)
    return parcel


@bp.get("/")
@associate_required
def start():
    """A scan field with the focus for the notice's barcode, and « Entrer le code » for the 6 digits."""
    return _start()


@bp.post("/")
@associate_required
def open_pickup():
    """The notice's barcode or the 6-digit code opens the customer's pickup; a wrong one changes nothing."""
    who, typed = actor(), request.form.get("via") == "code"
    try:
        pickup = ops.open_pickup(current_user.shop_id, request.form.get("entry", ""), who)
    except DomainError as err:
        # Not a @command: the refusal must not roll back the failure it recorded for the guessing limit.
        db.session.commit()
        return _start(refused=err, typed=typed)
    return go(url_for("pickup.screen", ticket=ticket_for(pickup, who.now)))


@bp.get("/<ticket>")
@associate_required
@with_turn
def screen(turn):
    """The customer's parcels with size, shelf place and state; « Scanner les colis »; « Terminé »."""
    return _screen(turn)


@bp.post("/<ticket>/scanner")
@associate_required
@command
@with_turn
def scan(turn):
    """A label scanned, or typed after « Impossible de scanner »: hand that parcel to the customer."""
    entry = request.form.get("tracking_id", "")
    if ops.is_notice_of(turn.pickup, entry):
        return _screen(turn, message=_("This is the customer’s notice. Now scan the labels of the parcels."))
    try:
        parcel, move = ops.hand_over(turn.pickup, entry, actor())
    except DomainError as err:
        return _screen(turn, refused=err, open_parcel=request.form.get("parcel_id", type=int))
    if move.repeat:
        return _after(turn, _("%(tracking_id)s was already handed over.", tracking_id=parcel.tracking_id))
    return _after(turn, _("Handed over: %(tracking_id)s. Give it to the customer.", tracking_id=parcel.tracking_id))


def _act(turn, parcel_id, operation, done):
    parcel = _parcel_of(turn.pickup, parcel_id)
    try:
        ops.option(parcel, turn.opened_at, operation, actor())
    except DomainError as err:
        return _screen(turn, refused=err, open_parcel=parcel.id)
    return _after(turn, _(done, tracking_id=parcel.tracking_id))


@bp.post("/<ticket>/colis/<int:parcel_id>/introuvable")
@associate_required
@command
@with_turn
def not_found(turn, parcel_id):
    """« Impossible à trouver »: the parcel is not on its shelf; it stays under the customer's code."""
    return _act(turn, parcel_id, ops.mark_not_found,
                N_("%(tracking_id)s marked not found. It stays under the customer’s code."))


@bp.post("/<ticket>/colis/<int:parcel_id>/rejeter")
@associate_required
@command
@with_turn
def reject(turn, parcel_id):
    """« Rejeter »: the customer refuses the parcel; it goes to the return flow."""
    return _act(turn, parcel_id, ops.reject, N_("%(tracking_id)s rejected: it goes back with the carrier."))


@bp.post("/<ticket>/termine")
@associate_required
@command
@with_turn
def finish(turn):
    """« Terminé »: the turn's summary; a pickup with nothing left under its code ends and frees the code."""
    summary = ops.finish(turn.pickup, turn.opened_at)
    return done(url_for("pickup.summary", ticket=turn.ticket), None, lambda: _summary(turn, summary))


@bp.get("/<ticket>/resume")
@associate_required
@with_turn
def summary(turn):
    """What the turn handed over, could not find, saw rejected, and left under the code."""
    return _summary(turn, ops.summarise(turn.pickup, turn.opened_at))


def _summary(turn, summary):
    return render("pickup/summary.html", "pickup/_summary.html", pickup=turn.pickup, summary=summary)
