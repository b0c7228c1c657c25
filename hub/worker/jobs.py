"""The worker's jobs: send one notice, deliver one webhook call, run what is due. Each commits its own
small transactions, like a request: take the row, let go of the database while the outside answers, then
keep the outcome."""
from flask import current_app

from ..core import clock
from ..core.extensions import db
from ..core.models import Channel, OutboxMessage, WebhookDelivery
from ..ops import outbox
from . import schedule, transports


def _take(model, ident):
    """Claim the row and read what sending it needs, then end the transaction; None if another worker has it."""
    if not outbox.claim(model, ident, clock.now()):
        db.session.rollback()
        return None
    db.session.commit()
    row = db.session.get(model, ident)
    if isinstance(row, OutboxMessage):
        data = {"channel": row.channel, "recipient": row.recipient, "subject": row.subject, "body": row.body,
                "html": row.html}
    else:
        data = {"id": row.id, "url": row.endpoint.url, "secret": row.endpoint.secret, "body": row.body,
                "event_type": row.event_type}
    db.session.commit()
    return data


def _keep(model, ident, outcome):
    row = outbox.settle(db.session.get(model, ident), outcome, clock.now())
    db.session.commit()
    return row


def send_notice(ident):
    """Send one customer notice (e-mail or SMS) and keep the attempt. Returns the row, or None if not taken."""
    letter = _take(OutboxMessage, ident)
    if letter is None:
        return None
    config = current_app.config
    send = transports.send_sms if letter["channel"] == Channel.SMS else transports.send_email
    return _keep(OutboxMessage, ident, send(config, letter))


def deliver(ident):
    """Post one webhook delivery, signed, and keep the attempt. Returns the row, or None if not taken."""
    call = _take(WebhookDelivery, ident)
    if call is None:
        return None
    outcome = transports.post_webhook(call, clock.now().timestamp())
    return _keep(WebhookDelivery, ident, outcome)


def work_once(limit=outbox.BATCH):
    """One round: the scheduled jobs that are due, then the due notices and webhook calls. Returns how many
    things it did (0: nothing was due)."""
    done = schedule.run_due(clock.now())
    for ident in outbox.due_notices(clock.now(), limit):
        done += send_notice(ident) is not None
    db.session.commit()
    for ident in outbox.due_deliveries(clock.now(), limit):
        done += deliver(ident) is not None
    db.session.commit()
    return done
