"""« Personnes »: a network's people in the back office, at /admin/reseaux/<id>/personnes — associates of
its shops, its carriers and its operators, with their last sign-in; an invitation or a reset link, shown
once; a deactivation; and the audit log of these changes."""
from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..core import clock, scope
from ..core.commands import command
from ..core.extensions import db
from ..core.links import public_url
from ..core.models import Account, Shop
from ..core.web import done, form_id, operator_required, render
from ..ops import audit as audit_ops, people as people_ops
from ..rules.errors import DomainError

bp = Blueprint("people", __name__, url_prefix="/admin/reseaux")


def _context(network, **extra):
    shops = db.session.scalars(select(Shop).where(Shop.networks.contains(network)).order_by(Shop.name)).all()
    return dict(network=network, people=people_ops.people(network), audit=audit_ops.entries(network), shops=shops,
                roles=people_ops.INVITED_ROLES, form=extra.pop("form", {}), **extra)


def _page(network, status=200, **extra):
    return render("people/people.html", "people/_people.html", status=status, **_context(network, **extra))


def _person_or_404(network, account_id):
    """One of the network's associates or carriers (operators are listed, not managed here)."""
    account = db.session.scalar(select(Account).where(Account.id == account_id, people_ops.of_network(network),
                                                      Account.role.in_(people_ops.INVITED_ROLES)))
    if account is None:
        abort(404)
    return account


@bp.get("/<int:network_id>/personnes")
@operator_required
def index(network_id):
    """The network's people with their last sign-in, the invitation form, and the audit log."""
    return _page(scope.network_or_404(network_id))


def _shop_chosen():
    ident = form_id(request.form.get("shop"))
    return db.session.get(Shop, ident) if ident is not None else None


@bp.post("/<int:network_id>/personnes")
@operator_required
def invite(network_id):
    """Invite someone: the account is made and its invitation link (48 hours) shown on this answer only.

    Not a @command: a command keeps its answer to replay it, and this answer holds the link, which is never
    stored. Sent twice, the second is refused: the e-mail address is taken."""
    network, form = scope.network_or_404(network_id), request.form
    try:
        account, token = people_ops.invite(network, current_user, form.get("name", ""), form.get("email", ""),
                                           form.get("role", ""), _shop_chosen(), clock.now())
    except DomainError as err:
        db.session.rollback()
        return _page(network, refused=err, form=form)
    db.session.commit()
    return _page(network, link_for=account, link=public_url("auth.set_password", token=token))


@bp.post("/<int:network_id>/personnes/<int:account_id>/lien")
@operator_required
def reset_link(network_id, account_id):
    """A reset link (1 hour) for one of the network's people, shown on this answer only (not a @command,
    for the same reason as an invitation)."""
    network = scope.network_or_404(network_id)
    account = _person_or_404(network, account_id)
    token = people_ops.reset_link(network, current_user, account, clock.now())
    db.session.commit()
    return _page(network, link_for=account, link=public_url("auth.set_password", token=token))


@bp.post("/<int:network_id>/personnes/<int:account_id>/desactiver")
@operator_required
@command
def deactivate(network_id, account_id):
    """Deactivate one of the network's people: no sign-in any more, and every one of theirs ends."""
    network = scope.network_or_404(network_id)
    account = _person_or_404(network, account_id)
    people_ops.deactivate(network, current_user, account, clock.now())
    return done(url_for("people.index", network_id=network.id),
                _("%(name)s can no longer sign in.", name=account.display_name), lambda: _page(network))
