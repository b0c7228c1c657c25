"""Shipments in: the network announces parcels to its shops, one or many at a time, and cancels or
redirects one that has not arrived yet."""
from flask import g
from marshmallow import ValidationError

from ..core import problems
from ..core.commands import command
from ..core.web import explain
from ..ops import documents
from ..ops import shipments as ops
from ..rules.errors import DomainError
from . import errors
from .area import IDEMPOTENCY, api_actor, blueprint
from .schemas import RedirectIn, ShipmentBatchIn, ShipmentBatchOut, ShipmentIn, ParcelOut

bp = blueprint("shipments", url_prefix="/shipments",
               description="Parcels announced to the network's shops, before they arrive.")
@bp.route("", methods=["POST"])
@bp.doc(parameters=[IDEMPOTENCY])
@command
@bp.arguments(ShipmentIn)
@bp.response(201, ParcelOut)
@bp.alt_response(200, schema=ParcelOut, description="Announced before with the same contents: nothing changed.")
def announce(item):
    """Announce one parcel to a shop: 201 made, 200 already announced the same way, 409 another parcel has
    that tracking ID (the answer carries it)."""
    parcel, created = ops.announce(g.network, item, api_actor())
    return documents.parcel_doc(parcel), 201 if created else 200


@bp.route("/batch", methods=["POST"])
@bp.doc(parameters=[IDEMPOTENCY])
@command
@bp.arguments(ShipmentBatchIn)
@bp.response(200, ShipmentBatchOut)
def announce_many(batch):
    """Announce up to 100 parcels: each one is accepted or refused with its reason, on its own."""
    return {"results": [_one(raw) for raw in batch["parcels"]]}


def _one(raw):
    tracking_id = str(raw.get("tracking_id") or "")[:64] or None
    try:
        item = ShipmentIn().load(raw)
    except ValidationError as err:
        return _refused(tracking_id, 422, errors.fields_refused(), errors=err.messages)
    try:
        parcel, created = ops.announce(g.network, item, api_actor())
    except DomainError as err:
        extra = {"existing": err.existing} if getattr(err, "existing", None) else {}
        return _refused(tracking_id, err.status, explain(err), **extra)
    return {"tracking_id": parcel.tracking_id, "status": 201 if created else 200, "accepted": True,
            "parcel": documents.parcel_doc(parcel), "problem": None}


def _refused(tracking_id, status, detail, **extensions):
    return {"tracking_id": tracking_id, "status": status, "accepted": False, "parcel": None,
            "problem": problems.document(status, detail, **extensions)}


@bp.route("/<tracking_id>/cancel", methods=["POST"])
@bp.doc(parameters=[IDEMPOTENCY])
@command
@bp.response(200, ParcelOut)
def cancel(tracking_id):
    """The parcel will not come: only while it is still expected (409 once it reached the shop)."""
    parcel = ops.parcel_of(g.network, tracking_id)
    ops.cancel(parcel, api_actor())
    return documents.parcel_doc(parcel)


@bp.route("/<tracking_id>/redirect", methods=["POST"])
@bp.doc(parameters=[IDEMPOTENCY])
@command
@bp.arguments(RedirectIn)
@bp.response(200, ParcelOut)
def redirect(body, tracking_id):
    """The parcel goes to another of the network's shops: only while it is still expected."""
    parcel = ops.parcel_of(g.network, tracking_id)
    ops.redirect(parcel, ops.shop_of(g.network, body["shop_id"]), api_actor())
    return documents.parcel_doc(parcel)
