"""Storage. Parcel events are append-only: the parcel's state column is their projection."""
from datetime import date, datetime, time, timezone
from typing import Optional
import uuid

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from ..rules.dropoff import VisitEnd, VisitKind, VisitMode
from ..rules.enums import TitledEnum
from ..rules.errors import N_
from ..rules import pickup as pickup_rules
from ..rules.parcels import IN_SHOP, Action, Size, State
from ..rules.text import folded


class UTCDateTime(sa.types.TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _enum(cls, length):
    """Enums stored as their lowercase values, in a plain string column (no native enum type)."""
    return sa.Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e],
                   validate_strings=True)


class Role(TitledEnum):
    ASSOCIATE = "associate", N_("associate")
    CARRIER = "carrier", N_("carrier")
    OPERATOR = "operator", N_("operator")


class SupportStatus(TitledEnum):
    """Where a call-back request stands: new → called → closed (and reopened when needed)."""

    NEW = "new", N_("new")
    CALLED = "called", N_("called")
    CLOSED = "closed", N_("closed")


class ShopChange(TitledEnum):
    """What a change to a shop's settings was (ShopEvent.kind)."""

    FULL = "full", N_("declared the shop full")
    NOT_FULL = "not_full", N_("can receive parcels again")
    CAPACITY = "capacity", N_("changed the capacity")
    HOURS = "hours", N_("changed the opening hours")
    CLOSURE_ADDED = "closure_added", N_("added a closure")
    CLOSURE_REMOVED = "closure_removed", N_("removed a closure")
    NOTICE_RESENT = "notice_resent", N_("sent a pickup notice again")
    ACTIVE = "active", N_("changed whether the shop is active")
    SERVICES = "services", N_("changed the services offered")
    TIMEZONE = "timezone", N_("changed the time zone")


class NoticeKind(TitledEnum):
    """Which customer notice an outbox message is."""

    PICKUP_NOTICE = "pickup_notice", N_("pickup notice")
    REFUND = "refund", N_("refund notice")
    NOTICE_RESENT = "notice_resent", N_("pickup notice sent again")
    DEADLINE_MOVED = "deadline_moved", N_("last pickup day moved")
    REMINDER = "reminder", N_("reminder before the last day")


class Channel(TitledEnum):
    """How a notice reaches its customer."""

    EMAIL = "email", N_("e-mail")
    SMS = "sms", N_("text message")


class DeliveryStatus(TitledEnum):
    """Where a message to the outside (a notice, a webhook call) stands."""

    PENDING = "pending", N_("waiting")
    SENT = "sent", N_("sent")
    FAILED = "failed", N_("failed")
    BOUNCED = "bounced", N_("refused by the recipient's server")

    @property
    def final(self):
        return self != DeliveryStatus.PENDING

shop_networks = sa.Table(
    "shop_networks",
    db.metadata,
    sa.Column("shop_id", sa.ForeignKey("shops.id"), primary_key=True),
    sa.Column("network_id", sa.ForeignKey("networks.id"), primary_key=True),
)


class Network(db.Model):
    __tablename__ = "networks"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)


