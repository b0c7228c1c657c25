"""Parcels and their events (append-only: the parcel's state column is their projection), pickups, visits
and the commands that moved them."""
from datetime import date, datetime
from typing import Optional
import uuid

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from ...rules.dropoff import VisitEnd, VisitKind, VisitMode
from ...rules import pickup as pickup_rules
from ...rules.parcels import IN_SHOP, Action, Size, State
from ...rules.text import folded
from .accounts import Account
from .base import UTCDateTime, _enum
from .shops import Network, Shop


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
    parcels of another driver (the « Autre » choice) within the network's intake window.
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
    # The network's hold period (open days) when the parcel arrived: the customer was told a day, so a later
    # change of the network's period does not move it (a change of the shop's hours counts with this one).
    hold_days: Mapped[Optional[int]] = mapped_column()
    # When the customer is reminded that the last day comes (set at drop-off, cleared once reminded):
    # the reminders' job reads it by index, whatever the history.
    remind_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)
    # A customer's drop-off, going out with the carrier (its « recipient » is then its sender, at the counter).
    outgoing: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
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
