"""Messages to the outside: customer notices and webhook deliveries, with every attempt."""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ...rules.enums import TitledEnum
from ...rules.errors import N_
from .base import UTCDateTime, _enum
from .shops import Network


class NoticeKind(TitledEnum):
    """Which customer notice an outbox message is."""

    PICKUP_NOTICE = "pickup_notice", N_("pickup notice")
    REFUND = "refund", N_("refund notice")
    NOTICE_RESENT = "notice_resent", N_("pickup notice sent again")
    DEADLINE_MOVED = "deadline_moved", N_("last pickup day moved")
    REMINDER = "reminder", N_("reminder before the last day")
    DEPOSIT_RECEIPT = "deposit_receipt", N_("drop-off receipt")


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
