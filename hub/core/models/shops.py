"""Networks, shops, their hours and closures, and what changed in their settings."""
from datetime import date, datetime, time
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ...rules.enums import TitledEnum
from ...rules.errors import N_
from .base import UTCDateTime, _enum


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
    DETAILS = "details", N_("changed the name or address")
    NETWORKS = "networks", N_("changed the networks served")
    IDLE_MINUTES = "idle_minutes", N_("changed when an idle counter asks for a PIN")


class SupportStatus(TitledEnum):
    """Where a call-back request stands: new → called → closed (and reopened when needed)."""

    NEW = "new", N_("new")
    CALLED = "called", N_("called")
    CLOSED = "closed", N_("closed")


shop_networks = sa.Table(
    "shop_networks",
    db.metadata,
    sa.Column("shop_id", sa.ForeignKey("shops.id"), primary_key=True),
    sa.Column("network_id", sa.ForeignKey("networks.id"), primary_key=True),
)


class Network(db.Model):
    """A parcel network, with the settings its operators choose (bounds in hub/rules/networks.py)."""

    __tablename__ = "networks"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    # Days the shop is open that a customer has to collect a parcel, counted from the day after it arrived.
    hold_days: Mapped[int] = mapped_column(default=7, server_default="7")
    # The capacity a new shop of the network starts with.
    default_capacity: Mapped[int] = mapped_column(default=20, server_default="20")
    # « Autre »: whether associates may scan in another driver's parcels, and within how many opening minutes.
    other_carrier_allowed: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    intake_minutes: Mapped[int] = mapped_column(default=30, server_default="30")
    # The most a customer's drop-off may weigh and measure on its longest side: above, the counter refuses it.
    dropoff_max_kg: Mapped[int] = mapped_column(default=20, server_default="20")
    dropoff_max_cm: Mapped[int] = mapped_column(default=100, server_default="100")


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
    # Minutes without activity after which a counter device asks « Qui est au comptoir ? » (hub/rules/pins).
    idle_minutes: Mapped[int] = mapped_column(default=10, server_default="10")
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


class ShopEvent(db.Model):
    """A change to a shop's settings (« Je suis complet », capacity, hours): who made it, and when."""

    __tablename__ = "shop_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id"), index=True)
    kind: Mapped[ShopChange] = mapped_column(_enum(ShopChange, 32))
    account_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("accounts.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[str] = mapped_column(sa.String(300), default="")
    account: Mapped[Optional["Account"]] = relationship()  # noqa: F821  (hub/core/models/accounts.py)


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


class Setting(db.Model):
    """Small server-wide values kept in the database, never in process memory."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(200))
