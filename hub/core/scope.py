"""What an operator of the back office sees: the networks they run, and only what belongs to them.

A parcel belongs to its network; a shop to each network it serves; a device to its shop (a carrier's device,
which has none, to its carrier's network), and the steps held from it to the device; a pickup, a customer notice and a
call-back to their shop (a notice with no pickup to its parcel's network); an API key, a webhook URL and
its deliveries to their network. An operator with no network sees nothing. Anything outside is a 404, as
if it did not exist.
"""
from flask import abort
from flask_login import current_user
from sqlalchemy import and_, exists, false, or_, select

from .extensions import db
from .models import (Account, ApiKey, Device, HeldStep, Network, OutboxMessage, Parcel, Pickup, Role, Shop,
                     SupportRequest, WebhookDelivery, shop_networks)


def network_ids():
    """The ids of the networks the signed-in operator runs."""
    return [network.id for network in current_user.operated_networks]


def shop_ids():
    """A subquery: the ids of the shops that serve one of those networks."""
    return select(shop_networks.c.shop_id).where(shop_networks.c.network_id.in_(network_ids()))


def shops():
    """Where-clause: a shop of the operator's networks."""
    return Shop.id.in_(shop_ids())


def parcels():
    """Where-clause: a parcel of the operator's networks."""
    return Parcel.network_id.in_(network_ids())


def call_backs():
    """Where-clause: a call-back from one of the operator's shops, or from someone not signed in (no shop is
    known: any operator of a network may call back)."""
    anyone = SupportRequest.shop_id.is_(None) if network_ids() else false()
    return or_(SupportRequest.shop_id.in_(shop_ids()), anyone)


def messages():
    """Where-clause: a customer notice of a pickup at one of the operator's shops, or of one of their parcels."""
    # Correlated, so each notice looks up its own pickup or parcel by primary key: never a list of every
    # pickup the shops ever had.
    return or_(exists().where(Pickup.id == OutboxMessage.pickup_id, Pickup.shop_id.in_(shop_ids())),
               exists().where(Parcel.id == OutboxMessage.parcel_id, parcels()))


def devices():
    """Where-clause: a device of one of the operator's shops, or a carrier's device of one of their networks."""
    carriers = select(Account.id).where(Account.role == Role.CARRIER, Account.network_id.in_(network_ids()))
    return or_(Device.shop_id.in_(shop_ids()), and_(Device.shop_id.is_(None), Device.last_account_id.in_(carriers)))


def device_networks(device):
    """The operator's networks that ``device`` belongs to (its shop serves them, or its carrier works for one)."""
    ours = current_user.operated_networks
    if device.shop is not None:
        return [network for network in ours if network in device.shop.networks]
    account = device.last_account
    return [network for network in ours if account is not None and account.network_id == network.id]


def _one_or_404(model, ident, where):
    found = db.session.scalar(select(model).where(model.id == ident, where))
    if found is None:
        abort(404)
    return found


def network_or_404(ident):
    return _one_or_404(Network, ident, Network.id.in_(network_ids()))


def shop_or_404(ident):
    return _one_or_404(Shop, ident, shops())


def parcel_or_404(ident):
    return _one_or_404(Parcel, ident, parcels())


def pickup_or_404(ident):
    return _one_or_404(Pickup, ident, Pickup.shop_id.in_(shop_ids()))


def call_back_or_404(ident):
    return _one_or_404(SupportRequest, ident, call_backs())


def message_or_404(ident):
    return _one_or_404(OutboxMessage, ident, messages())


def key_or_404(ident):
    return _one_or_404(ApiKey, ident, ApiKey.network_id.in_(network_ids()))


def delivery_or_404(ident):
    delivery = db.get_or_404(WebhookDelivery, ident)
    if delivery.endpoint.network_id not in network_ids():
        abort(404)
    return delivery


def device_or_404(ident):
    return _one_or_404(Device, ident, devices())


def held_step_or_404(device, ident):
    return _one_or_404(HeldStep, ident, HeldStep.device_id == device.id)
