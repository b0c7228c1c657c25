"""« Appareils »: the devices of the operator's shops in the back office, at /admin/appareils — each with its
name, shop, last associate, last contact, app version and offline queue; a revocation (lost, stolen) with its
reason; and the steps its queue sent after it was revoked, each accepted or refused by the operator."""
from urllib.parse import parse_qsl

from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core import clock, scope
from ..core.commands import command
from ..core.extensions import db
from ..core.models import Device, HeldStatus
from ..core.revoked import apply_held
from ..core.web import done, operator_required, render
from ..ops import devices as device_ops
from ..rules.errors import DomainError

bp = Blueprint("devices", __name__, url_prefix="/admin/appareils")

HIDDEN_FIELDS = ("csrf_token", "command_id")


@bp.get("/")
@operator_required
def index():
    """Every device of the operator's shops (and carriers), last seen first, grouped by shop."""
    return render("devices/devices.html", "devices/devices.html", devices=device_ops.listed(scope.devices()),
                  shop=None)


@bp.get("/point/<int:shop_id>")
@operator_required
def of_shop(shop_id):
    """The devices of one of the operator's shops (reached from the shop's page)."""
    shop = scope.shop_or_404(shop_id)
    return render("devices/devices.html", "devices/devices.html", devices=device_ops.listed(Device.shop_id == shop.id),
                  shop=shop)


def _fields(step):
    """A held step's form as the operator reads it (the CSRF token and command id left out)."""
    if not step.content_type.startswith("application/x-www-form-urlencoded"):
        return []
    return [(name, value) for name, value in parse_qsl(step.body, keep_blank_values=True) if name not in HIDDEN_FIELDS]


def _page(device, status=200, **extra):
    return render("devices/device.html", "devices/_device.html", status=status, device=device,
                  steps=device_ops.held_steps(device), fields=_fields, **extra)


@bp.get("/<device_id>")
@operator_required
def show(device_id):
    """One device: what the network knows of it, « Révoquer », and the steps held since its revocation."""
    return _page(scope.device_or_404(device_id))


@bp.post("/<device_id>/revoquer")
@operator_required
@command
def revoke(device_id):
    """Revoke a device: its sign-ins and its replay token end now; its next contact wipes its offline data."""
    device, reason = scope.device_or_404(device_id), request.form.get("reason", "")
    try:
        device_ops.revoke(device, current_user, reason, scope.device_networks(device), clock.now())
    except DomainError as err:
        return _page(device, refused=err, reason=reason)
    return done(url_for("devices.show", device_id=device.id), _("The device is revoked."), lambda: _page(device))


def _decide(device_id, step_id, decision):
    device = scope.device_or_404(device_id)
    step = scope.held_step_or_404(device, step_id)
    try:
        if step.status != HeldStatus.HELD:
            raise device_ops.AlreadyDecided(status=step.status.title)
        status, outcome = decision(step)
        device_ops.decide(step, current_user, status, outcome, scope.device_networks(device), clock.now())
    except DomainError as err:
        db.session.rollback()
        return _page(device, refused=err)
    db.session.commit()
    return done(url_for("devices.show", device_id=device.id), None, lambda: _page(device))


def _applied(step):
    applied, outcome = apply_held(step)
    return (HeldStatus.APPLIED if applied else HeldStatus.FAILED), outcome


@bp.post("/<device_id>/etapes/<int:step_id>/accepter")
@operator_required
def accept(device_id, step_id):
    """Apply a held step as its replay would have been (same command id: applied once), and show the outcome.

    Not a @command: the step's own command id makes applying it idempotent, and its status a second decision."""
    return _decide(device_id, step_id, _applied)


@bp.post("/<device_id>/etapes/<int:step_id>/refuser")
@operator_required
def refuse(device_id, step_id):
    """Refuse a held step: kept, marked refused with who and when, never applied."""
    return _decide(device_id, step_id, lambda step: (HeldStatus.REFUSED, _("Refused by the network.")))
