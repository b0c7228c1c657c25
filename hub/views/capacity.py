"""Capacity and « Je suis complet »: the shop's load against what it agreed to hold, and the switch
that makes the networks stop sending it parcels."""
from flask import Blueprint, request, url_for
from flask_login import current_user

from ..core import clock
from ..rules.chart import bar_chart
from ..core.commands import command
from ..ops.shop import declare_full
from ..ops.queries import received_per_day, shop_load
from ..rules import deadlines
from ..core.web import actor, associate_required, done, render, safe_path

bp = Blueprint("capacity", __name__, url_prefix="/capacite")


def received_chart(shop, now):
    """Parcels received per day over the last 30 days, against the shop's capacity."""
    return bar_chart(received_per_day(shop, deadlines.local_date(now, shop.timezone)), shop.capacity)


@bp.get("/")
@associate_required
def index():
    """The load, the « Je suis complet » switch, and 30 days of parcels received against capacity."""
    shop = current_user.shop
    return render("capacity/index.html", "capacity/_index.html", shop=shop, load=shop_load(shop.id),
                  chart=received_chart(shop, clock.now()))


@bp.post("/complet")
@associate_required
@command
def set_full():
    """« Je suis complet »: the networks send no new parcels until the associate says otherwise."""
    shop = current_user.shop
    declare_full(shop, request.form.get("full") == "1", actor())
    return done(safe_path(request.form.get("next"), url_for("counter.home")), None,
                lambda: render("capacity/index.html", "capacity/_load.html", shop=shop, load=shop_load(shop.id)))
