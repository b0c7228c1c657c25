"""Accounts made with a one-time link, and the people of a network managed by its operators."""
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.core import clock
from hub.core.extensions import db
from hub.core.models import AuditAction, AuditEntry, LinkKind, OneTimeLink, Role
from hub.ops import accounts, people
from hub.rules.passwords import PasswordTooShort

GOOD = "un café au comptoir du marché"


def test_only_the_digest_of_a_link_is_kept_and_it_lives_48_hours_for_an_invitation(world):
    account = accounts.create_account("Lea@Example.fr", "Léa", Role.OPERATOR, email="Lea@Example.fr")
    row, token = accounts.issue_link(account, LinkKind.INVITATION, clock.now())
    assert account.username == account.email == "lea@example.fr"
    assert row.digest == hashlib.sha256(token.encode()).hexdigest() and token not in row.digest
    assert row.expires_at - row.created_at == timedelta(hours=48)
    assert not account.check_password("!")  # no password signs in before the link sets one


def test_a_link_is_used_once(world):
    _, token = accounts.issue_link(world.associate, LinkKind.RESET, clock.now())
    accounts.use_link(token, GOOD, GOOD, clock.now())
    assert world.associate.check_password(GOOD)
    with pytest.raises(accounts.LinkUsed):
        accounts.use_link(token, GOOD + " bis", GOOD + " bis", clock.now())


def test_a_refused_password_leaves_the_link_unused(world):
    _, token = accounts.issue_link(world.associate, LinkKind.RESET, clock.now())
    db.session.commit()
    with pytest.raises(PasswordTooShort):
        accounts.use_link(token, "court", "court", clock.now())
    db.session.rollback()
    assert db.session.execute(select(OneTimeLink.id, OneTimeLink.used_at)).one()[1] is None
    assert accounts.use_link(token, GOOD, GOOD, clock.now()) == world.associate


def test_a_username_taken_as_another_accounts_email_is_refused(world):
    accounts.create_account("x", "X", Role.CARRIER, email="x@example.fr", network=world.network)
    with pytest.raises(accounts.AccountTaken):
        accounts.create_account("X@EXAMPLE.FR", "Y", Role.OPERATOR, email="X@EXAMPLE.FR")


def test_inviting_and_deactivating_are_audited_with_before_and_after(world):
    operator = accounts.create_account("ops@example.fr", "Ops", Role.OPERATOR, email="ops@example.fr",
                                       networks=[world.network])
    invited, _ = people.invite(world.network, operator, "Nadia", "nadia@example.fr", "associate", world.shop,
                               clock.now())
    people.deactivate(world.network, operator, invited, clock.now())
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.before, e.after, e.actor_id) for e in entries] == [
        (AuditAction.INVITED, "", f"nadia@example.fr, associate, {world.shop.name}", operator.id),
        (AuditAction.DEACTIVATED, "active", "inactive", operator.id)]
    assert invited in people.people(world.network) and not invited.active
