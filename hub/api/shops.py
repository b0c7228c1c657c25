"""The shop feed: what a network's shop finder shows of its shops, read and updated with the counter's own
rules (hours, closures, capacity, « complet », capabilities, active, time zone)."""
from flask import g
from sqlalchemy import select

from ..core import clock
from ..core.commands import command
from ..core.extensions import db
from ..core.models import Shop
from ..ops import documents
from ..ops import shipments as ops
from ..ops import shop as shop_ops
from ..rules import hours as hours_rules
from .area import IDEMPOTENCY, api_actor, blueprint
from .schemas import ShopFeedOut, ShopUpdateIn

bp = blueprint("shops", url_prefix="/shops", description="The network's shops, as its shop finder shows them.")


def _feed(shop):
    return documents.shop_feed(shop, documents.local_today(shop, clock.now()))


@bp.route("", methods=["GET"])
@bp.response(200, ShopFeedOut(many=True))
def index():
    """Every shop of the network, active or not."""
    shops = db.session.scalars(select(Shop).where(Shop.networks.any(id=g.network.id)).order_by(Shop.id)).all()
    return [_feed(shop) for shop in shops]


@bp.route("/<int:shop_id>", methods=["GET"])
@bp.response(200, ShopFeedOut)
def show(shop_id):
    """One shop's feed."""
    return _feed(ops.shop_of(g.network, shop_id))


@bp.route("/<int:shop_id>", methods=["PATCH"])
@bp.doc(parameters=[IDEMPOTENCY])
@command
@bp.arguments(ShopUpdateIn)
@bp.response(200, ShopFeedOut)
def update(changes, shop_id):
    """Change what the body names, all or nothing, checked as the counter checks it; each change is kept in
    the shop's log and sent to the networks' webhooks."""
    shop = ops.shop_of(g.network, shop_id)
    _apply(shop, changes, api_actor())
    return _feed(shop)


def _apply(shop, changes, actor):
    if "capacity" in changes:
        shop_ops.set_capacity(shop, changes["capacity"], actor)
    if "full" in changes:
        shop_ops.declare_full(shop, changes["full"], actor)
    if "active" in changes:
        shop_ops.set_active(shop, changes["active"], actor)
    if "capabilities" in changes:
        shop_ops.set_capabilities(shop, changes["capabilities"], actor)
    if "timezone" in changes:
        shop_ops.set_timezone(shop, changes["timezone"], actor)
    if "hours" in changes:
        shop_ops.set_week(shop, [(r["weekday"], r["opens"], r["closes"]) for r in changes["hours"]], actor)
    if "closures" in changes:
        today = documents.local_today(shop, actor.now)
        shop_ops.replace_closures(shop, [(hours_rules.Span(c["starts_on"], c["ends_on"]), c.get("reason", ""))
                                         for c in changes["closures"]], actor, today)
