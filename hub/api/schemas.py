"""The API's documents, as marshmallow schemas: they check what comes in and write the OpenAPI document.

What goes out is built once in hub/ops/documents.py (the webhooks send the same); these schemas describe it.
"""
import marshmallow as ma
from marshmallow import fields, validate

from ..rules.hours import MAX_RANGES_PER_DAY
from ..rules.deposits import DepositKind
from ..rules.parcels import Size, State

MAX_ID = 2**31 - 1

SIZES = [s.value for s in Size]
STATES = [s.value for s in State]
CAPABILITIES = ["PICK_UP", "DROP_OFF"]
DEPOSIT_KINDS = [k.value for k in DepositKind]


class Text(fields.String):
    """A string of printable text: no NUL nor other control character (a database refuses some)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
            raise ma.ValidationError("Control characters are not allowed.")
        return text


def Id(**kwargs):
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class Schema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


# --- What comes in -----------------------------------------------------------------------------------

class ShipmentIn(Schema):
    tracking_id = Text(required=True, validate=validate.Length(min=1, max=64),
                       metadata={"description": "The label's tracking ID (spaces and dashes are ignored)."})
    shop_id = Id(required=True, metadata={"description": "One of your network's shops (GET /shops)."})
    recipient_name = Text(required=True, validate=validate.Length(min=1, max=120))
    recipient_email = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    recipient_phone = Text(load_default=None, allow_none=True, validate=validate.Length(max=32),
                           metadata={"description": "A mobile number, E.164 or French national format."})
    size = fields.String(load_default="small", validate=validate.OneOf(SIZES))
    expected_on = fields.Date(load_default=None, allow_none=True)
    description = Text(load_default="", validate=validate.Length(max=200))


class LooseShipment(fields.Nested):
    """An item of a batch: documented as a ShipmentIn, checked one by one, so one bad item refuses only itself."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ma.ValidationError("Each parcel is an object.")
        return value


class ShipmentBatchIn(Schema):
    parcels = fields.List(LooseShipment(ShipmentIn), required=True, validate=validate.Length(min=1, max=100))


class DropoffIn(Schema):
    tracking_id = Text(required=True, validate=validate.Length(min=1, max=64),
                       metadata={"description": "The label's tracking ID: printed by the customer, or by the shop "
                                                "when `label_needed`."})
    kind = fields.String(load_default="return", validate=validate.OneOf(DEPOSIT_KINDS),
                         metadata={"description": "`return` (a customer sends back a purchase) or `sending` (a "
                                                  "prepaid sending)."})
    service = Text(load_default="", validate=validate.Length(max=80),
                   metadata={"description": "What the counter shows, e.g. « Retour Boutique Lune »."})
    sender_name = Text(required=True, validate=validate.Length(min=1, max=120))
    sender_email = Text(load_default=None, allow_none=True, validate=validate.Length(max=200),
                        metadata={"description": "The deposit receipt is e-mailed there."})
    sender_phone = Text(load_default=None, allow_none=True, validate=validate.Length(max=32))
    size = fields.String(load_default="small", validate=validate.OneOf(SIZES),
                         metadata={"description": "The size class declared; the associate confirms it."})
    label_needed = fields.Boolean(load_default=False, truthy={True}, falsy={False})
    shop_id = Id(load_default=None, allow_none=True,
                 metadata={"description": "The shop the customer chose, if known: its devices then carry the code "
                                          "offline. Any shop of the network that takes drop-offs accepts it."})
    valid_days = fields.Integer(load_default=14, strict=True, validate=validate.Range(min=1, max=90),
                                metadata={"description": "Days the code can be used."})


class RedirectIn(Schema):
    shop_id = Id(required=True)


class EventsQuery(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_ID),
                           metadata={"description": "The last event id you have (the previous page's `next`)."})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class RangeDoc(Schema):
    weekday = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=6),
                             metadata={"description": "0 is Monday."})
    opens = Text(required=True, validate=validate.Length(max=8), metadata={"example": "09:00"})
    closes = Text(required=True, validate=validate.Length(max=8), metadata={"example": "12:30"})


class ClosureDoc(Schema):
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    reason = Text(load_default="", dump_default="", validate=validate.Length(max=200))


class ShopUpdateIn(Schema):
    capacity = fields.Integer(strict=True, validate=validate.Range(min=-MAX_ID, max=MAX_ID))
    full = fields.Boolean(truthy={True}, falsy={False})
    active = fields.Boolean(truthy={True}, falsy={False})
    capabilities = fields.List(Text(validate=validate.Length(max=20)), validate=validate.Length(max=10))
    timezone = Text(validate=validate.Length(min=1, max=64))
    hours = fields.List(fields.Nested(RangeDoc), validate=validate.Length(max=7 * MAX_RANGES_PER_DAY + 1))
    closures = fields.List(fields.Nested(ClosureDoc), validate=validate.Length(max=100),
                           metadata={"description": "Replaces the closures not over yet; at most 30."})