class ApiKey(db.Model):
    """A network's key to the API. Only a digest is kept: the key is shown once, when it is made."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("networks.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80), default="")
    # The key's first characters, kept plain to find its row by index; the digest proves the rest.
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    digest: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    network: Mapped[Network] = relationship()

    @property
    def active(self):
        return self.revoked_at is None


class Shop(db.Model):
    __tablename__ = "shops"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    street: Mapped[str] = mapped_column(sa.String(200))
    postcode: Mapped[str] = mapped_column(sa.String(12))
    city: Mapped[str] = mapped_column(sa.String(80))
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Paris")
    capacity: Mapped[int] = mapped_column(default=20)
    full: Mapped[bool] = mapped_column(default=False)
    offers_pickup: Mapped[bool] = mapped_column(default=True)
    offers_customer_dropoff: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    totp_secret: Mapped[str] = mapped_column(sa.String(64))
    # Deadlines kept as state (hub/ops/holds.py), so that a request reads them instead of sweeping the
    # shop's parcels: the earliest expiry of a parcel on the shelf (never later than the true one), and
    # the earliest deadline of a task that may block the counter (None: no task waits).
    next_expiry_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)
    tasks_due_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    networks: Mapped[list[Network]] = relationship(secondary=shop_networks, order_by="Network.name")
    ranges: Mapped[list["OpeningRange"]] = relationship(
        back_populates="shop", order_by="(OpeningRange.weekday, OpeningRange.opens)", cascade="all, delete-orphan"
    )
    closures: Mapped[list["Closure"]] = relationship(
        back_populates="shop", order_by="Closure.starts_on", cascade="all, delete-orphan"
    )

    @property
    def address(self):
        return f"{self.street}, {self.postcode} {self.city}"


# The networks an operator runs: the back office shows that operator only what belongs to them.
operator_networks = sa.Table(
    "operator_networks",
    db.metadata,
    sa.Column("account_id", sa.ForeignKey("accounts.id"), primary_key=True),
    sa.Column("network_id", sa.ForeignKey("networks.id"), primary_key=True),
)


class Account(UserMixin, db.Model):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    # Lowercase; where invitations and reset links are sent. An operator's username is this address.
    email: Mapped[Optional[str]] = mapped_column(sa.String(200))
    display_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(_enum(Role, 16))
    shop_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("shops.id"))
    network_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("networks.id"))
    locale: Mapped[Optional[str]] = mapped_column(sa.String(8))
    active: Mapped[bool] = mapped_column(default=True)
    last_sign_in_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Loaded with the account: every request of an associate reads its shop (its deadlines, its name).
    shop: Mapped[Optional[Shop]] = relationship(lazy="joined")
    network: Mapped[Optional[Network]] = relationship()
    operated_networks: Mapped[list[Network]] = relationship(secondary=operator_networks, order_by="Network.name")

    __table_args__ = (
        sa.UniqueConstraint("email", name="uq_accounts_email"),
        sa.CheckConstraint(
            "(role = 'associate' AND shop_id IS NOT NULL) OR role != 'associate'", name="associate_has_shop"
        ),
        sa.CheckConstraint(
            "(role = 'carrier' AND network_id IS NOT NULL) OR role != 'carrier'", name="carrier_has_network"
        ),
    )

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self):
        return self.active


class Device(db.Model):
    """A browser that has signed in: its id travels in a long-lived cookie. A revoked device (lost,
    stolen) has every sign-in ended, and its id never signs in again."""

    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    shop_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("shops.id"))
    last_account_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("accounts.id"))
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str] = mapped_column(sa.String(200), default="")


class LinkKind(TitledEnum):
    """What a one-time link is for: the first password of an invited account, or a new one."""

    INVITATION = "invitation", N_("invitation")
    RESET = "reset", N_("password reset")


class OneTimeLink(db.Model):
    """A link that sets an account's password once, before it expires. Only the token's SHA-256 digest is
    kept: whoever reads the database cannot use a link that has not been used yet."""

    __tablename__ = "one_time_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[LinkKind] = mapped_column(_enum(LinkKind, 12))
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    account: Mapped[Account] = relationship()


class AuditAction(TitledEnum):
    """A change made in the back office to someone's account."""

    INVITED = "invited", N_("invited")
    RESET_LINK = "reset_link", N_("password reset link made")
    DEACTIVATED = "deactivated", N_("deactivated")


class AuditEntry(db.Model):
    """One change made in the back office: who made it, when, to whom, and the values before and after.
    Kept forever, listed per network, newest first (an index on the network and the id)."""

    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("networks.id"))
    action: Mapped[AuditAction] = mapped_column(_enum(AuditAction, 16))
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    before: Mapped[str] = mapped_column(sa.String(300), default="")
    after: Mapped[str] = mapped_column(sa.String(300), default="")
    actor: Mapped[Account] = relationship(foreign_keys=[actor_id])
    account: Mapped[Account] = relationship(foreign_keys=[account_id])

    __table_args__ = (sa.Index("ix_audit_entries_network", "network_id", "id"),)


class SignInEnd(TitledEnum):
    """Why a sign-in ended."""

    SIGNED_OUT = "signed_out", N_("signed out")
    PASSWORD_CHANGED = "password_changed", N_("password changed")
    DEACTIVATED = "deactivated", N_("account deactivated")
    DEVICE_REVOKED = "device_revoked", N_("device revoked")
    REPLACED = "replaced", N_("another sign-in on the device")
    IDLE = "idle", N_("unused for too long")


