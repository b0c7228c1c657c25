"""The back office's side of the integrations, at /admin/reseaux: each network's API keys (made, listed,
revoked) and webhooks with their deliveries and attempts, and « Renvoyer » for a delivery or a customer
notice that did not go through."""
from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core import clock, scope
from ..core.commands import command
from ..core.extensions import db
from ..core.models import ApiKey, Network, WebhookDelivery, WebhookEndpoint
from ..core.web import done, operator_required, render
from ..ops import api_keys, outbox


bp = Blueprint("integrations", __name__, url_prefix="/admin")
SHOWN_DELIVERIES = 100


@bp.get("/reseaux/")
@operator_required
def networks():
    """The operator's networks, with how many keys and webhook URLs it has."""
    return render("integrations/networks.html", "integrations/networks.html",
                  networks=db.session.scalars(select(Network).where(Network.id.in_(scope.network_ids()))
                                              .order_by(Network.name)).all())


def _network_context(network, **extra):
    keys = db.session.scalars(select(ApiKey).where(ApiKey.network_id == network.id).order_by(ApiKey.id)).all()
    endpoints = db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.network_id == network.id)
                                   .order_by(WebhookEndpoint.id)).all()
    deliveries = db.session.scalars(
        select(WebhookDelivery).join(WebhookEndpoint).where(WebhookEndpoint.network_id == network.id)
        .options(selectinload(WebhookDelivery.attempts_made), selectinload(WebhookDelivery.endpoint))
        .order_by(WebhookDelivery.id.desc()).limit(SHOWN_DELIVERIES)).all()
    return dict(network=network, keys=keys, endpoints=endpoints, deliveries=deliveries, **extra)


@bp.get("/reseaux/<int:network_id>")
@operator_required
def network(network_id):
    """One network: its API keys, its webhook URLs, its latest deliveries with their attempts."""
    return render("integrations/network.html", "integrations/network.html",
                  **_network_context(scope.network_or_404(network_id)))


@bp.post("/reseaux/<int:network_id>/cles")
@operator_required
def create_key(network_id):
    """Make an API key for the network; it is shown on this answer only.

    Not a @command: a command keeps its answer to replay it, and this answer holds the key, which is
    never stored. Sent twice, it makes two keys; the operator revokes the one not handed over.
    """
    network = scope.network_or_404(network_id)
    row, key = api_keys.create(network, request.form.get("name", ""), clock.now())
    db.session.commit()
    return render("integrations/network.html", "integrations/_keys.html",
                  **_network_context(network, new_key=key, new_key_row=row))


@bp.post("/cles/<int:key_id>/revoquer")
@operator_required
@command
def revoke_key(key_id):
    """Revoke a key: the network's system it was given to is refused from now on."""
    row = scope.key_or_404(key_id)
    api_keys.revoke(row, clock.now())
    return done(url_for("integrations.network", network_id=row.network_id), _("Key revoked."),
                lambda: render("integrations/network.html", "integrations/_keys.html",
                               **_network_context(row.network)))


@bp.post("/livraisons/<int:delivery_id>/renvoyer")
@operator_required
@command
def send_delivery_again(delivery_id):
    """« Renvoyer »: the worker posts this webhook delivery again."""
    delivery = scope.delivery_or_404(delivery_id)
    outbox.send_again(delivery, clock.now())
    return done(url_for("integrations.network", network_id=delivery.endpoint.network_id),
                _("The delivery will be sent again."),
                lambda: render("integrations/network.html", "integrations/_delivery.html", delivery=delivery,
                               resent=True))


@bp.post("/avis/<int:message_id>/renvoyer")
@operator_required
@command
def send_notice_again(message_id):
    """« Renvoyer »: the worker sends this customer notice again (after the address was fixed, say)."""
    message = scope.message_or_404(message_id)
    outbox.send_again(message, clock.now())
    return done(url_for("admin.outbox"), _("The notice will be sent again."),
                lambda: render("admin/outbox.html", "admin/_message.html", message=message, resent=True))
