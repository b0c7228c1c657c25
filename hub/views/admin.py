"""The operator's back office at /admin: call-backs, shops (capacity, « Je suis complet », hours, load),
the outbox of customer notices, parcels sent to shops, customers' drop-offs, and parcel search with full
history."""
from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..core import clock, scope
from .capacity import received_chart
from ..core.commands import command
from ..core.extensions import db
from ..core.models import (DeliveryStatus, Network, OutboxMessage, Parcel, Shop, ShopChange, ShopEvent, Size,
                           SupportRequest, SupportStatus)
from ..ops import deposit_list
from ..ops import pickup as pickup_ops
from ..ops import shop as shop_ops
from ..ops.queries import loads_by_shop, shop_load
from ..rules import deadlines
from ..rules.deposits import DepositStatus
from ..rules.dropoff import normalise_tracking_id
from ..rules.errors import DomainError
from ..rules.hours import check_ahead, parse_date
from ..rules.parcels import State
from ..rules.text import folded
from ..ops.support import national
from ..core.web import actor, done, form_id, operator_required, render

bp = Blueprint("admin", __name__, url_prefix="/admin")

FULL_KINDS = (ShopChange.FULL, ShopChange.NOT_FULL)
FAILED = (DeliveryStatus.FAILED, DeliveryStatus.BOUNCED)


def last_full_event(shop_id):
    """Who last said the shop is full (or not any more), and when."""
    return db.session.scalar(
        select(ShopEvent).where(ShopEvent.shop_id == shop_id, ShopEvent.kind.in_(FULL_KINDS))
        .order_by(ShopEvent.at.desc(), ShopEvent.id.desc()).limit(1)
    )


def last_full_events():
    """Each shop's last « Je suis complet » change, in one query ({shop_id: ShopEvent})."""
    latest = (select(func.max(ShopEvent.id)).where(ShopEvent.kind.in_(FULL_KINDS))
              .group_by(ShopEvent.shop_id).scalar_subquery())
    return {e.shop_id: e for e in db.session.scalars(select(ShopEvent).where(ShopEvent.id.in_(latest)))}


SEARCH_PAGE = 50


def _search_key(query):
    """What the search looks for, on which indexed column: a query with a digit is the start of a tracking ID
    (as normalised), anything else the start of the recipient's name, folded (no case, no accents)."""
    if any(ch.isdigit() for ch in query):
        return Parcel.tracking_id, normalise_tracking_id(query)
    return Parcel.recipient_folded, " ".join(folded(query).split())


def find_parcels(query, after=None, size=SEARCH_PAGE):
    """One page of the operator's parcels whose tracking ID or name starts with ``query``, in the column's order,
    from just after ``after`` (the last row's (key, id) of the page before): a range on an index per network,
    whatever the number of parcels. Returns (parcels, the next page's ``after`` or None)."""
    column, prefix = _search_key(query)
    if not prefix:
        return [], None
    # A prefix as a range, which both databases read from the index (LIKE would need a special collation).
    where = [column >= prefix, column < prefix + "\uffff"]
    if after is not None:
        where.append(sa.tuple_(column, Parcel.id) > tuple(after))
    # One range per network the operator runs, on the (network, key) index, then merged: each stays a
    # bounded read of that network's index, however many parcels the other networks hold.
    rows = [parcel for network_id in scope.network_ids() for parcel in db.session.scalars(
        select(Parcel).where(Parcel.network_id == network_id, *where).order_by(column, Parcel.id).limit(size + 1)
        .options(joinedload(Parcel.shop)))]
    rows.sort(key=lambda parcel: (getattr(parcel, column.key), parcel.id))
    page, more = rows[:size], len(rows) > size
    return page, ([getattr(page[-1], column.key), page[-1].id] if more else None)


def _after():
    """The (key, id) the page starts after, from the « next page » link; anything else starts at the top."""
    after = request.args.getlist("apres")
    return (after[0], int(after[1])) if len(after) == 2 and after[1].isdigit() else None


@bp.get("/colis")
@operator_required
def search():
    """Parcel search: the start of a tracking ID, or of the recipient's name; 50 a page, the next on request."""
    query = request.args.get("q", "").strip()[:64]
    found, next_after = find_parcels(query, _after(), SEARCH_PAGE) if query else ([], None)
    return render("admin/search.html", "admin/_search.html", query=query, found=found, next_after=next_after,
                  by_tracking=_search_key(query)[0] is Parcel.tracking_id)


