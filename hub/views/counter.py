"""The counter app's home and the parcel and pickup pages of the associate's shop."""
from flask import Blueprint
from flask_login import current_user

from ..core.commands import command
from ..core.models import Parcel, Pickup
from ..core import clock
from ..ops.dropoff import find_again
from ..ops.tasks import pending_tasks
from ..ops.returns import waiting_too_long
from ..ops.queries import shop_load
from ..rules.errors import DomainError
from ..rules.parcels import WHAT_TO_DO
from ..core.web import actor, associate_required, in_my_shop_or_404, render

bp = Blueprint("counter", __name__)


@bp.get("/")
@associate_required
def home():
    """Three large actions, the shop's load, and the notices that need the associate.

    While a task is overdue the home shows only that task, and why.
    """
    shop, now = current_user.shop, clock.now()
    tasks = pending_tasks(shop)
    return render("counter/home.html", "counter/_home.html", shop=shop, load=shop_load(shop.id), tasks=tasks, now=now,
                  blocked=next((t for t in tasks if t.overdue(now)), None),
                  too_long=waiting_too_long(shop, now))


@bp.get("/colis/<int:parcel_id>")
@associate_required
def parcel(parcel_id):
    """One parcel of the shop, what to do with it, and its whole history."""
    return _parcel_page(in_my_shop_or_404(Parcel, parcel_id))


def _parcel_page(parcel, **extra):
    return render("counter/parcel.html", "counter/_parcel.html", parcel=parcel, what_to_do=WHAT_TO_DO[parcel.state],
                  **extra)


@bp.post("/colis/<int:parcel_id>/retrouve")
@associate_required
@command
def found_again(parcel_id):
    """« Colis retrouvé »: a parcel marked not found is back on the shelf."""
    parcel = in_my_shop_or_404(Parcel, parcel_id)
    try:
        find_again(parcel, actor())
    except DomainError as err:
        return _parcel_page(parcel, refused=err)
    return _parcel_page(parcel)


@bp.get("/retraits/<int:pickup_id>")
@associate_required
def pickup(pickup_id):
    """A customer's pickup at this shop, with its parcels."""
    return render("counter/pickup.html", "counter/_pickup.html", pickup=in_my_shop_or_404(Pickup, pickup_id))
