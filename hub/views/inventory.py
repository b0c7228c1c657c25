"""« Inventaire »: what the shop holds, by customer, with search, « Synchroniser » and a CSV export.

The export is for a spreadsheet on the shop's computer, and French Excel is what most shops have:
so it is UTF-8 with a byte-order mark (without one, Excel reads « Léa » as « LÃ©a »), fields are
separated by « ; » (French Excel's list separator, since « , » is the decimal comma), and cells
that would start with = + - @ get a leading apostrophe so a spreadsheet never runs them as formulas.
"""
import csv
import io

from flask import Blueprint, Response, request
from flask_babel import gettext as _
from flask_login import current_user

from ..core import clock
from ..core.models import Pickup
from ..ops import deposits as deposit_ops
from ..ops.queries import counts_by_state, folded, inventory, shop_load
from ..rules import deadlines
from ..rules.parcels import IN_SHOP, State
from ..core.web import associate_required, in_my_shop_or_404, render

bp = Blueprint("inventory", __name__, url_prefix="/inventaire")

SHOWN_STATES = (State.AT_STORE, State.EXPIRED, State.TO_RETURN, State.NOT_FOUND, State.DEPOSITED)
DEPOSITS_SHOWN = 100  # the « R » shelf holds a few dozen at most; past this, the count says how many more
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _context(query=""):
    shop = current_user.shop
    counts = counts_by_state(shop.id)
    return dict(shop=shop, load=shop_load(shop.id), counts=[(s, counts[s]) for s in SHOWN_STATES],
                customers=inventory(shop.id, query), query=query, deposits_count=counts[State.DEPOSITED],
                deposits=deposit_ops.waiting(shop, DEPOSITS_SHOWN) if counts[State.DEPOSITED] else [])


@bp.get("/")
@associate_required
def index():
    """The parcels in the shop: counts by state, the list by customer; « Synchroniser » re-reads it."""
    synced_at = clock.now() if request.args.get("synchro") else None
    return render("inventory/index.html", "inventory/_inventory.html", synced_at=synced_at,
                  **_context(request.args.get("q", "").strip()))


@bp.get("/recherche")
@associate_required
def search():
    """The customers whose name or tracking ID matches what is typed (the list alone for HTMX)."""
    return render("inventory/index.html", "inventory/_list.html", **_context(request.args.get("q", "").strip()))


@bp.get("/clients/<int:pickup_id>")
@associate_required
def customer(pickup_id):
    """A customer's tracking numbers and parcel names, with their shelf places and states."""
    pickup = in_my_shop_or_404(Pickup, pickup_id)
    parcels = [p for p in pickup.parcels if p.state in IN_SHOP]
    return render("inventory/customer.html", "inventory/_customer.html", pickup=pickup, parcels=parcels)


def _cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _rows(shop):
    yield [_("Customer"), _("Tracking ID"), _("Parcel"), _("Size"), _("Shelf place"), _("State"), _("Network"),
           _("Received on"), _("Last pickup day")]
    for customer in inventory(shop.id):
        for p in customer.parcels:
            yield _row(shop, customer.name, p)
    for p in deposit_ops.waiting(shop):  # customers' drop-offs, the sender named as the customer
        yield _row(shop, p.recipient_name, p)


def _row(shop, name, p):
    return [name, p.tracking_id, p.description, _(p.size.title), p.shelf_place, _(p.state.title), p.network.name,
            p.dropped_at and deadlines.local_date(p.dropped_at, shop.timezone).strftime("%d/%m/%Y"),
            p.last_day and p.last_day.strftime("%d/%m/%Y")]


@bp.get("/inventaire.csv")
@associate_required
def export():
    """The inventory as a CSV file that French Excel opens with its accents right."""
    shop = current_user.shop
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    for row in _rows(shop):
        writer.writerow([_cell(value) for value in row])
    day = deadlines.local_date(clock.now(), shop.timezone).isoformat()
    filename = f"inventaire-{folded(shop.name).replace(' ', '-')}-{day}.csv"
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{_ascii(filename)}"'})


def _ascii(name):
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-.") else "-" for ch in name)
