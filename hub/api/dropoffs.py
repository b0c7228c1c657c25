"""Customers' drop-offs: the network announces each one with a code for the customer, and reads what became of it
(each step is also a webhook: dropoff.received, dropoff.collected, dropoff.refused)."""
from flask import g

from ..core.commands import command
from ..ops import deposits as ops
from ..ops import documents
from .area import IDEMPOTENCY, api_actor, blueprint
from .schemas import DropoffIn, DropoffOut

bp = blueprint("dropoffs", url_prefix="/dropoffs",
               description="Parcels customers bring to a shop, to return or to send.")


@bp.route("", methods=["POST"])
@bp.doc(parameters=[IDEMPOTENCY])
@command
@bp.arguments(DropoffIn)
@bp.response(201, DropoffOut)
@bp.alt_response(200, schema=DropoffOut, description="Announced before with the same details: nothing changed.")
def announce(item):
    """Announce a drop-off: 201 with its code, 200 already announced the same way, 409 the tracking ID is taken.

    The code (`DEP-` and 10 letters or digits) is what the customer shows at the counter, valid `valid_days`
    days (14 unless said). `kind` is `return` or `sending`; `label_needed` when the customer has no label (the
    shop prints one or sticks its own barcode). Without `shop_id` any shop of the network that takes drop-offs
    accepts it; with it, that shop's devices also carry the code offline (404 a shop not in your network).
    409 the tracking ID was announced with other details, or is a parcel of your network; 422 a bad field.
    Each step then comes as a webhook: `dropoff.received`, `dropoff.refused`, `dropoff.collected`,
    `dropoff.missing`, `dropoff.found_again`."""
    deposit, created = ops.announce(g.network, item, api_actor())
    return documents.deposit_doc(deposit), 201 if created else 200


@bp.route("/<code>", methods=["GET"])
@bp.response(200, DropoffOut)
def show(code):
    """One of the network's drop-offs, by its code: announced, refused, deposited, taken by the carrier.

    `state` is `announced`, `refused` (with `refusal`: `too_heavy` or `too_long`), or the parcel's state once a
    shop took it: `deposited` (waiting for the carrier), `dispatched` (taken by the carrier), `missing`.
    404 a code of no drop-off of your network."""
    return documents.deposit_doc(ops.deposit_of(g.network, code))
