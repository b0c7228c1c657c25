"""« Dépôt d'un client »: the customer's parcel taken at the counter, and the deposit receipt it earns."""
from flask import Blueprint, abort, render_template

from ..ops import deposits as ops

bp = Blueprint("deposit", __name__, url_prefix="/depot")


@bp.get("/recu/<token>")
def receipt(token):
    """The deposit receipt, proof that the shop took the parcel: opened from its QR code or e-mail, no login."""
    deposit = ops.receipt(token)
    if deposit is None:
        abort(404)
    return render_template("deposit/receipt.html", deposit=deposit, parcel=deposit.parcel,
                           event=ops.deposit_event(deposit))
