"""Webhooks: every parcel event and shop change becomes one delivery per endpoint of the network concerned,
written in the same transaction as the event, sent later by the worker (hub/worker), in order per parcel.

Like every operation, these flush at most and never commit. This module imports no other operation:
``hub.ops.record`` and ``hub.ops.shop.note`` call it.
"""
import json
import secrets

from sqlalchemy import select, update

from ..core.extensions import db
from ..core.models import DeliveryStatus, ShopChange, WebhookDelivery, WebhookEndpoint
from ..rules.errors import DomainError, N_
from . import documents

CACHE = "webhook_endpoints"  # per session (so per request or job): endpoints of a network, read once
URL_MAX = 500


class BadWebhookUrl(DomainError):
    message = N_("A webhook URL starts with https:// or http:// and names a host.")


def _endpoints(network_id):
    cache = db.session.info.setdefault(CACHE, {})
    if network_id not in cache:
        cache[network_id] = db.session.scalars(
            select(WebhookEndpoint.id).where(WebhookEndpoint.network_id == network_id, WebhookEndpoint.active)
        ).all()
    return cache[network_id]


def _deliver(endpoint_ids, event_type, ordering_key, body, at):
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    for endpoint_id in endpoint_ids:
        db.session.add(WebhookDelivery(endpoint_id=endpoint_id, event_type=event_type, ordering_key=ordering_key,
                                       body=text, created_at=at, next_attempt_at=at))


def parcel_event(parcel, event):
    """The parcel's network hears of ``event`` (flushed already, so it has its id)."""
    endpoints = _endpoints(parcel.network_id)
    if endpoints:
        doc = documents.event_doc(event, parcel)
        _deliver(endpoints, doc["type"], f"parcel:{parcel.id}",
                 documents.envelope(doc["type"], event.recorded_at, doc), event.recorded_at)


def deposit_refused(deposit, shop, at):
    """The network hears that a shop refused its customer's drop-off, and why."""
    endpoints = _endpoints(deposit.network_id)
    if endpoints:
        doc = dict(documents.deposit_doc(deposit), refused_at_shop_id=shop.id)
        _deliver(endpoints, documents.DROPOFF_REFUSED, f"deposit:{deposit.id}",
                 documents.envelope(documents.DROPOFF_REFUSED, at, doc), at)


def shop_change(shop, event):
    """Every network the shop serves hears of its new settings (its whole feed, as it stands now)."""
    if event.kind in (ShopChange.NOTICE_RESENT, ShopChange.IDLE_MINUTES):
        return  # in the shop's log, but no change to what the networks know of the shop
    feed = None
    for network in shop.networks:
        endpoints = _endpoints(network.id)
        if endpoints:
            feed = feed or dict(documents.shop_feed(shop, documents.local_today(shop, event.at)),
                                change=event.kind.value)
            _deliver(endpoints, documents.SHOP_UPDATED, f"shop:{shop.id}",
                     documents.envelope(documents.SHOP_UPDATED, event.at, feed), event.at)


def add_endpoint(network, url, now):
    """A URL that will hear of the network's events, with a new secret to check their signatures."""
    url = (url or "").strip()
    scheme, sep, rest = url.partition("://")
    if scheme not in ("http", "https") or not sep or not rest.split("/")[0] or len(url) > URL_MAX or " " in url:
        raise BadWebhookUrl()
    endpoint = WebhookEndpoint(network_id=network.id, url=url, secret="whsec_" + secrets.token_hex(24),
                               created_at=now)
    db.session.add(endpoint)
    db.session.flush()
    db.session.info.pop(CACHE, None)
    return endpoint


def remove_endpoint(endpoint):
    """The URL hears of nothing more; what it was sent stays on record."""
    endpoint.active = False
    db.session.execute(update(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id,
                                                     WebhookDelivery.status == DeliveryStatus.PENDING)
                       .values(status=DeliveryStatus.FAILED, last_error="endpoint removed"))
    db.session.info.pop(CACHE, None)
    db.session.flush()
