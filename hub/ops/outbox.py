"""What the worker sends to the outside — customer notices (OutboxMessage) and webhook deliveries — as
rows of the database: which are due, taking one so that no other worker sends it at once, and keeping
each attempt. Like every operation, these flush and never commit; the worker commits around each send,
so no transaction stays open while a mail server or a network's system answers."""
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import aliased

from ..core.extensions import db
from ..core.models import DeliveryAttempt, DeliveryStatus, OutboxMessage, WebhookDelivery
from ..rules import delivery as rules

LEASE = timedelta(minutes=2)  # a worker that died while sending: another one takes the message after this
BATCH = 50


@dataclass(frozen=True)
class Outcome:
    """What one attempt gave: through, refused for good (a bounce), or to be tried again."""

    ok: bool
    permanent: bool = False
    status_code: Optional[int] = None
    error: str = ""
    ms: int = 0


def _free(model, now):
    return and_(model.status == DeliveryStatus.PENDING, model.next_attempt_at <= now,
                or_(model.claimed_until.is_(None), model.claimed_until < now))


def _its_turn():
    """A webhook delivery goes out only when no earlier one of the same parcel (or shop) for the same URL waits."""
    earlier = aliased(WebhookDelivery)
    return ~exists().where(earlier.endpoint_id == WebhookDelivery.endpoint_id,
                           earlier.ordering_key == WebhookDelivery.ordering_key,
                           earlier.status == DeliveryStatus.PENDING, earlier.id < WebhookDelivery.id)


def due_notices(now, limit=BATCH):
    """The notices whose next attempt has come and that no worker holds, the longest waiting first."""
    return db.session.scalars(select(OutboxMessage.id).where(_free(OutboxMessage, now))
                              .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)).all()


def due_deliveries(now, limit=BATCH):
    """The webhook deliveries whose next attempt has come, no worker holds, and whose turn it is, oldest first."""
    return db.session.scalars(select(WebhookDelivery.id).where(_free(WebhookDelivery, now), _its_turn())
                              .order_by(WebhookDelivery.id).limit(limit)).all()


def claim(model, ident, now):
    """Take the message for LEASE, if it is still due and free (and, for a webhook, its turn): True if taken."""
    where = [model.id == ident, _free(model, now)] + ([_its_turn()] if model is WebhookDelivery else [])
    taken = db.session.execute(update(model).where(*where).values(claimed_until=now + LEASE)
                               .execution_options(synchronize_session=False))
    return taken.rowcount == 1


def settle(row, outcome, now):
    """Keep the attempt; the message is sent, refused for good, or waits for its next try (given up after 3 days)."""
    key = {"outbox_id": row.id} if isinstance(row, OutboxMessage) else {"delivery_id": row.id}
    db.session.add(DeliveryAttempt(at=now, ok=outcome.ok, status_code=outcome.status_code,
                                   error=outcome.error[:300], ms=outcome.ms, **key))
    row.claimed_until, row.last_error = None, outcome.error[:300]
    if outcome.ok:
        row.status, row.sent_at = DeliveryStatus.SENT, now
    elif outcome.permanent:
        row.status = DeliveryStatus.BOUNCED if isinstance(row, OutboxMessage) else DeliveryStatus.FAILED
    else:
        row.attempts += 1
        row.next_attempt_at = rules.retry_at(row.attempts, now)
        if row.next_attempt_at is None:
            row.status = DeliveryStatus.FAILED
    db.session.flush()
    return row


def next_in_line(delivery):
    """The delivery of the same parcel (or shop) for the same URL that waited for this one, if any."""
    return db.session.scalar(select(WebhookDelivery.id).where(
        WebhookDelivery.endpoint_id == delivery.endpoint_id, WebhookDelivery.ordering_key == delivery.ordering_key,
        WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.id > delivery.id)
        .order_by(WebhookDelivery.id).limit(1))


def send_again(row, now):
    """« Renvoyer »: the worker sends it again, with a fresh round of retries."""
    row.status, row.attempts, row.next_attempt_at, row.claimed_until = DeliveryStatus.PENDING, 0, now, None
    db.session.flush()
    return row
