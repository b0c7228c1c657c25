"""The back office's audit log: every change an operator makes, who made it, when, before → after."""
from sqlalchemy import select

from ..core.extensions import db
from ..core.models import AuditEntry


def record(network, actor, action, now, *, subject, account=None, shop=None, device_id=None, before="", after=""):
    """Note one change made in ``network`` by ``actor``; ``subject`` names what changed, as it is named now."""
    db.session.add(AuditEntry(at=now, actor_id=actor.id, network_id=network.id, action=action, account=account,
                              shop=shop, device_id=device_id, subject=subject[:200], before=before[:300],
                              after=after[:300]))
    db.session.flush()


def entries(network, limit=50):
    """The network's latest back-office changes, newest first."""
    return db.session.scalars(select(AuditEntry).where(AuditEntry.network_id == network.id)
                              .order_by(AuditEntry.id.desc()).limit(limit)).all()
