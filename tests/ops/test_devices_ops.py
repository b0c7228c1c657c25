"""A device revoked by an operator, the steps its queue sends afterwards held once each, and each held step
decided once; every decision in the audit log."""
import uuid

import pytest
from sqlalchemy import select

from hub.core import clock
from hub.core.extensions import db
from hub.core.models import Account, AuditAction, AuditEntry, Device, HeldStatus, Role, SignIn
from hub.ops import accounts, devices


@pytest.fixture
def device(world):
    now = clock.now()
    device = Device(id=str(uuid.uuid4()), shop_id=world.shop.id, name="Caisse 1", first_seen_at=now, last_seen_at=now)
    db.session.add(device)
    db.session.flush()
    accounts.start_sign_in(world.associate, device.id, now)
    return device


@pytest.fixture
def operator(world):
    account = Account(username="ops@reseau.example", display_name="Opérateur", role=Role.OPERATOR,
                      password_hash="-", operated_networks=[world.network])
    db.session.add(account)
    db.session.flush()
    return account


def audit_of(device):
    return [(e.action, e.after) for e in db.session.scalars(select(AuditEntry).where(AuditEntry.device_id == device.id)
                                                             .order_by(AuditEntry.id))]


def step(key=None):
    return dict(command_id=key or str(uuid.uuid4()), method="POST", path="/capacite/complet",
                content_type="application/x-www-form-urlencoded", body="full=1", occurred_at=None, account_id=None,
                vouched=False)


def test_a_revocation_needs_a_reason_and_changes_nothing_without_one(world, device, operator):
    with pytest.raises(devices.ReasonNeeded):
        devices.revoke(device, operator, " \n ", [world.network], clock.now())
    assert device.revoked_at is None and audit_of(device) == []


def test_a_revocation_ends_the_sign_ins_and_says_who_why_and_when(world, device, operator):
    now = clock.now()
    assert devices.revoke(device, operator, "volé", [world.network], now) == 1
    assert db.session.scalars(select(SignIn).where(SignIn.device_id == device.id, SignIn.ended_at.is_(None))).all() == []
    assert (device.revoked_by, device.revoke_reason, device.revoked_at) == (operator, "volé", now)
    assert audit_of(device) == [(AuditAction.DEVICE_REVOKED, "volé")]


def test_a_step_is_held_once_per_command_id(world, device):
    key = str(uuid.uuid4())
    first = devices.hold(device, step(key), clock.now())
    assert devices.hold(device, step(key), clock.now()) is first
    assert devices.held_steps(device) == [first] and first.status == HeldStatus.HELD


def test_a_held_step_is_decided_once(world, device, operator):
    held = devices.hold(device, step(), clock.now())
    devices.decide(held, operator, HeldStatus.REFUSED, "Refusée par le réseau.", [world.network], clock.now())
    assert (held.status, held.decided_by_id) == (HeldStatus.REFUSED, operator.id)
    with pytest.raises(devices.AlreadyDecided):
        devices.decide(held, operator, HeldStatus.APPLIED, "", [world.network], clock.now())
    assert audit_of(device) == [(AuditAction.HELD_STEP_REFUSED, "refused: Refusée par le réseau.")]
