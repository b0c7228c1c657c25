"""« Dépôt d'un client »: the network announces a drop-off, the counter finds it from what the customer shows,
takes it (an outgoing parcel on the « R » shelf, with a receipt) or refuses it over the network's limits; the
carrier takes it at « Reprise des retours » (hub/ops/returns.py)."""
from datetime import timedelta
import secrets

from sqlalchemy import select

from ..core.extensions import db
from ..core.models import Deposit, Parcel
from ..rules import deposits as rules
from ..rules.deadlines import local_date
from ..rules.dropoff import normalise_tracking_id, read_tracking_id
from ..rules.parcels import COLLECTABLE, IN_SHOP, Action, Size, State
from ..rules.text import plain_text
from . import record, webhooks
from . import shop as shop_ops
from .shipments import TrackingIdTaken, shop_of

COMPARED = ("kind", "service", "sender_name", "sender_email", "sender_phone", "size", "label_needed", "shop_id")


class UnknownCode(rules.DepositError):
    status = 404
    message = rules.N_("There is no drop-off %(code)s in your network.")


# --- The network's side -------------------------------------------------------------------------------

def announce(network, item, actor):
    """A drop-off a customer will bring to one of the network's shops: ``(deposit, created)``. The same
    announcement again changes nothing; the same tracking ID with other contents is refused."""
    tracking_id = read_tracking_id(item["tracking_id"])
    if not tracking_id:
        raise shop_ops.MissingField(field=shop_ops.FIELD_TITLES["tracking_id"])
    shop = shop_of(network, item["shop_id"]) if item.get("shop_id") is not None else None
    fields = dict(kind=rules.DepositKind(item.get("kind") or "return"), service=plain_text(item.get("service"), 80),
                  sender_name=shop_ops.required(item.get("sender_name"), shop_ops.FIELD_TITLES["recipient_name"]),
                  sender_email=shop_ops.email_address(item.get("sender_email")),
                  sender_phone=shop_ops.mobile(item.get("sender_phone")), size=Size(item.get("size") or "small"),
                  label_needed=bool(item.get("label_needed")), shop_id=shop.id if shop else None)
    existing = db.session.scalar(select(Deposit).where(Deposit.network_id == network.id,
                                                       Deposit.tracking_id == tracking_id))
    if existing is not None:
        if any(getattr(existing, name) != fields[name] for name in COMPARED):
            raise rules.TrackingIdAnnounced(tracking_id=tracking_id)
        return existing, False
    if db.session.scalar(select(Parcel.id).where(Parcel.network_id == network.id, Parcel.tracking_id == tracking_id)):
        raise TrackingIdTaken(db.session.scalar(select(Parcel).where(Parcel.network_id == network.id,
                                                                     Parcel.tracking_id == tracking_id)))
    valid_days = item.get("valid_days") or rules.DEFAULT_VALID_DAYS
    deposit = Deposit(network_id=network.id, code=rules.new_code(), tracking_id=tracking_id, created_at=actor.now,
                      expires_at=actor.now + timedelta(days=valid_days), **fields)
    db.session.add(deposit)
    db.session.flush()
    return deposit, True


def deposit_of(network, code):
    """One of the network's drop-offs, by its code."""
    deposit = db.session.scalar(select(Deposit).where(Deposit.code == (rules.read_code(code) or "")))
    if deposit is None or deposit.network_id != network.id:
        raise UnknownCode(code=(code or "")[:20])
    return deposit


# --- At the counter -----------------------------------------------------------------------------------

def _served(shop):
    return [n.id for n in shop.networks]


def _by_label(shop, text):
    """A drop-off named by its label's tracking ID, or by the shop's barcode paired with it."""
    tracking_id = normalise_tracking_id(text)[:64]
    if not tracking_id:
        return None
    return db.session.scalar(select(Deposit).where(Deposit.tracking_id == tracking_id,
                                                   Deposit.network_id.in_(_served(shop))).limit(1)) or \
        db.session.scalar(select(Deposit).where(Deposit.shop_label == tracking_id,
                                                Deposit.network_id.in_(_served(shop))).limit(1))


def _pickup_here(shop, text):
    tracking_id = normalise_tracking_id(text)[:64]
    return tracking_id and db.session.scalar(
        select(Parcel).where(Parcel.shop_id == shop.id, Parcel.tracking_id == tracking_id,
                             Parcel.outgoing.is_(False), Parcel.state.in_(COLLECTABLE | {State.EXPECTED})).limit(1))


def find(shop, text):
    """What the customer shows — the drop-off's code or QR code, or its label — as the network's drop-off, or
    the reason to give them. A drop-off already taken is returned: the counter shows its receipt again."""
    code = rules.read_code(text)
    deposit = (db.session.scalar(select(Deposit).where(Deposit.code == code)) if code else _by_label(shop, text))
    if deposit is None:
        parcel = _pickup_here(shop, text)
        if parcel:
            raise rules.IsAPickup(tracking_id=parcel.tracking_id)
        raise rules.UnknownDeposit()
    if deposit.network_id not in _served(shop):
        raise rules.OtherNetwork(network=deposit.network.name)
    return deposit


def check_can_take(shop, deposit, at):
    """Refuse what this counter cannot take at ``at`` (when the step was made: offline, the device's vouched time):
    a shop without the service, a drop-off refused or expired."""
    shop_ops.check_active(shop)
    if not shop.offers_customer_dropoff:
        raise rules.NoDropOffHere()
    if deposit.refused_at is not None:
        raise rules.RefusedBefore(when=deposit.refused_at, reason=deposit.refusal.title)
    if deposit.parcel_id is None and deposit.expires_at <= at:
        raise rules.DepositExpired(day=local_date(deposit.expires_at, shop.timezone), network=deposit.network.name)