def _deposit_status():
    """The status the list is filtered by (None for all); an unknown one answers 404."""
    raw = request.args.get("etat", "")
    if not raw:
        return None
    try:
        return DepositStatus(raw)
    except ValueError:
        abort(404)


@bp.get("/depots")
@operator_required
def deposits():
    """The operator's networks' customers' drop-offs, newest first, 50 a page, filtered by status."""
    status = _deposit_status()
    shown, next_after = deposit_list.page(scope.network_ids(), status, deposit_list.read_after(request.args.getlist("apres")))
    return render("admin/deposits.html", "admin/_deposits.html", deposits=shown, next_after=next_after,
                  filtered=status, statuses=list(DepositStatus), now=clock.now())


def _call_backs(status=None):
    where = SupportRequest.status == status if status else SupportRequest.status != SupportStatus.CLOSED
    return db.session.scalars(select(SupportRequest).where(where, scope.call_backs())
                              .order_by(SupportRequest.created_at)).all()


@bp.get("/")
@operator_required
def home():
    """Parcel search, the call-back queue, and the shops with their load and « Je suis complet »."""
    shops = db.session.scalars(select(Shop).where(scope.shops()).order_by(Shop.name)).all()
    loads, declared = loads_by_shop(), last_full_events()
    return render("admin/home.html", "admin/home.html", requests=_call_backs(), national=national,
                  shops=[(s, loads.get(s.id, 0), declared.get(s.id)) for s in shops],
                  returns_waiting=returns_waiting(), now=clock.now())


def returns_waiting():
    """Per shop: parcels staged for return, and since when the oldest has waited for a carrier."""
    return db.session.execute(
        select(Shop, func.count(Parcel.id), func.min(Parcel.state_since))
        .join(Parcel, Parcel.shop_id == Shop.id).where(Parcel.state == State.TO_RETURN, scope.parcels())
        .group_by(Shop.id).order_by(func.min(Parcel.state_since))
    ).all()


def _status(raw, refusal):
    """A call-back status named in a form or a URL; anything else is refused with ``refusal``."""
    try:
        return SupportStatus(raw)
    except ValueError:
        abort(refusal)


@bp.get("/assistance")
@operator_required
def call_backs():
    """The call-back requests with one status (closed ones included), oldest first."""
    status = _status(request.args.get("statut", SupportStatus.NEW), 404)
    return render("admin/call_backs.html", "admin/call_backs.html", shown=status, statuses=list(SupportStatus),
                  requests=_call_backs(status), national=national)


@bp.post("/assistance/<int:request_id>")
@operator_required
@command
def update_call_back(request_id):
    """Move a call-back request along: new → called → closed."""
    req = scope.call_back_or_404(request_id)
    req.status = _status(request.form.get("status"), 422)
    return render("admin/_call_back.html", "admin/_call_back.html", req=req, national=national)


@bp.get("/colis/<int:parcel_id>")
@operator_required
def parcel(parcel_id):
    """A parcel's full event history, and its customer's pickup with the notices sent."""
    parcel = scope.parcel_or_404(parcel_id)
    return render("admin/parcel.html", "admin/parcel.html", parcel=parcel, **_pickup_context(parcel.pickup))


def _pickup_context(pickup, **extra):
    notices = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.pickup_id == pickup.id).order_by(OutboxMessage.id)
    ).all() if pickup else []
    return dict(pickup=pickup, pickup_notices=notices, **extra)


@bp.post("/retraits/<int:pickup_id>/renvoyer-avis")
@operator_required
@command
def resend_notice(pickup_id):
    """Customer service sends the pickup notice again, with the same code; the outbox keeps the record."""
    pickup = scope.pickup_or_404(pickup_id)
    try:
        pickup_ops.resend_notice(pickup, actor())
    except DomainError as err:
        return render("admin/_pickup.html", "admin/_pickup.html", refused=err, **_pickup_context(pickup))
    return done(url_for("admin.outbox"), _("Notice sent again to %(email)s.", email=pickup.customer_email),
                lambda: render("admin/_pickup.html", "admin/_pickup.html", resent=True, **_pickup_context(pickup)))


