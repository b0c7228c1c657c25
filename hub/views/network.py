"""The network's settings and its shops in the back office: « Réglages du réseau » at
/admin/reseaux/<id>/reglages (name, hold period, new shops' capacity, the « Autre » carrier's rules, the
largest customer's drop-off, and the
network's audit log), the shops serving the operator's networks at /admin/points/, a new shop, and a shop's
settings. Every change is in the audit log, before → after."""
from zoneinfo import available_timezones

from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..core import clock, scope
from ..core.commands import command
from ..core.extensions import db
from ..core.models import Parcel, Shop
from ..core.web import actor, done, form_id, go, operator_required, render
from ..ops import audit as audit_ops, network as network_ops
from ..ops.queries import loads_by_shop
from ..rules.errors import DomainError, N_

bp = Blueprint("network", __name__, url_prefix="/admin")

# The time zones a shop may choose, France's first: most shops are there.
FIRST_ZONE = "Europe/Paris"
ZONES = [FIRST_ZONE] + sorted(zone for zone in available_timezones() if zone != FIRST_ZONE and "/" in zone)
CAPABILITIES = (("PICK_UP", N_("Customers collect parcels")), ("DROP_OFF", N_("Customers send parcels")))


def _settings_page(network, status=200, **extra):
    return render("network/settings.html", "network/_settings.html", status=status, network=network,
                  audit=audit_ops.entries(network), form=extra.pop("form", None) or _settings_of(network), **extra)


def _settings_of(network):
    """The settings form's values as the network has them."""
    return dict(name=network.name, hold_days=network.hold_days, default_capacity=network.default_capacity,
                other_carrier_allowed="1" if network.other_carrier_allowed else "", intake_minutes=network.intake_minutes,
                dropoff_max_kg=network.dropoff_max_kg, dropoff_max_cm=network.dropoff_max_cm)


@bp.post("/reseaux/")
@operator_required
@command
def create_network():
    """Create a network, run by the operator who creates it; its settings come next."""
    try:
        network = network_ops.create_network(current_user, clock.now(), request.form.get("name", ""))
    except DomainError as err:
        return render("integrations/networks.html", "integrations/networks.html", refused=err,
                      networks=current_user.operated_networks, form=request.form)
    return go(url_for("network.settings", network_id=network.id))


@bp.get("/reseaux/<int:network_id>/reglages")
@operator_required
def settings(network_id):
    """The network's settings, and its audit log."""
    return _settings_page(scope.network_or_404(network_id))


@bp.post("/reseaux/<int:network_id>/reglages")
@operator_required
@command
def save_settings(network_id):
    """Save the network's settings; each value that changes is an audit entry."""
    network, form = scope.network_or_404(network_id), request.form
    try:
        network_ops.update_settings(network, current_user, clock.now(), name=form.get("name", ""),
                                    hold_days=form.get("hold_days", ""), default_capacity=form.get("default_capacity", ""),
                                    other_carrier_allowed=form.get("other_carrier_allowed") == "1",
                                    intake_minutes=form.get("intake_minutes", ""),
                                    dropoff_max_kg=form.get("dropoff_max_kg", ""),
                                    dropoff_max_cm=form.get("dropoff_max_cm", ""))
    except DomainError as err:
        return _settings_page(network, refused=err, form=form)
    return done(url_for("network.settings", network_id=network.id), _("Settings saved."),
                lambda: _settings_page(network, saved=True))


@bp.get("/points/")
@operator_required
def shops():
    """The shops serving the operator's networks: city, active or not, capacity and what they hold."""
    shops = db.session.scalars(select(Shop).where(scope.shops()).order_by(Shop.name, Shop.id)).all()
    return render("network/shops.html", "network/shops.html", shops=shops,
                  loads=loads_by_shop(Parcel.shop_id.in_(scope.shop_ids())))


def _shop_form_page(shop, form, status=200, **extra):
    fragment = "network/_shop_form.html"
    return render("network/shop_form.html", fragment, status=status, shop=shop, form=form, zones=ZONES,
                  capabilities=CAPABILITIES, operated=current_user.operated_networks, **extra)


def _form_of(shop):
    """The shop form's values as ``shop`` has them."""
    capabilities = [name for name, offered in (("PICK_UP", shop.offers_pickup),
                                               ("DROP_OFF", shop.offers_customer_dropoff)) if offered]
    return dict(name=shop.name, street=shop.street, postcode=shop.postcode, city=shop.city, timezone=shop.timezone,
                capacity=shop.capacity, capabilities=capabilities, active="1" if shop.active else "",
                networks=[str(network.id) for network in shop.networks])


def _new_form():
    """A new shop's form: in France, taking parcels in, with the capacity its first network gives."""
    networks = current_user.operated_networks
    return dict(timezone=FIRST_ZONE, capacity=networks[0].default_capacity if networks else 20,
                capabilities=["PICK_UP"], active="1", networks=[str(networks[0].id)] if len(networks) == 1 else [])


def _posted():
    """The shop form as posted: lists where a field may repeat, ids read as ids (anything else is no id)."""
    form = request.form
    fields = {key: form.get(key, "") for key in ("name", "street", "postcode", "city", "timezone", "capacity")}
    return dict(fields, capabilities=form.getlist("capabilities"), active=form.get("active") == "1",
                networks=[form_id(raw) for raw in form.getlist("networks") if raw.strip()])


def _shown_form():
    """The posted form as it is shown again after a refusal."""
    form = request.form
    return dict(form.items(), capabilities=form.getlist("capabilities"), networks=form.getlist("networks"))


@bp.get("/points/nouveau")
@operator_required
def new_shop():
    """The form that creates a shop."""
    return _shop_form_page(None, _new_form())


@bp.post("/points/nouveau")
@operator_required
@command
def create_shop():
    """Create a shop in the operator's networks, with its shop code and the default week."""
    try:
        shop = network_ops.create_shop(current_user, actor(), current_user.operated_networks, **_posted())
    except DomainError as err:
        return _shop_form_page(None, _shown_form(), refused=err)
    return go(url_for("network.edit_shop", shop_id=shop.id, cree=1))


@bp.get("/points/<int:shop_id>/modifier")
@operator_required
def edit_shop(shop_id):
    """A shop's settings: name, address, time zone, networks, capacity, services, active or not."""
    shop = scope.shop_or_404(shop_id)
    return _shop_form_page(shop, _form_of(shop), created=request.args.get("cree") == "1")


@bp.post("/points/<int:shop_id>/modifier")
@operator_required
@command
def update_shop(shop_id):
    """Save a shop's settings; each value that changes is an audit entry and a line of the shop's log."""
    shop = scope.shop_or_404(shop_id)
    try:
        network_ops.update_shop(shop, current_user, actor(), current_user.operated_networks, **_posted())
    except DomainError as err:
        return _shop_form_page(shop, _shown_form(), refused=err)
    return done(url_for("network.edit_shop", shop_id=shop.id), _("Shop saved."),
                lambda: _shop_form_page(shop, _form_of(shop), saved=True))
