"""A network's settings and its shops, managed by its operators in the back office.

Each change is an audit entry (who, when, what, before → after) in every network it concerns; a change to a
shop also goes through the shop's own operations (hub/ops/shop.py), which keep it in the shop's log and tell
the networks' webhooks, as when the API makes it. Like every operation, these flush and never commit.
"""
from ..core.extensions import db
from ..core.models import AuditAction
from ..rules import networks as rules
from . import audit
from . import shop as shop_ops

# The settings form's fields, each with the audit action that records its change.
SETTINGS = (("name", AuditAction.NETWORK_NAME), ("hold_days", AuditAction.HOLD_DAYS),
            ("default_capacity", AuditAction.DEFAULT_CAPACITY),
            ("other_carrier_allowed", AuditAction.OTHER_CARRIER), ("intake_minutes", AuditAction.INTAKE_MINUTES),
            ("dropoff_max_kg", AuditAction.DROPOFF_MAX_KG), ("dropoff_max_cm", AuditAction.DROPOFF_MAX_CM))


def _shown(value):
    """A value as the audit log keeps it (yes/no for a switch, translated where it is shown)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def create_network(account, now, name):
    """A new network, by a name no other network has, run by ``account`` from now on (and recorded in its log)."""
    network = shop_ops.create_network(name)
    account.operated_networks.append(network)
    audit.record(network, account, AuditAction.NETWORK_CREATED, now, subject=network.name, after=network.name)
    return network


def update_settings(network, account, now, *, name, hold_days, default_capacity, other_carrier_allowed,
                    intake_minutes, dropoff_max_kg, dropoff_max_cm):
    """Change the network's settings, all checked before any is saved; a new hold period counts for the parcels
    received from then on (a parcel keeps the one it arrived with), new drop-off limits for the drop-offs
    brought from then on. Returns how many values changed."""
    new = dict(name=shop_ops.network_name(name, network), hold_days=rules.hold_days(hold_days),
               default_capacity=rules.capacity(default_capacity), other_carrier_allowed=bool(other_carrier_allowed),
               intake_minutes=rules.intake_minutes(intake_minutes), dropoff_max_kg=rules.dropoff_max_kg(dropoff_max_kg),
               dropoff_max_cm=rules.dropoff_max_cm(dropoff_max_cm))
    changed = 0
    for field, action in SETTINGS:
        before = getattr(network, field)
        if new[field] != before:
            audit.record(network, account, action, now, subject=network.name, before=_shown(before),
                         after=_shown(new[field]))
            setattr(network, field, new[field])
            changed += 1
    db.session.flush()
    return changed


def _record_shop(shop, networks, account, action, now, before="", after=""):
    for network in networks:
        audit.record(network, account, action, now, subject=shop.name, shop=shop, before=before, after=after)


def create_shop(account, actor, operated, *, networks, capabilities, active, **fields):
    """A new shop serving the networks chosen by id among ``operated`` (the operator's), with its shop code and
    the default week until its hours are set (hub/ops/shop.create_shop)."""
    shop = shop_ops.create_shop(shop_ops.networks_chosen(networks, operated), **fields)
    shop_ops.set_capabilities(shop, capabilities, actor)
    shop_ops.set_active(shop, active, actor)
    _record_shop(shop, shop.networks, account, AuditAction.SHOP_CREATED, actor.now,
                 after=" · ".join(read(shop) for _action, read in SHOP_FIELDS))
    return shop


# What an edit of a shop may change, each read as the audit log keeps it.
SHOP_FIELDS = (
    (AuditAction.SHOP_DETAILS, lambda shop: f"{shop.name}, {shop.address}"),
    (AuditAction.SHOP_TIMEZONE, lambda shop: shop.timezone),
    (AuditAction.SHOP_CAPACITY, lambda shop: str(shop.capacity)),
    (AuditAction.SHOP_SERVICES, lambda shop: ", ".join(_capabilities(shop))),
    (AuditAction.SHOP_ACTIVE, lambda shop: "active" if shop.active else "inactive"),
    (AuditAction.SHOP_NETWORKS, lambda shop: ", ".join(network.name for network in shop.networks)),
)


def _capabilities(shop):
    return [name for name, offered in (("PICK_UP", shop.offers_pickup), ("DROP_OFF", shop.offers_customer_dropoff))
            if offered]


def update_shop(shop, account, actor, operated, *, networks, timezone, capacity, capabilities, active, **details):
    """Change a shop of the operator's networks, all or nothing (the request rolls back on a refusal): name
    and address, time zone, capacity, services, active or not, and which of ``operated`` it serves. Each
    value that changes is an audit entry in every network concerned, before → after."""
    before = {action: read(shop) for action, read in SHOP_FIELDS}
    concerned = set(shop.networks)
    shop_ops.set_details(shop, actor, **details)
    shop_ops.set_timezone(shop, timezone, actor)
    shop_ops.set_capacity(shop, capacity, actor)
    shop_ops.set_capabilities(shop, capabilities, actor)
    shop_ops.set_active(shop, active, actor)
    shop_ops.set_networks(shop, networks, operated, actor)
    concerned |= set(shop.networks)
    changed = [(action, before[action], read(shop)) for action, read in SHOP_FIELDS if read(shop) != before[action]]
    for action, was, now_is in changed:
        _record_shop(shop, sorted(concerned, key=lambda n: n.id), account, action, actor.now, was, now_is)
    return len(changed)
