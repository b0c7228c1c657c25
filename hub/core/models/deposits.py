"""Customers' drop-offs: announced by their network with a code, deposited at a shop as an outgoing parcel."""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ...rules.deposits import DepositKind, OverLimit
from ...rules.parcels import Size
from .accounts import Account
from .base import UTCDateTime, _enum
from .parcels import Parcel
from .shops import Network, Shop

__all__ = ["Deposit"]


class Deposit(db.Model):
    """A drop-off the network announced: the customer shows its code (or the label's tracking ID) at a shop.

    Its parcel is made when a shop takes it (``parcel_id``): until then no shop holds anything. A refusal at the
    counter (over the network's limits) is kept here with who refused it; the code can then not be used again."""

    __tablename__ = "deposits"
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("networks.id"))
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    kind: Mapped[DepositKind] = mapped_column(_enum(DepositKind, 12))
    tracking_id: Mapped[str] = mapped_column(sa.String(64))
    service: Mapped[str] = mapped_column(sa.String(80), default="")
    sender_name: Mapped[str] = mapped_column(sa.String(120))
    sender_email: Mapped[str] = mapped_column(sa.String(200), default="")
    sender_phone: Mapped[str] = mapped_column(sa.String(32), default="")
    size: Mapped[Size] = mapped_column(_enum(Size, 8), default=Size.SMALL)
    # True when the customer has no label: the shop prints it (or sticks one of its own barcodes).
    label_needed: Mapped[bool] = mapped_column(default=False)
    # The shop the customer chose, when the network knows it: that shop's devices carry the code offline.
    shop_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("shops.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    parcel_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("parcels.id"), unique=True)
    # A pre-printed barcode of the shop's, stuck on a label-less parcel and paired with it by a scan.
    shop_label: Mapped[Optional[str]] = mapped_column(sa.String(64))
    # The receipt's address: the customer's proof of the deposit, opened from its QR code or the e-mail.
    receipt_token: Mapped[Optional[str]] = mapped_column(sa.String(40), unique=True)
    refused_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    refusal: Mapped[Optional[OverLimit]] = mapped_column(_enum(OverLimit, 12))
    refused_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("accounts.id"))
    refused_at_shop_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("shops.id"))
    # Two counters taking and refusing the same code at once: the second update finds the version changed.
    version: Mapped[int] = mapped_column(default=1)
    network: Mapped[Network] = relationship()
    shop: Mapped[Optional[Shop]] = relationship(foreign_keys=[shop_id])
    parcel: Mapped[Optional[Parcel]] = relationship()
    refused_by: Mapped[Optional[Account]] = relationship()
    refused_at_shop: Mapped[Optional[Shop]] = relationship(foreign_keys=[refused_at_shop_id])

    __table_args__ = (
        # The label's tracking ID names one drop-off of the network, as it names one parcel.
        sa.UniqueConstraint("network_id", "tracking_id", name="uq_deposit_tracking"),
        # A shop's pre-printed barcodes are each on one parcel.
        sa.Index("uq_deposit_shop_label", "network_id", "shop_label", unique=True,
                 sqlite_where=sa.text("shop_label IS NOT NULL"), postgresql_where=sa.text("shop_label IS NOT NULL")),
        # The codes a shop's devices carry offline: those announced for it, still to deposit.
        sa.Index("ix_deposits_shop_waiting", "shop_id", "parcel_id", "expires_at"),
        # The back office's list, newest first within a network.
        sa.Index("ix_deposits_network_created", "network_id", "created_at"),
    )
    __mapper_args__ = {"version_id_col": version}
