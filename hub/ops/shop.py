"""Operations on a shop: « Je suis complet », capacity, opening hours and closures, expected parcels.

Each change to the shop's settings leaves a ShopEvent (who, when, what), so the operator can see who
declared the shop full and when. Like every operation, these flush and never commit.
"""
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlalchemy import func, select

from ..core.extensions import db
from ..core.models import Closure, Deposit, Network, OpeningRange, Parcel, Shop, ShopChange, ShopEvent, Size
from ..rules import codes
from ..rules import networks as network_rules
from ..rules import hours as hours_rules
from ..rules.dropoff import read_tracking_id
from ..rules.errors import Conflict, DomainError, N_, NetworkNotServed
from ..rules.text import plain_text
from . import holds, notices, support, webhooks

FIELD_TITLES = {
    "shop": N_("shop"),
    "network": N_("network"),
    "tracking_id": N_("tracking ID"),
    "recipient_name": N_("recipient's name"),
    "size": N_("size"),
}


class ShopFull(Conflict):
    message = N_("%(shop)s has said it is full: it cannot receive new parcels for now.")


class ShopInactive(Conflict):
    message = N_("%(shop)s is not active: it cannot receive parcels.")


BadCapacity = network_rules.BadCapacity


class MissingField(DomainError):
    message = N_("Fill in the %(field)s.")


class BadEmail(DomainError):
    message = N_("« %(value)s » is not an e-mail address.")


class BadMobile(DomainError):
    message = N_("« %(value)s » is not a mobile phone number.")


class BadTimezone(DomainError):
    message = N_("« %(value)s » is not a time zone. Write it like Europe/Paris.")


class MissingTimezone(DomainError):
    message = N_("Choose the shop's time zone.")


class NoNetworkChosen(DomainError):
    message = N_("Choose at least one network the shop serves.")


class NetworkNotYours(DomainError):
    message = N_("A shop can only be attached to a network you run.")


class BadCapability(DomainError):
    message = N_("« %(value)s » is not a service a shop offers (PICK_UP, DROP_OFF).")


class TrackingIdTaken(Conflict):
    message = N_("Parcel %(tracking_id)s already exists in this network.")


def check_active(shop):
    """A shop that is not active receives no parcel (what it holds is still collected and returned)."""
    if not shop.active:
        raise ShopInactive(shop=shop.name)


def check_can_accept(shop):
    """Refuse new parcels for a shop that said it is full, or that is not active."""
    check_active(shop)
    if shop.full:
        raise ShopFull(shop=shop.name)


def note(shop, kind, actor, detail=""):
    """Keep a change to the shop's settings."""
    event = ShopEvent(shop_id=shop.id, kind=kind, account_id=actor.account_id, at=actor.now, detail=detail[:300])
    db.session.add(event)
    webhooks.shop_change(shop, event)  # in the same transaction: the networks' shop finders hear of it
    return event


def declare_full(shop, full, actor):
    """« Je suis complet » (or not any more). Saying it twice changes nothing and records nothing."""
    if shop.full == full:
        return False
    shop.full = full
    note(shop, ShopChange.FULL if full else ShopChange.NOT_FULL, actor)
    db.session.flush()
    return True


def set_number(shop, field, value, change, actor):
    """One of the shop's numbers set to ``value`` (checked already), with a line in its log when it changes."""
    before = getattr(shop, field)
    if value != before:
        note(shop, change, actor, f"{before} → {value}")
        setattr(shop, field, value)
        db.session.flush()
    return value


def set_capacity(shop, raw, actor):
    """How many parcels the shop agreed to hold (at least 5, as the networks require)."""
    return set_number(shop, "capacity", network_rules.capacity(raw), ShopChange.CAPACITY, actor)


def set_week(shop, rows, actor):
    """Replace the weekly opening ranges with the form's rows, once all of them are valid; the parcels whose
    last pickup day moves with them are re-held and their customers told."""
    week = hours_rules.week_from_rows(rows)
    shop.ranges = [OpeningRange(weekday=r.weekday, opens=r.opens, closes=r.closes) for r in week]
    note(shop, ShopChange.HOURS, actor, "; ".join(f"{r.weekday}:{hours_rules.hhmm(r.opens)}-{hours_rules.hhmm(r.closes)}"
                                         for r in week))
    db.session.flush()
    return week, hours_changed(shop, actor)


def hours_changed(shop, actor):
    """Opening days decide each parcel's last pickup day and the tasks' deadlines: recompute the holds, tell
    each customer whose last day moved (one notice per customer), and look at the tasks again. Returns the
    parcels concerned."""
    moved = holds.rehold(shop)
    by_pickup = {}
    for parcel in moved:
        if parcel.pickup is not None:
            by_pickup.setdefault(parcel.pickup, []).append(parcel)
    for pickup, parcels in by_pickup.items():
        notices.deadline_moved(pickup, parcels, actor.now)
    holds.watch_task(shop, actor.now)
    return moved