class SignIn(db.Model):
    """One sign-in of an account on a device. Its random id travels in the signed session cookie and each
    request looks it up by that id: once it has ended, every copy of the cookie opens nothing."""

    __tablename__ = "sign_ins"
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    device_id: Mapped[str] = mapped_column(sa.ForeignKey("devices.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    end_reason: Mapped[Optional[SignInEnd]] = mapped_column(_enum(SignInEnd, 20))
    account: Mapped[Account] = relationship()

    @property
    def open(self):
        return self.ended_at is None


def _customer_key(context):
    fields = context.get_current_parameters()
    return pickup_rules.customer_key(fields.get("customer_email") or "", fields.get("customer_name") or "")


# ``WHERE active`` as the partial index says it: SQLAlchemy writes a Boolean column as ``active = 1`` on
# SQLite, which the planner does not match with the index's ``WHERE active``.
ACTIVE_PICKUP = sa.literal_column("pickups.active")


class Pickup(db.Model):
    """One customer's parcels waiting at one shop, under one 6-digit code."""

    __tablename__ = "pickups"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id"), index=True)
    customer_name: Mapped[str] = mapped_column(sa.String(120))
    customer_email: Mapped[str] = mapped_column(sa.String(200), default="")
    # One active pickup per customer and shop (hub/rules/pickup.customer_key), made from the two above.
    customer_key: Mapped[str] = mapped_column(sa.String(210), default=_customer_key)
    customer_phone: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")
    code: Mapped[str] = mapped_column(sa.String(6))
    token: Mapped[str] = mapped_column(sa.String(40), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    shop: Mapped[Shop] = relationship()
    parcels: Mapped[list["Parcel"]] = relationship(back_populates="pickup", order_by="Parcel.tracking_id")

    __table_args__ = (
        sa.Index(
            "uq_active_pickup_code",
            "shop_id",
            "code",
            unique=True,
            sqlite_where=sa.text("active"),
            postgresql_where=sa.text("active"),
        ),
        sa.Index("uq_active_pickup_customer", "shop_id", "customer_key", unique=True,
                 sqlite_where=sa.text("active"), postgresql_where=sa.text("active")),
    )


class Visit(db.Model):
    """A carrier at the counter: a drop-off or a return pick-up, opened with the shop's code.

    ``mode`` is "carrier" when the network's carrier scans, "other" when the associate scans the
    parcels of another driver (the « Autre » choice) against the 30-minute intake rule.
    """

    __tablename__ = "visits"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Names the visit in the carrier's URLs: the id of the command that opened it, so that a device
    # can open a visit offline and go on scanning into it before the server has heard of it.
    key: Mapped[str] = mapped_column(sa.String(64), unique=True, default=lambda: uuid.uuid4().hex)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id"), index=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("networks.id"))
    kind: Mapped[VisitKind] = mapped_column(_enum(VisitKind, 12), default=VisitKind.DROPOFF)
    mode: Mapped[VisitMode] = mapped_column(_enum(VisitMode, 12), default=VisitMode.CARRIER)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    device_id: Mapped[Optional[str]] = mapped_column(sa.String(36))
    code_scanned_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_scan_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    end_reason: Mapped[Optional[VisitEnd]] = mapped_column(_enum(VisitEnd, 12))
    shop: Mapped[Shop] = relationship()
    network: Mapped[Network] = relationship()
    account: Mapped["Account"] = relationship()

    # The visits still open, at a shop or of a carrier: their history stays out of the way.
    __table_args__ = (
        sa.Index("ix_visits_shop_closed", "shop_id", "closed_at"),
        sa.Index("ix_visits_account_closed", "account_id", "closed_at"),
    )

    @property
    def open(self):
        return self.closed_at is None

    @property
    def last_activity(self):
        return self.last_scan_at or self.opened_at


# The parcels that hold their shelf place: those in the shop (IN_SHOP).
SHELF_PLACE_TAKEN = "shelf_place IS NOT NULL AND state IN ({})".format(
    ", ".join(f"'{state.value}'" for state in sorted(IN_SHOP, key=lambda s: s.value)))


class Parcel(db.Model):
    __tablename__ = "parcels"
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("networks.id"))
    tracking_id: Mapped[str] = mapped_column(sa.String(64))
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id"), index=True)
    pickup_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("pickups.id"), index=True)
    recipient_name: Mapped[str] = mapped_column(sa.String(120))
    recipient_email: Mapped[str] = mapped_column(sa.String(200), default="")
    recipient_phone: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    size: Mapped[Size] = mapped_column(_enum(Size, 8), default=Size.SMALL)
    state: Mapped[State] = mapped_column(_enum(State, 24), default=State.EXPECTED)
    shelf_place: Mapped[Optional[str]] = mapped_column(sa.String(12))
    # The recipient's name folded (lowercase, no accents), indexed for the back office's search.
    recipient_folded: Mapped[str] = mapped_column(sa.String(120), default="")
    expected_on: Mapped[Optional[date]] = mapped_column(sa.Date)
    dropped_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    state_since: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # The hold, computed by the rules when the parcel is received (and again when the shop's hours or
    # closures change): the last local day the customer can collect it, and the instant it expires.
    last_day: Mapped[Optional[date]] = mapped_column(sa.Date)
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # When the customer is reminded that the last day comes (set at drop-off, cleared once reminded):
    # the reminders' job reads it by index, whatever the history.
    remind_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)
    # Two devices moving the same parcel at once: the second update finds the version changed.
    version: Mapped[int] = mapped_column(default=1)
    network: Mapped[Network] = relationship()
    shop: Mapped[Shop] = relationship()
    pickup: Mapped[Optional[Pickup]] = relationship(back_populates="parcels")
    events: Mapped[list["ParcelEvent"]] = relationship(back_populates="parcel", order_by="ParcelEvent.id")

    __table_args__ = (
        sa.UniqueConstraint("network_id", "tracking_id", name="uq_parcel_tracking"),
        # A shelf place holds one parcel of the shop at a time: two parcels received at the same moment
        # cannot both be told to go on it (the loser's command is retried and gets the next place).
        sa.Index("uq_shelf_place_in_shop", "shop_id", "shelf_place", unique=True,
                 sqlite_where=sa.text(SHELF_PLACE_TAKEN), postgresql_where=sa.text(SHELF_PLACE_TAKEN)),
        # What a shop holds in a state, and its shelf by expiry: a request's cost follows what the shop
        # holds now, never its history (collected and returned parcels are other states).
        sa.Index("ix_parcels_shop_state_expires", "shop_id", "state", "expires_at"),
        sa.Index("ix_parcels_network_state", "network_id", "state", "shop_id"),
        sa.Index("ix_parcels_tracking_id", "tracking_id"),
        sa.Index("ix_parcels_recipient_folded", "recipient_folded"),
        # The back office's search by name within an operator's network (by tracking ID: uq_parcel_tracking).
        sa.Index("ix_parcels_network_recipient", "network_id", "recipient_folded"),
    )
    __mapper_args__ = {"version_id_col": version}

    def __init__(self, **fields):
        fields.setdefault("state", State.EXPECTED)
        super().__init__(**fields)

    @validates("recipient_name")
    def _fold_name(self, _key, name):
        self.recipient_folded = folded(name)[:120]
        return name

    @property
    def last_pickup_day(self):
        """The last local day the customer can collect it (None before drop-off)."""
        return self.last_day