def deposit_event(deposit):
    """The event of its deposit (when, and by whom: the receipt says so), or None before it."""
    parcel = deposit.parcel
    return parcel and next((e for e in parcel.events if e.action == Action.DEPOSIT), None)


def deposited_at(deposit):
    event = deposit_event(deposit)
    return event.occurred_at if event else None


def take(shop, deposit, size, actor, shop_label=None):
    """The associate takes the parcel: it waits on the « R » shelf for the carrier, the customer gets a receipt
    (and an e-mail when the network gave an address). Returns the parcel; a drop-off already taken answers
    AlreadyDeposited with its receipt's drop-off."""
    if deposit.parcel_id is not None:
        raise rules.AlreadyDeposited(when=deposited_at(deposit), shop=deposit.parcel.shop.name, deposit=deposit)
    check_can_take(shop, deposit, actor.when)
    label = free_label(deposit, shop_label) if shop_label else None
    parcel = Parcel(network_id=deposit.network_id, shop=shop, tracking_id=deposit.tracking_id,
                    recipient_name=deposit.sender_name, recipient_email=deposit.sender_email,
                    recipient_phone=deposit.sender_phone, description=deposit.service, size=Size(size),
                    outgoing=True, state=State.WITH_SENDER, shelf_place=rules.shelf_place(_places_in_use(shop)))
    db.session.add(parcel)
    db.session.flush()
    deposit.parcel, deposit.receipt_token, deposit.shop_label = parcel, secrets.token_urlsafe(24), label
    record(parcel, Action.DEPOSIT, actor)
    parcel.dropped_at = parcel.state_since
    _receipt_mail(deposit, actor.now)
    return parcel


def _places_in_use(shop):
    return set(db.session.scalars(select(Parcel.shelf_place).where(
        Parcel.shop_id == shop.id, Parcel.state.in_(IN_SHOP), Parcel.shelf_place.like(f"{rules.SHELF}-%"))))


def pair_label(deposit, text):
    """A pre-printed barcode of the shop's, stuck on a label-less parcel: the carrier's scan of it finds the parcel."""
    deposit.shop_label = free_label(deposit, text)
    db.session.flush()


def free_label(deposit, text):
    """The shop's barcode ``text`` reads, when no other parcel of the network bears it (else LabelTaken)."""
    label = read_tracking_id(text)
    if not label:
        raise rules.UnknownDeposit()
    taken = db.session.scalar(select(Deposit.id).where(Deposit.network_id == deposit.network_id,
                                                       Deposit.shop_label == label, Deposit.id != deposit.id))
    taken = taken or db.session.scalar(select(Parcel.id).where(Parcel.network_id == deposit.network_id,
                                                               Parcel.tracking_id == label,
                                                               Parcel.id != deposit.parcel_id))
    if taken:
        raise rules.LabelTaken(label=label)
    return label


def refuse(shop, deposit, over, actor):
    """The parcel is over the network's limits: refused at the counter, with the reason, once and for all."""
    if deposit.parcel_id is not None:
        raise rules.AlreadyDeposited(when=deposited_at(deposit), shop=deposit.parcel.shop.name, deposit=deposit)
    check_can_take(shop, deposit, actor.when)
    deposit.refusal, deposit.refused_at = rules.OverLimit(over), actor.when
    deposit.refused_by_id, deposit.refused_at_shop_id = actor.account_id, shop.id
    db.session.flush()
    webhooks.deposit_refused(deposit, shop, actor.now)
    return rules.over_limits(over, deposit.network.dropoff_max_kg, deposit.network.dropoff_max_cm)


def found_again(parcel, actor):
    """A drop-off declared missing is on the shelf after all: it waits for the carrier again, on its place unless
    another drop-off took it meanwhile (then the next free one)."""
    taken = _places_in_use(parcel.shop)
    if parcel.shelf_place in taken:
        parcel.shelf_place = rules.shelf_place(taken)
    return record(parcel, Action.DEPOSIT_FOUND, actor)


def waiting(shop, limit=None):
    """The drop-offs waiting for the carrier, by shelf place."""
    return db.session.scalars(select(Parcel).where(Parcel.shop_id == shop.id, Parcel.state == State.DEPOSITED)
                              .order_by(Parcel.shelf_place, Parcel.tracking_id).limit(limit)).all()


def of_parcel(parcel):
    """The drop-off a parcel was deposited for, or None for a parcel of another kind."""
    return db.session.scalar(select(Deposit).where(Deposit.parcel_id == parcel.id)) if parcel.outgoing else None


def receipt(token):
    """The drop-off whose receipt ``token`` names, or None."""
    return db.session.scalar(select(Deposit).where(Deposit.receipt_token == token)) if token else None


def _receipt_mail(deposit, now):
    from . import notices  # notices render templates: imported when a receipt is due

    if deposit.sender_email:
        notices.deposit_receipt(deposit, deposit_event(deposit), now)


def for_shop_offline(shop, now, limit=200):
    """The drop-offs announced for this shop and still to deposit: its devices carry them for offline use."""
    return db.session.scalars(select(Deposit).where(Deposit.shop_id == shop.id, Deposit.parcel_id.is_(None),
                                                    Deposit.refused_at.is_(None), Deposit.expires_at > now)
                              .order_by(Deposit.expires_at).limit(limit)).all()

