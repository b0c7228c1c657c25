"""Who signs in: accounts, their devices and sign-ins, one-time links and the back office's audit log."""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ...rules.enums import TitledEnum
from ...rules.errors import N_
from .base import UTCDateTime, _enum
from .shops import Network, Shop


class Role(TitledEnum):
    ASSOCIATE = "associate", N_("associate")
    CARRIER = "carrier", N_("carrier")
    OPERATOR = "operator", N_("operator")


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
    # The personal PIN that takes over a shared counter (werkzeug's hash; None: no PIN yet), and the wrong
    # PINs typed in a row: at hub/rules/pins.MAX_FAILURES it is locked until a password sign-in.
    pin_hash: Mapped[Optional[str]] = mapped_column(sa.String(256))
    pin_failures: Mapped[int] = mapped_column(default=0, server_default="0")
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
    # The key of the PINs' keyed hashes this device gets offline (hub/rules/pins.keyed_hash), made the first
    # time one is needed; the device keeps it in its storage.
    pin_secret: Mapped[Optional[str]] = mapped_column(sa.String(64))
    # Given at its first sign-in (a suggestion made from its user agent when left blank).
    name: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    # What its service worker said at its last sync: its version, and how many steps waited in its queue.
    app_version: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    queue_length: Mapped[Optional[int]] = mapped_column()
    revoked_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("accounts.id"))
    shop: Mapped[Optional[Shop]] = relationship()
    last_account: Mapped[Optional[Account]] = relationship(foreign_keys=[last_account_id])
    revoked_by: Mapped[Optional[Account]] = relationship(foreign_keys=[revoked_by_id])

    # The back office lists a shop's devices, last seen first.
    __table_args__ = (sa.Index("ix_devices_shop_seen", "shop_id", "last_seen_at"),)


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
    """A change made in the back office: to someone's account, a shop or the network's settings."""

    INVITED = "invited", N_("invited")
    RESET_LINK = "reset_link", N_("password reset link made")
    DEACTIVATED = "deactivated", N_("deactivated")
    DEVICE_REVOKED = "device_revoked", N_("device revoked")
    HELD_STEP_ACCEPTED = "held_step_accepted", N_("held step accepted")
    HELD_STEP_REFUSED = "held_step_refused", N_("held step refused")
    NETWORK_CREATED = "network_created", N_("created the network")
    NETWORK_NAME = "network_name", N_("renamed the network")
    HOLD_DAYS = "hold_days", N_("changed the hold period (open days)")
    DEFAULT_CAPACITY = "default_capacity", N_("changed the capacity of new shops")
    OTHER_CARRIER = "other_carrier", N_("changed whether another driver's parcels are taken in")
    INTAKE_MINUTES = "intake_minutes", N_("changed the intake window (minutes)")
    DROPOFF_MAX_KG = "dropoff_max_kg", N_("changed the heaviest drop-off (kg)")
    DROPOFF_MAX_CM = "dropoff_max_cm", N_("changed the longest side of a drop-off (cm)")
    SHOP_CREATED = "shop_created", N_("created the shop")
    SHOP_DETAILS = "shop_details", N_("changed the shop's name or address")
    SHOP_CAPACITY = "shop_capacity", N_("changed the shop's capacity")
    SHOP_ACTIVE = "shop_active", N_("changed whether the shop is active")
    SHOP_SERVICES = "shop_services", N_("changed the shop's services")
    SHOP_TIMEZONE = "shop_timezone", N_("changed the shop's time zone")
    SHOP_NETWORKS = "shop_networks", N_("changed the networks the shop serves")


class AuditEntry(db.Model):
    """One change made in the back office: who made it, when, to what (an account, a shop, a device or the
    network itself), and the values before and after. Kept forever, listed per network, newest first (an
    index on the network and the id). ``subject`` is what the change was about as it was named then."""

    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("networks.id"))
    action: Mapped[AuditAction] = mapped_column(_enum(AuditAction, 24))
    account_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("accounts.id"))
    shop_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("shops.id"))
    device_id: Mapped[Optional[str]] = mapped_column(sa.String(36))
    subject: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    before: Mapped[str] = mapped_column(sa.String(300), default="")
    after: Mapped[str] = mapped_column(sa.String(300), default="")
    actor: Mapped[Account] = relationship(foreign_keys=[actor_id])
    account: Mapped[Optional[Account]] = relationship(foreign_keys=[account_id])
    shop: Mapped[Optional[Shop]] = relationship()

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
    # Who is at the counter: an associate of the same shop who took the device over with their PIN (None:
    # the account that signed in). The sign-in stays open, and with it the device's offline replay token.
    acting_account_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("accounts.id"))
    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    acting: Mapped[Optional[Account]] = relationship(foreign_keys=[acting_account_id])

    @property
    def open(self):
        return self.ended_at is None

    @property
    def at_counter(self):
        """The account every request of this sign-in acts as: the associate at the counter."""
        acting = self.acting
        if acting is not None and acting.active and acting.shop_id == self.account.shop_id:
            return acting
        return self.account


class DeviceAssociate(db.Model):
    """An associate who signed in with their password on this device: they may take its counter over with
    their PIN. ``pin_key`` is their PIN's keyed hash for this device (hub/rules/pins.keyed_hash), written
    when the server last saw the PIN typed here, so the device can check it offline."""

    __tablename__ = "device_associates"
    device_id: Mapped[str] = mapped_column(sa.ForeignKey("devices.id"), primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), primary_key=True, index=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    pin_key: Mapped[Optional[str]] = mapped_column(sa.String(64))
    account: Mapped[Account] = relationship()
