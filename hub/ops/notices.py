"""Customer notices go to the outbox, in French (the customer's shop is in France), for a mail transport to send."""
from flask import render_template, url_for
from flask_babel import force_locale

from ..core.extensions import db
from ..core.models import NoticeKind, OutboxMessage
from ..rules.parcels import COLLECTABLE


def _queue(kind, recipient, template, now, pickup=None, parcel=None, **context):
    with force_locale("fr"):
        subject, _, body = render_template(template, pickup=pickup, parcel=parcel, **context).strip().partition("\n")
    message = OutboxMessage(kind=kind, recipient=recipient or "", subject=subject.strip(), body=body.strip(),
                            pickup_id=pickup.id if pickup else None, parcel_id=parcel.id if parcel else None,
                            created_at=now)
    db.session.add(message)
    return message


def pickup_notice(pickup, parcel, now):
    """« Votre colis est arrivé »: the link to the notice with its barcode and 6-digit code."""
    link = url_for("notice.show", token=pickup.token, _external=True)
    return _queue(NoticeKind.PICKUP_NOTICE, pickup.customer_email, "notice/pickup_notice.txt", now, pickup, parcel, link=link)


def refund_notice(parcel, now):
    """The parcel was refused as damaged at drop-off: it goes back and the customer is refunded."""
    return _queue(NoticeKind.REFUND, parcel.recipient_email, "notice/refund_notice.txt", now, parcel=parcel)


def deadline_moved(pickup, moved, now):
    """The shop's hours or closures moved the last pickup day of some of the customer's parcels."""
    link = url_for("notice.show", token=pickup.token, _external=True)
    return _queue(NoticeKind.DEADLINE_MOVED, pickup.customer_email, "notice/deadline_moved.txt", now, pickup,
                  link=link, moved=moved)


def notice_resent(pickup, now):
    """Customer service sends the pickup notice again: the same code, every parcel still waiting."""
    link = url_for("notice.show", token=pickup.token, _external=True)
    waiting = [p for p in pickup.parcels if p.state in COLLECTABLE]
    return _queue(NoticeKind.NOTICE_RESENT, pickup.customer_email, "notice/notice_resent.txt", now, pickup, link=link,
                  waiting=waiting)