def add_closure(shop, start, end, reason, actor, today):
    """A dated exceptional closure. Returns it with the parcels whose last pickup day it moved; ``is_long``
    tells whether to suggest a deactivation."""
    span = hours_rules.check_closure(hours_rules.Span(start, end), _spans(shop), today)
    closure = Closure(starts_on=span.start, ends_on=span.end, reason=plain_text(reason, 200))
    shop.closures.append(closure)
    note(shop, ShopChange.CLOSURE_ADDED, actor, f"{hours_rules.dmy(start)} – {hours_rules.dmy(end)}")
    db.session.flush()
    return closure, hours_changed(shop, actor)


def _spans(shop):
    return [hours_rules.Span(c.starts_on, c.ends_on) for c in shop.closures]


def remove_closure(closure, actor):
    """The shop will open after all on those days."""
    shop = closure.shop
    note(shop, ShopChange.CLOSURE_REMOVED, actor, f"{hours_rules.dmy(closure.starts_on)} – {hours_rules.dmy(closure.ends_on)}")
    shop.closures.remove(closure)
    db.session.flush()
    return hours_changed(shop, actor)


def send_expected(shop, network, actor, *, tracking_id, recipient_name, recipient_email="", recipient_phone="",
                  size="small", description="", expected_on=None):
    """The operator sends a parcel to a shop: it is expected there, unless the shop cannot take it."""
    check_can_accept(shop)
    if network not in shop.networks:
        raise NetworkNotServed(N_("%(shop)s does not serve the network %(network)s."), shop=shop.name,
                               network=network.name)
    parcel = Parcel(network=network, shop=shop, tracking_id=_tracking_id(network, tracking_id),
                    recipient_name=required(recipient_name, FIELD_TITLES["recipient_name"]),
                    recipient_email=email_address(recipient_email), recipient_phone=mobile(recipient_phone), size=_size(size),
                    description=plain_text(description, 200), expected_on=expected_on)
    db.session.add(parcel)
    db.session.flush()
    return parcel


def required(value, field):
    value = plain_text(value, 120)
    if not value:
        raise MissingField(field=field)
    return value


def _tracking_id(network, raw):
    tracking_id = read_tracking_id(raw)
    if not tracking_id:
        raise MissingField(field=FIELD_TITLES["tracking_id"])
    if db.session.query(Parcel.id).filter_by(network_id=network.id, tracking_id=tracking_id).first() or \
            db.session.query(Deposit.id).filter_by(network_id=network.id, tracking_id=tracking_id).first():
        raise TrackingIdTaken(tracking_id=tracking_id)  # a customer's drop-off will be a parcel of that name
    return tracking_id


EMAIL_RE = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def email_address(raw):
    """``raw`` as an e-mail address ("" when empty), or BadEmail: one check for customers and accounts."""
    value = (raw or "").strip()
    if value and (not EMAIL_RE.fullmatch(value) or len(value) > 200 or plain_text(value, 200) != value):
        raise BadEmail(value=plain_text(value, 200))
    return value


def mobile(raw):
    """A customer's mobile number in E.164 (+33612345678), French national format accepted; "" for none."""
    value = (raw or "").strip()
    if not value:
        return ""
    try:
        number = support.normalise_phone(value)
    except support.BadPhone:
        raise BadMobile(value=value[:40]) from None
    kind = phonenumbers.number_type(phonenumbers.parse(number))
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise BadMobile(value=value[:40])
    return number


def set_active(shop, active, actor):
    """The network takes the shop off its shop finder (or back on); a shop not active receives nothing."""
    if shop.active != active:
        shop.active = active
        note(shop, ShopChange.ACTIVE, actor, "active" if active else "inactive")
        db.session.flush()


def set_capabilities(shop, names, actor):
    """Which services the shop offers: PICK_UP (customers collect parcels), DROP_OFF (customers send some)."""
    unknown = [n for n in names if n not in ("PICK_UP", "DROP_OFF")]
    if unknown:
        raise BadCapability(value=str(unknown[0])[:40])
    pickup, dropoff = "PICK_UP" in names, "DROP_OFF" in names
    if (shop.offers_pickup, shop.offers_customer_dropoff) != (pickup, dropoff):
        shop.offers_pickup, shop.offers_customer_dropoff = pickup, dropoff
        note(shop, ShopChange.SERVICES, actor, ", ".join(sorted(set(names))))
        db.session.flush()


