"""Webhooks: the URLs where the network hears of every parcel event and shop change, signed."""
from flask import g
from sqlalchemy import select

from ..core import clock
from ..core.commands import command
from ..core.extensions import db
from ..core.models import WebhookEndpoint
from ..ops import webhooks as ops
from ..rules.errors import DomainError, N_
from .area import IDEMPOTENCY, blueprint
from .schemas import MAX_ID, WebhookCreatedOut, WebhookIn, WebhookOut

bp = blueprint("webhooks", url_prefix="/webhooks",
               description="Signed deliveries of every parcel event (`parcel.*`), customer's drop-off step"
                           " (`dropoff.received`, `dropoff.refused`, `dropoff.collected`, `dropoff.missing`,"
                           " `dropoff.found_again`) and shop change (`shop.updated`) (HMAC-SHA256 over"
                           " `timestamp.body`; headers Comptoir-Timestamp and Comptoir-Signature).")


class UnknownWebhook(DomainError):
    status = 404
    message = N_("There is no webhook %(id)s in your network.")


def _doc(endpoint, secret=False):
    doc = {"id": endpoint.id, "url": endpoint.url, "active": endpoint.active,
           "created_at": endpoint.created_at.isoformat()}
    return dict(doc, secret=endpoint.secret) if secret else doc


@bp.route("", methods=["GET"])
@bp.response(200, WebhookOut(many=True))
def index():
    """The network's webhook URLs still active."""
    return [_doc(e) for e in db.session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.network_id == g.network.id, WebhookEndpoint.active)
        .order_by(WebhookEndpoint.id))]


@bp.route("", methods=["POST"])
@bp.doc(parameters=[IDEMPOTENCY])
@command
@bp.arguments(WebhookIn)
@bp.response(201, WebhookCreatedOut)
def create(body):
    """A new URL to deliver to; the answer holds its signing secret, shown this once.

    It hears of every parcel event (`parcel.*`), every step of a customer's drop-off (`dropoff.received`,
    `dropoff.refused`, `dropoff.collected`, `dropoff.missing`, `dropoff.found_again`) and shop change
    (`shop.updated`)."""
    return _doc(ops.add_endpoint(g.network, body["url"], clock.now()), secret=True)


@bp.route("/<int:webhook_id>", methods=["DELETE"])
@bp.doc(parameters=[IDEMPOTENCY])
@command
@bp.response(204)
def delete(webhook_id):
    """Stop delivering to this URL; what it was sent stays on record."""
    endpoint = db.session.get(WebhookEndpoint, webhook_id) if webhook_id <= MAX_ID else None
    if endpoint is None or endpoint.network_id != g.network.id or not endpoint.active:
        raise UnknownWebhook(id=webhook_id)
    ops.remove_endpoint(endpoint)
    return ""
