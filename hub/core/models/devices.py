"""Steps held from a revoked device: what its offline queue sent after the network removed it, kept for an
operator to accept (applied as its replay would have been) or refuse (kept, applied never)."""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ...rules.enums import TitledEnum
from ...rules.errors import N_
from .accounts import Account, Device
from .base import UTCDateTime, _enum

__all__ = ["HeldStatus", "HeldStep"]


class HeldStatus(TitledEnum):
    HELD = "held", N_("waiting for a decision")
    APPLIED = "applied", N_("accepted and applied")
    FAILED = "failed", N_("accepted, refused by the server")
    REFUSED = "refused", N_("refused")


class HeldStep(db.Model):
    """One queued step of a revoked device, as its queue sent it: the command id, the request (method, path,
    form body), the time the device claims, the account it names (``vouched``: its replay token said so, else
    the account is only what the step claims), when it arrived; then the operator's decision and its outcome."""

    __tablename__ = "held_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = mapped_column(sa.ForeignKey("devices.id"))
    command_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    method: Mapped[str] = mapped_column(sa.String(8))
    path: Mapped[str] = mapped_column(sa.String(500))
    content_type: Mapped[str] = mapped_column(sa.String(200), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    occurred_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    account_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("accounts.id"))
    vouched: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[HeldStatus] = mapped_column(_enum(HeldStatus, 12), default=HeldStatus.HELD)
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("accounts.id"))
    outcome: Mapped[str] = mapped_column(sa.String(500), default="")
    device: Mapped[Device] = relationship()
    account: Mapped[Optional[Account]] = relationship(foreign_keys=[account_id])
    decided_by: Mapped[Optional[Account]] = relationship(foreign_keys=[decided_by_id])

    # A device's page lists its held steps in the order they arrived.
    __table_args__ = (sa.Index("ix_held_steps_device", "device_id", "id"),)