class ParcelEvent(db.Model):
    """One movement of a parcel, kept forever."""

    __tablename__ = "parcel_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[int] = mapped_column(sa.ForeignKey("parcels.id"), index=True)
    action: Mapped[Action] = mapped_column(_enum(Action, 24))
    from_state: Mapped[State] = mapped_column(_enum(State, 24))
    to_state: Mapped[State] = mapped_column(_enum(State, 24))
    account_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("accounts.id"))
    device_id: Mapped[Optional[str]] = mapped_column(sa.String(36))
    command_id: Mapped[Optional[str]] = mapped_column(sa.String(64), index=True)
    visit_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("visits.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    offline: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    parcel: Mapped[Parcel] = relationship(back_populates="events")
    account: Mapped[Optional[Account]] = relationship()


class Command(db.Model):
    """A state-changing request, stored under its client-made id so it is applied once."""

    __tablename__ = "commands"
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    account_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("accounts.id"))
    # A network's system has no account: its API key names who sent the command.
    api_key_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("api_keys.id"))
    endpoint: Mapped[str] = mapped_column(sa.String(120))
    payload_digest: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[Optional[int]] = mapped_column()
    body: Mapped[Optional[str]] = mapped_column(sa.Text)
    headers: Mapped[Optional[str]] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OpeningRange(db.Model):
    __tablename__ = "opening_ranges"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id"), index=True)
    weekday: Mapped[int] = mapped_column()
    opens: Mapped[time] = mapped_column(sa.Time)
    closes: Mapped[time] = mapped_column(sa.Time)
    shop: Mapped[Shop] = relationship(back_populates="ranges")


class Closure(db.Model):
    __tablename__ = "closures"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id"), index=True)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    shop: Mapped[Shop] = relationship(back_populates="closures")


class SupportRequest(db.Model):
    """A call-back the back office owes someone."""

    __tablename__ = "support_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("shops.id"))
    account_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("accounts.id"))
    phone: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    screen: Mapped[str] = mapped_column(sa.String(120), default="")
    message: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[SupportStatus] = mapped_column(_enum(SupportStatus, 12), default=SupportStatus.NEW)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    shop: Mapped[Optional[Shop]] = relationship()


