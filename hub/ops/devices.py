"""The devices of a network's shops, managed by its operators: a device revoked (lost, stolen), the steps its
offline queue sent afterwards held, and each held step accepted or refused. Every decision is in the audit
log. Like every operation, these flush and never commit."""
from sqlalchemy import select

from ..core.extensions import db
from ..core.models import AuditAction, Device, HeldStatus, HeldStep
from ..rules.errors import Conflict, DomainError, N_
from ..rules.text import plain_text
from . import accounts, audit

LISTED = 200  # devices on one page: a shop has a few; a network's page shows the latest seen


class ReasonNeeded(DomainError):
    message = N_("Say why the device is revoked (lost, stolen, broken…).")


class AlreadyDecided(Conflict):
    message = N_("This step was already decided: %(status)s.")


def listed(where):
    """The devices that meet ``where``, last seen first."""
    return db.session.scalars(select(Device).where(where).order_by(Device.last_seen_at.desc(), Device.id)
                              .limit(LISTED)).all()


def held_steps(device):
    """The steps held from ``device``, in the order they arrived."""
    return db.session.scalars(select(HeldStep).where(HeldStep.device_id == device.id).order_by(HeldStep.id)).all()


def _record(networks, actor, action, device, now, before="", after=""):
    for network in networks:
        audit.record(network, actor, action, now, subject=device.name or device.id, shop=device.shop,
                     device_id=device.id, before=before, after=after)


def revoke(device, actor, reason, networks, now):
    """End every sign-in of ``device`` and its replay token now; its id never signs in again. Returns how many
    sign-ins ended."""
    reason = plain_text(reason, 200)
    if not reason:
        raise ReasonNeeded()
    if device.revoked_at is None:
        device.revoked_by_id = actor.id
    ended = accounts.revoke_device(device, reason, now)
    _record(networks, actor, AuditAction.DEVICE_REVOKED, device, now, before="", after=device.revoke_reason)
    return ended


def hold(device, step, now):
    """Keep a step a revoked device's queue sent (``step``: the HeldStep's fields), once per command id."""
    held = db.session.scalar(select(HeldStep).where(HeldStep.command_id == step["command_id"]))
    if held is None:
        held = HeldStep(device_id=device.id, received_at=now, status=HeldStatus.HELD, **step)
        db.session.add(held)
        db.session.flush()
    return held


def decide(step, actor, status, outcome, networks, now):
    """Close a held step: applied, refused by the server when accepted, or refused by ``actor``; noted in the
    audit log with its outcome."""
    if step.status != HeldStatus.HELD:
        raise AlreadyDecided(status=step.status.title)
    step.status, step.outcome = status, outcome[:500]
    step.decided_at, step.decided_by_id = now, actor.id
    action = AuditAction.HELD_STEP_REFUSED if status == HeldStatus.REFUSED else AuditAction.HELD_STEP_ACCEPTED
    _record(networks, actor, action, step.device, now, before=f"{step.method} {step.path}",
            after=f"{status.value}: {outcome}")
    db.session.flush()
