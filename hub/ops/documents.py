"""What the network's systems read of a parcel, its events and a shop: plain dicts, the same in the API's
answers and in the webhooks' bodies (hub/api/schemas.py describes them)."""
from datetime import datetime

from ..rules import deadlines
from ..rules import hours as hours_rules
from ..rules.parcels import Action

EVENT_TYPES = {
    Action.RECEIVE: "parcel.received",
    Action.REFUSE_DAMAGED: "parcel.refused_damaged",
    Action.HAND_TO_CUSTOMER: "parcel.collected",
    Action.REJECT: "parcel.rejected",
    Action.MARK_NOT_FOUND: "parcel.not_found",
    Action.FOUND_AGAIN: "parcel.found_again",
    Action.EXPIRE: "parcel.expired",
    Action.STAGE_FOR_RETURN: "parcel.staged_for_return",
    Action.MARK_MISSING: "parcel.missing",
    Action.HAND_TO_CARRIER: "parcel.returned",
    Action.CANCEL: "parcel.cancelled",
    Action.REDIRECT: "parcel.redirected",
    Action.DEPOSIT: "dropoff.received",
    Action.DISPATCH: "dropoff.collected",
    Action.DEPOSIT_FOUND: "dropoff.found_again",
}
# A customer's drop-off declared missing is news of the drop-off, not of a parcel to collect.
OUTGOING_TYPES = {Action.MARK_MISSING: "dropoff.missing"}
DROPOFF_REFUSED = "dropoff.refused"
SHOP_UPDATED = "shop.updated"
CAPABILITIES = (("offers_pickup", "PICK_UP"), ("offers_customer_dropoff", "DROP_OFF"))


def _iso(value):
    return value.isoformat() if value else None


def parcel_doc(parcel):
    """A parcel as its network sees it."""
    return {
        "tracking_id": parcel.tracking_id, "shop_id": parcel.shop_id, "state": parcel.state.value,
        "recipient_name": parcel.recipient_name, "recipient_email": parcel.recipient_email or None,
        "recipient_phone": parcel.recipient_phone or None, "size": parcel.size.value,
        "description": parcel.description, "expected_on": _iso(parcel.expected_on),
        "dropped_at": _iso(parcel.dropped_at), "last_pickup_day": _iso(parcel.last_pickup_day),
        "state_since": _iso(parcel.state_since),
    }


def event_doc(event, parcel):
    """One event of a parcel's life; ``id`` orders them (the events feed's cursor)."""
    return {
        "id": event.id, "type": event_type(event, parcel), "tracking_id": parcel.tracking_id,
        "shop_id": parcel.shop_id, "action": event.action.value, "from_state": event.from_state.value,
        "to_state": event.to_state.value, "occurred_at": _iso(event.occurred_at),
        "recorded_at": _iso(event.recorded_at), "offline": event.offline, "note": event.note,
    }


def event_type(event, parcel):
    """The webhook type of ``event``: « parcel.* », or « dropoff.* » for a customer's drop-off."""
    return (parcel.outgoing and OUTGOING_TYPES.get(event.action)) or EVENT_TYPES[event.action]


def deposit_doc(deposit):
    """A customer's drop-off as its network sees it: the code to show at the counter, and what became of it."""
    parcel = deposit.parcel
    return {
        "code": deposit.code, "kind": deposit.kind.value, "tracking_id": deposit.tracking_id,
        "service": deposit.service, "sender_name": deposit.sender_name,
        "sender_email": deposit.sender_email or None, "sender_phone": deposit.sender_phone or None,
        "size": (parcel.size if parcel else deposit.size).value, "label_needed": deposit.label_needed,
        "shop_id": parcel.shop_id if parcel else deposit.shop_id, "expires_at": _iso(deposit.expires_at),
        "created_at": _iso(deposit.created_at), "state": _deposit_state(deposit),
        "shop_label": deposit.shop_label, "deposited_at": _iso(parcel.dropped_at) if parcel else None,
        "refused_at": _iso(deposit.refused_at), "refusal": deposit.refusal.value if deposit.refusal else None,
    }


def _deposit_state(deposit):
    if deposit.parcel is not None:
        return deposit.parcel.state.value
    return "refused" if deposit.refused_at else "announced"


def shop_feed(shop, today):
    """The shop as a network's shop finder wants it: capacity, hours, closures not over, capabilities."""
    return {
        "id": shop.id, "name": shop.name, "street": shop.street, "postcode": shop.postcode, "city": shop.city,
        "timezone": shop.timezone, "capacity": shop.capacity, "full": shop.full, "active": shop.active,
        "capabilities": [name for field, name in CAPABILITIES if getattr(shop, field)],
        "hours": [{"weekday": r.weekday, "opens": hours_rules.hhmm(r.opens), "closes": hours_rules.hhmm(r.closes)}
                  for r in shop.ranges],
        "closures": [{"starts_on": c.starts_on.isoformat(), "ends_on": c.ends_on.isoformat(), "reason": c.reason}
                     for c in shop.closures if c.ends_on >= today],
    }


def envelope(event_type, at: datetime, data):
    """A webhook's body: what happened, when, and the document it is about."""
    return {"type": event_type, "created_at": _iso(at), "data": data}


def local_today(shop, now):
    """The shop's own date at ``now`` (which closures are not over yet)."""
    return deadlines.local_date(now, shop.timezone)