class WebhookIn(Schema):
    url = Text(required=True, validate=validate.Length(min=1, max=500))


# --- What goes out -----------------------------------------------------------------------------------

def Stamp(**kwargs):
    """An instant as the documents write it (ISO 8601 with its offset)."""
    return fields.String(metadata={"format": "date-time"}, **kwargs)


def Day(**kwargs):
    return fields.String(metadata={"format": "date"}, **kwargs)


class ParcelOut(ma.Schema):
    tracking_id = fields.String(required=True)
    shop_id = fields.Integer(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    recipient_name = fields.String(required=True)
    recipient_email = fields.String(allow_none=True)
    recipient_phone = fields.String(allow_none=True)
    size = fields.String(validate=validate.OneOf(SIZES))
    description = fields.String()
    expected_on = Day(allow_none=True)
    dropped_at = Stamp(allow_none=True)
    last_pickup_day = Day(allow_none=True)
    state_since = Stamp(allow_none=True)


class DropoffOut(ma.Schema):
    code = fields.String(required=True, metadata={"example": "DEP-7KQ2M9XH4T",
                                                  "description": "Show it to the customer (as a QR code too)."})
    kind = fields.String(required=True, validate=validate.OneOf(DEPOSIT_KINDS))
    tracking_id = fields.String(required=True)
    service = fields.String()
    sender_name = fields.String(required=True)
    sender_email = fields.String(allow_none=True)
    sender_phone = fields.String(allow_none=True)
    size = fields.String(validate=validate.OneOf(SIZES))
    label_needed = fields.Boolean(required=True)
    shop_id = fields.Integer(allow_none=True)
    expires_at = Stamp(required=True)
    created_at = Stamp(required=True)
    state = fields.String(required=True, metadata={"description": "announced, refused, or the parcel's state "
                                                                  "(deposited, dispatched, missing)."})
    shop_label = fields.String(allow_none=True, metadata={"description": "The shop's barcode stuck on it."})
    deposited_at = Stamp(allow_none=True)
    refused_at = Stamp(allow_none=True)
    refusal = fields.String(allow_none=True, metadata={"description": "too_heavy or too_long"})


class EventOut(ma.Schema):
    id = fields.Integer(required=True)
    type = fields.String(required=True, metadata={"example": "parcel.received"})
    tracking_id = fields.String(required=True)
    shop_id = fields.Integer(required=True)
    action = fields.String(required=True)
    from_state = fields.String(required=True)
    to_state = fields.String(required=True)
    occurred_at = Stamp(required=True)
    recorded_at = Stamp(required=True)
    offline = fields.Boolean(required=True)
    note = fields.String()


class ParcelHistoryOut(ParcelOut):
    events = fields.List(fields.Nested(EventOut), required=True)


class EventsPageOut(ma.Schema):
    events = fields.List(fields.Nested(EventOut), required=True)
    next = fields.Integer(required=True, metadata={"description": "Pass it as `after` to read on."})


class ProblemOut(ma.Schema):
    """RFC 9457."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(metadata={"description": "What went wrong, in French unless Accept-Language asks"
                                                    " for English."})
    errors = fields.Dict(metadata={"description": "Field by field, for a body or query that does not fit."})
    existing = fields.Nested(ParcelOut, metadata={"description": "The parcel that has this tracking ID."})


class ShipmentResultOut(ma.Schema):
    tracking_id = fields.String(allow_none=True)
    status = fields.Integer(required=True, metadata={"description": "201 made, 200 already there, else refused."})
    accepted = fields.Boolean(required=True)
    parcel = fields.Nested(ParcelOut, allow_none=True)
    problem = fields.Nested(ProblemOut, allow_none=True)


class ShipmentBatchOut(ma.Schema):
    results = fields.List(fields.Nested(ShipmentResultOut), required=True)


class ClosureOut(ma.Schema):
    starts_on = Day(required=True)
    ends_on = Day(required=True)
    reason = fields.String()


class ShopFeedOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    street = fields.String()
    postcode = fields.String()
    city = fields.String()
    timezone = fields.String(required=True)
    capacity = fields.Integer(required=True)
    full = fields.Boolean(required=True)
    active = fields.Boolean(required=True)
    capabilities = fields.List(fields.String(validate=validate.OneOf(CAPABILITIES)), required=True)
    hours = fields.List(fields.Nested(RangeDoc), required=True)
    closures = fields.List(fields.Nested(ClosureOut), required=True)


class WebhookOut(ma.Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    active = fields.Boolean(required=True)
    created_at = Stamp(required=True)


class WebhookCreatedOut(WebhookOut):
    secret = fields.String(required=True, metadata={"description": "Signs every delivery; shown this once."})
