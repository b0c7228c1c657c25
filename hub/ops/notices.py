"""Customer notices go to the outbox, in French (the customer's shop is in France): an e-mail (plain text and
HTML) to the customer's address and a text message to their mobile phone, each when known. The worker
sends them (hub/worker); the outbox keeps every message and each attempt to send it."""
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..core.extensions import db
from ..core.links import public_url
from ..core.models import Channel, NoticeKind, OutboxMessage, Parcel
from ..rules import sms
from ..rules.parcels import COLLECTABLE, State

REMINDER_BATCH = 500


def _message(kind, channel, recipient, now, pickup, parcel, **fields):
    message = OutboxMessage(kind=kind, channel=channel, recipient=recipient, pickup_id=pickup.id if pickup else None,
                            parcel_id=parcel.id if parcel else None, created_at=now, next_attempt_at=now, **fields)
    db.session.add(message)
    return message


def _email(kind, recipient, template, now, pickup, parcel, context):
    subject, _sep, body = render_template(template, **context).strip().partition("\n")
    html = render_template("notice/email.html", subject=subject.strip(), paragraphs=body.strip().split("\n\n"),
                           **context)
    return _message(kind, Channel.EMAIL, recipient or "", now, pickup, parcel, subject=subject.strip(),
                    body=body.strip(), html=html)


def _text_message(kind, phone, now, pickup, parcel, parts):
    text = sms.fit(parts)
    return _message(kind, Channel.SMS, phone, now, pickup, parcel, subject=text[:200], body=text)


def _queue(kind, template, now, *, email, phone, pickup=None, parcel=None, sms_parts=None, **context):
    """The e-mail (always kept, even with no address: the back office sees what was due) and the SMS."""
    context = dict(pickup=pickup, parcel=parcel, shop=(pickup or parcel).shop, **context)
    with force_locale("fr"):
        message = _email(kind, email, template, now, pickup, parcel, context)
        if phone and sms_parts:
            _text_message(kind, phone, now, pickup, parcel, sms_parts(**context))
    return message


def _link(pickup):
    return public_url("notice.show", token=pickup.token)


def _pickup_sms(pickup, link, last_day=None, **_context):
    parts = [(_("Your parcel is at %(shop)s.", shop=pickup.shop.name), False),
             (_("Pickup code: %(code)s.", code=pickup.code), True)]
    if last_day:
        parts.append((_("Collect it by %(day)s.", day=last_day.strftime("%d/%m")), False))
    return parts + [(link, True)]


def pickup_notice(pickup, parcel, now):
    """« Votre colis est arrivé »: the link to the notice with its barcode and 6-digit code."""
    return _queue(NoticeKind.PICKUP_NOTICE, "notice/pickup_notice.txt", now, email=pickup.customer_email,
                  phone=pickup.customer_phone, pickup=pickup, parcel=parcel, link=_link(pickup),
                  last_day=parcel.last_pickup_day, sms_parts=_pickup_sms)


def refund_notice(parcel, now):
    """The parcel was refused as damaged at drop-off: it goes back and the customer is refunded."""
    return _queue(NoticeKind.REFUND, "notice/refund_notice.txt", now, email=parcel.recipient_email,
                  phone=parcel.recipient_phone, parcel=parcel, sms_parts=lambda parcel, **_c: [
                      (_("Your parcel %(tracking_id)s arrived damaged and goes back: you will be refunded.",
                         tracking_id=parcel.tracking_id), True)])


def deposit_receipt(deposit, event, now):
    """« Reçu de dépôt »: the customer's proof that the shop took their parcel (``event``), with the receipt's link."""
    return _queue(NoticeKind.DEPOSIT_RECEIPT, "notice/deposit_receipt.txt", now, email=deposit.sender_email,
                  phone="", parcel=deposit.parcel, deposit=deposit, event=event,
                  link=public_url("deposit.receipt", token=deposit.receipt_token))


def _waiting(pickup):
    return [p for p in pickup.parcels if p.state in COLLECTABLE]


def _last_day(parcels):
    return min((p.last_pickup_day for p in parcels if p.dropped_at), default=None)


def _moved_sms(pickup, link, moved, **_context):
    day = min(p.last_pickup_day for p in moved)
    return [(_("%(shop)s changed its opening days.", shop=pickup.shop.name), False),
            (_("Collect your parcel by %(day)s.", day=day.strftime("%d/%m")), True), (link, True)]


def deadline_moved(pickup, moved, now):
    """The shop's hours or closures moved the last pickup day of some of the customer's parcels."""
    return _queue(NoticeKind.DEADLINE_MOVED, "notice/deadline_moved.txt", now, email=pickup.customer_email,
                  phone=pickup.customer_phone, pickup=pickup, link=_link(pickup), moved=moved,
                  sms_parts=_moved_sms)


def notice_resent(pickup, now):
    """The pickup notice again (asked by customer service or the customer): the same code, every parcel
    still waiting."""
    waiting = _waiting(pickup)
    return _queue(NoticeKind.NOTICE_RESENT, "notice/notice_resent.txt", now, email=pickup.customer_email,
                  phone=pickup.customer_phone, pickup=pickup, link=_link(pickup), waiting=waiting,
                  last_day=_last_day(waiting), sms_parts=_pickup_sms)


def reminder(pickup, now):
    """Two days before the last day: the parcels still wait, under the same code."""
    waiting = _waiting(pickup)
    return _queue(NoticeKind.REMINDER, "notice/reminder.txt", now, email=pickup.customer_email,
                  phone=pickup.customer_phone, pickup=pickup, link=_link(pickup), waiting=waiting,
                  last_day=_last_day(waiting), sms_parts=_pickup_sms)


def send_reminders(now):
    """The scheduled job: remind every customer whose parcel's reminder time has come (one notice per
    pickup), then clear the parcels' reminder times. Returns how many notices were queued."""
    due = db.session.scalars(
        select(Parcel).where(Parcel.remind_at <= now).order_by(Parcel.remind_at).limit(REMINDER_BATCH)
    ).all()
    pickups = {p.pickup for p in due if p.state == State.AT_STORE and p.pickup is not None and p.pickup.active}
    for parcel in due:
        parcel.remind_at = None
    for pickup in sorted(pickups, key=lambda p: p.id):
        reminder(pickup, now)
    db.session.flush()
    return len(pickups)