class Deliverable:
    """A message the worker sends to the outside, retried until it is through or given up."""

    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus, 12), default=DeliveryStatus.PENDING,
                                                   server_default="pending")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # A worker that takes the message holds it until then: two workers never send it at once.
    claimed_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)


class OutboxMessage(Deliverable, db.Model):
    """A notice to a customer (e-mail or text message), sent by the worker."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind, 32))
    channel: Mapped[Channel] = mapped_column(_enum(Channel, 8), default=Channel.EMAIL, server_default="email")
    recipient: Mapped[str] = mapped_column(sa.String(200))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    pickup_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("pickups.id"))
    parcel_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("parcels.id"))
    attempts_made: Mapped[list["DeliveryAttempt"]] = relationship(order_by="DeliveryAttempt.id", viewonly=True)

    # The worker's due messages by status; the back office's notices newest first.
    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),
                      sa.Index("ix_outbox_created", "created_at", "id"))


class WebhookEndpoint(db.Model):
    """A URL of a network's system that hears of every parcel event and shop change of that network."""

    __tablename__ = "webhook_endpoints"
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("networks.id"), index=True)
    url: Mapped[str] = mapped_column(sa.String(500))
    # Kept as it is: it signs every delivery (HMAC-SHA256), so the receiver can check who sent it.
    secret: Mapped[str] = mapped_column(sa.String(64))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    network: Mapped[Network] = relationship()


class WebhookDelivery(Deliverable, db.Model):
    """One event for one endpoint. Deliveries of one parcel (``ordering_key``) go out in order."""

    __tablename__ = "webhook_deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_endpoints.id"))
    event_type: Mapped[str] = mapped_column(sa.String(40))
    ordering_key: Mapped[str] = mapped_column(sa.String(40))
    body: Mapped[str] = mapped_column(sa.Text)
    endpoint: Mapped[WebhookEndpoint] = relationship()
    attempts_made: Mapped[list["DeliveryAttempt"]] = relationship(order_by="DeliveryAttempt.id", viewonly=True)

    __table_args__ = (
        sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        sa.Index("ix_webhook_deliveries_order", "endpoint_id", "ordering_key", "id"),
    )


class DeliveryAttempt(db.Model):
    """One try at sending a notice or a webhook delivery: when, and what came back."""

    __tablename__ = "delivery_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("outbox.id"), index=True)
    delivery_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("webhook_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column(default=False)
    status_code: Mapped[Optional[int]] = mapped_column()
    error: Mapped[str] = mapped_column(sa.String(300), default="")
    ms: Mapped[int] = mapped_column(default=0)


class Setting(db.Model):
    """Small server-wide values kept in the database, never in process memory."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(200))


class EventsAreForever(Exception):
    pass


@sa_event.listens_for(sa.orm.Session, "before_flush")
def _refuse_event_changes(session, _context, _instances):
    """Parcel events are never updated nor deleted."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, ParcelEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise EventsAreForever("parcel events are append-only")


@sa_event.listens_for(sa.orm.Session, "do_orm_execute")
def _refuse_bulk_event_changes(state):
    """Nor rewritten by an UPDATE or DELETE statement, which never goes through a flush."""
    if (state.is_update or state.is_delete) and any(m.class_ is ParcelEvent for m in state.all_mappers):
        raise EventsAreForever("parcel events are append-only")


class ShopEvent(db.Model):
    """A change to a shop's settings (« Je suis complet », capacity, hours): who made it, and when."""

    __tablename__ = "shop_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id"), index=True)
    kind: Mapped[ShopChange] = mapped_column(_enum(ShopChange, 32))
    account_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("accounts.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[str] = mapped_column(sa.String(300), default="")
    account: Mapped[Optional[Account]] = relationship()


class PickupCodeFailure(db.Model):
    """A wrong pickup code typed or scanned at a counter: the guessing limit counts these.

    The code itself is not kept: only a keyed digest, enough to tell one code retried from a sweep.
    """

    __tablename__ = "pickup_code_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id"))
    device_id: Mapped[Optional[str]] = mapped_column(sa.String(36))
    account_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("accounts.id"))
    code_digest: Mapped[str] = mapped_column(sa.String(64), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.Index("ix_pickup_code_failures_shop_at", "shop_id", "at"),
        sa.Index("ix_pickup_code_failures_device_at", "device_id", "at"),
    )