def _shop_context(shop, **extra):
    events = db.session.scalars(
        select(ShopEvent).where(ShopEvent.shop_id == shop.id).order_by(ShopEvent.at.desc(), ShopEvent.id.desc())
        .limit(30)
    ).all()
    return dict(shop=shop, load=shop_load(shop.id), declared=last_full_event(shop.id), events=events,
                chart=received_chart(shop, clock.now()), **extra)


@bp.get("/points/<int:shop_id>")
@operator_required
def shop(shop_id):
    """One shop: load and capacity, « Je suis complet » (who, when), hours, the 30-day chart, its changes."""
    shop = scope.shop_or_404(shop_id)
    return render("admin/shop.html", "admin/shop.html", **_shop_context(shop))


@bp.post("/points/<int:shop_id>/capacite")
@operator_required
@command
def set_capacity(shop_id):
    """Change how many parcels the shop agreed to hold."""
    shop = scope.shop_or_404(shop_id)
    try:
        shop_ops.set_capacity(shop, request.form.get("capacity", ""), actor())
    except DomainError as err:
        return render("admin/shop.html", "admin/_capacity_form.html", refused=err, **_shop_context(shop))
    return done(url_for("admin.shop", shop_id=shop.id), _("Capacity saved."),
                lambda: render("admin/shop.html", "admin/_capacity_form.html", saved=True, **_shop_context(shop)))


@bp.get("/avis")
@operator_required
def outbox():
    """The customer notices, newest first, and first those that did not reach their customer."""
    newest = select(OutboxMessage).options(selectinload(OutboxMessage.attempts_made)).order_by(
        OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    newest = newest.where(scope.messages())
    failed = db.session.scalars(newest.where(OutboxMessage.status.in_(FAILED)).limit(50)).all()
    return render("admin/outbox.html", "admin/outbox.html", messages=db.session.scalars(newest.limit(200)).all(),
                  failed=failed)


def _send_context(**extra):
    shops = db.session.scalars(select(Shop).where(scope.shops()).order_by(Shop.name)).all()
    networks = db.session.scalars(select(Network).where(Network.id.in_(scope.network_ids()))
                                  .order_by(Network.name)).all()
    today = deadlines.local_date(clock.now(), "Europe/Paris")
    return dict(shops=shops, networks=networks, sizes=list(Size), today=today, **extra)


def _chosen(model, field):
    ident = form_id(request.form.get(field))
    mine = scope.shops() if model is Shop else Network.id.in_(scope.network_ids())
    found = db.session.scalar(select(model).where(model.id == ident, mine)) if ident is not None else None
    if found is None:
        raise shop_ops.MissingField(field=shop_ops.FIELD_TITLES[field])
    return found


def _send_parcel():
    form = request.form
    shop, network = _chosen(Shop, "shop"), _chosen(Network, "network")
    today = deadlines.local_date(clock.now(), shop.timezone)
    expected_on = check_ahead(parse_date(form["expected_on"]), today) if form.get("expected_on", "").strip() else None
    return shop_ops.send_expected(
        shop, network, actor(), tracking_id=form.get("tracking_id", ""),
        recipient_name=form.get("recipient_name", ""), recipient_email=form.get("recipient_email", ""),
        size=form.get("size", "small"), description=form.get("description", ""),
        expected_on=expected_on or today)


@bp.get("/envois")
@operator_required
def send():
    """The form that sends a parcel to a shop, where it is then expected."""
    return render("admin/send.html", "admin/_send_form.html", form={}, **_send_context())


@bp.post("/envois")
@operator_required
@command
def send_parcel():
    """Send a parcel to a shop; a shop that is full or inactive refuses it, and the reason is shown."""
    try:
        parcel = _send_parcel()
    except DomainError as err:
        return render("admin/send.html", "admin/_send_form.html", refused=err, form=request.form, **_send_context())
    return done(url_for("admin.send"),
                _("Parcel %(tracking_id)s is expected at %(shop)s.", tracking_id=parcel.tracking_id, shop=parcel.shop.name),
                lambda: render("admin/send.html", "admin/_send_form.html", sent=parcel, form={}, **_send_context()))