def _zone(name):
    """An IANA time zone name, checked (none is refused: a shop's days are counted in its zone)."""
    name = (name or "").strip()
    if not name:
        raise MissingTimezone()
    try:
        ZoneInfo(name)
    except (ValueError, OSError, ZoneInfoNotFoundError):
        raise BadTimezone(value=name[:64]) from None
    return name


def set_timezone(shop, name, actor):
    """The shop's time zone (IANA name): its hours, days and deadlines are counted in it."""
    name = _zone(name)
    if name != shop.timezone:
        note(shop, ShopChange.TIMEZONE, actor, f"{shop.timezone} → {name}")
        shop.timezone = name
        db.session.flush()


def replace_closures(shop, closures, actor, today):
    """The closures not over yet become ``closures`` — (Span, reason) pairs — each checked as the counter
    checks one (not over, no overlap, at most 30 active): all of them or none. Past closures stay on record."""
    accepted = []
    for span, _reason in closures:
        accepted.append(hours_rules.check_closure(span, accepted, today))
    for closure in [c for c in shop.closures if c.ends_on >= today]:
        remove_closure(closure, actor)
    for span, reason in closures:
        shop.closures.append(Closure(starts_on=span.start, ends_on=span.end, reason=(reason or "").strip()[:200]))
        note(shop, ShopChange.CLOSURE_ADDED, actor, f"{hours_rules.dmy(span.start)} – {hours_rules.dmy(span.end)}")
    db.session.flush()


def _size(raw):
    try:
        return Size(raw)
    except ValueError:
        raise MissingField(field=FIELD_TITLES["size"]) from None


class NetworkTaken(Conflict):
    message = N_("A network is already named « %(name)s ».")


def network_name(raw, network=None):
    """A network's name as typed, checked: not empty, and no other network's (case aside)."""
    name = plain_text(raw, 80)
    if not name:
        raise MissingField(field=FIELD_TITLES["network"])
    other = select(Network.id).where(func.lower(Network.name) == name.lower())
    if db.session.scalar(other.where(Network.id != network.id) if network is not None else other):
        raise NetworkTaken(name=name)
    return name


def create_network(name):
    """A new network, by a name no other network has."""
    network = Network(name=network_name(name))
    db.session.add(network)
    db.session.flush()
    return network


def _details(name, street, postcode, city):
    """A shop's name and address as typed, checked: each one filled in."""
    fields = dict(name=plain_text(name, 120), street=plain_text(street, 200), postcode=plain_text(postcode, 12),
                  city=plain_text(city, 80))
    if not all(fields.values()):
        raise MissingField(field=FIELD_TITLES["shop"])
    return fields


def create_shop(networks, *, name, street, postcode, city, timezone, capacity):
    """A new shop serving ``networks``, with its own shop code, open Monday to Saturday 09:00–19:00 until its
    associates enter its hours at the counter (a shop with no hours would count every day as open)."""
    if not networks:
        raise MissingField(field=FIELD_TITLES["network"])
    shop = Shop(**_details(name, street, postcode, city), timezone=_zone(timezone),
                capacity=network_rules.capacity(capacity), networks=list(networks), totp_secret=codes.new_shop_secret())
    shop.ranges = [OpeningRange(weekday=r.weekday, opens=r.opens, closes=r.closes) for r in hours_rules.DEFAULT_WEEK]
    db.session.add(shop)
    db.session.flush()
    return shop


def set_details(shop, actor, *, name, street, postcode, city):
    """The shop's name and address."""
    fields = _details(name, street, postcode, city)
    before = f"{shop.name}, {shop.address}"
    for key, value in fields.items():
        setattr(shop, key, value)
    if f"{shop.name}, {shop.address}" != before:
        note(shop, ShopChange.DETAILS, actor, f"{before} → {shop.name}, {shop.address}")
        db.session.flush()


def networks_chosen(ids, operated):
    """The networks a form chose by id, each among ``operated`` (the operator's); none, or any other id (of a
    network that exists or not: the answer is the same), is refused."""
    mine = {network.id: network for network in operated}
    if not ids:
        raise NoNetworkChosen()
    if any(ident not in mine for ident in ids):
        raise NetworkNotYours()
    return [mine[ident] for ident in dict.fromkeys(ids)]


def set_networks(shop, ids, operated, actor):
    """The networks the shop serves among ``operated`` (the operator's) become those chosen by ``ids``; the
    networks of other operators stay as they are (nobody changes what another network decided)."""
    chosen = networks_chosen(ids, operated)
    kept = [network for network in shop.networks if network not in operated]
    served = sorted(set(kept) | set(chosen), key=lambda network: network.name)
    if served != list(shop.networks):
        note(shop, ShopChange.NETWORKS, actor, ", ".join(network.name for network in served))
        shop.networks = served
        db.session.flush()
