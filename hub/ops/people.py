"""The people of a network, managed by its operators: associates of the shops that serve it, its carriers,
its operators. Inviting someone, making a reset link and deactivating an account are each recorded in the
audit log (who, when, to whom, before → after). Like every operation, these flush and never commit."""
from sqlalchemy import and_, or_, select

from ..core.extensions import db
from ..core.models import Account, AuditAction, LinkKind, Role, operator_networks, shop_networks
from ..rules.errors import DomainError, N_
from . import accounts, audit

INVITED_ROLES = (Role.ASSOCIATE, Role.CARRIER)


class ShopNotInNetwork(DomainError):
    message = N_("Choose a shop of this network for an associate.")


class RoleNotInvited(DomainError):
    message = N_("Choose a role: associate or carrier.")


class EmailNeeded(DomainError):
    message = N_("An e-mail address is needed: it is the person's username.")


def of_network(network):
    """Where-clause: an account of the network's people."""
    shops = select(shop_networks.c.shop_id).where(shop_networks.c.network_id == network.id)
    operators = select(operator_networks.c.account_id).where(operator_networks.c.network_id == network.id)
    return or_(and_(Account.role == Role.ASSOCIATE, Account.shop_id.in_(shops)),
               and_(Account.role == Role.CARRIER, Account.network_id == network.id),
               and_(Account.role == Role.OPERATOR, Account.id.in_(operators)))


def people(network):
    """The network's people, by role then name."""
    return db.session.scalars(select(Account).where(of_network(network))
                              .order_by(Account.role, Account.display_name, Account.id)).all()


def _record(network, actor, action, account, before, after, now):
    audit.record(network, actor, action, now, subject=account.username, account=account, before=before,
                 after=after)


def _role(raw):
    try:
        role = Role(raw)
    except ValueError:
        raise RoleNotInvited() from None
    if role not in INVITED_ROLES:
        raise RoleNotInvited()
    return role


def invite(network, actor, name, email, raw_role, shop, now):
    """A new associate of one of the network's shops, or carrier of the network, with an invitation link
    (48 hours). Returns (account, token)."""
    role, email = _role(raw_role), (email or "").strip()
    if not email:
        raise EmailNeeded()
    if role == Role.ASSOCIATE and (shop is None or network not in shop.networks):
        raise ShopNotInNetwork()
    account = accounts.create_account(email, name, role, email=email, shop=shop if role == Role.ASSOCIATE else None,
                                      network=network if role == Role.CARRIER else None)
    _, token = accounts.issue_link(account, LinkKind.INVITATION, now)
    where = account.shop.name if account.shop else network.name
    _record(network, actor, AuditAction.INVITED, account, "", f"{account.username}, {role.value}, {where}", now)
    return account, token


def reset_link(network, actor, account, now):
    """A reset link for ``account`` (1 hour); its current password works until the link is used."""
    _, token = accounts.issue_link(account, LinkKind.RESET, now)
    _record(network, actor, AuditAction.RESET_LINK, account, "", "", now)
    return token


def deactivate(network, actor, account, now):
    """``account`` can no longer sign in, and each of its sign-ins ends."""
    before = "active" if account.active else "inactive"
    ended = accounts.deactivate(account, now)
    _record(network, actor, AuditAction.DEACTIVATED, account, before, "inactive", now)
    return ended
