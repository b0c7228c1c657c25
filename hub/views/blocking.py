"""While a task is overdue, the counter app shows only that task (and help, and signing out)."""
from flask import request, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from flask_login import current_user

from ..core import clock
from ..core.extensions import db
from ..core.models import Role
from ..ops.tasks import blocking_task
from ..ops.returns import expire_due
from ..core.web import go, offline_replay

ALWAYS_ALLOWED = {"static", "auth.logout", "auth.set_language", "auth.login", "counter.home",
                  "notice.show", "shop_page.show", "service_worker"}
ALLOWED_BLUEPRINTS = {"help", "test_clock", "offline"}


def _allowed(task):
    endpoint = request.endpoint or ""
    return (endpoint in ALWAYS_ALLOWED or endpoint.split(".")[0] in ALLOWED_BLUEPRINTS
            or endpoint == task.endpoint or endpoint in task.allowed)


def _expire(shop, now):
    """Record due expiries (dated when the 7 days ended) in their own transaction, before the request's
    own work; a concurrent request that recorded them first is fine."""
    try:
        if expire_due(shop, now):
            db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()


def enforce():
    """Send an associate with an overdue task back to it; the home screen explains why."""
    if request.endpoint == "static" or not (current_user.is_authenticated and current_user.role == Role.ASSOCIATE):
        return None
    now = clock.now()
    _expire(current_user.shop, now)
    if offline_replay():
        # A step made offline is a fact (a parcel already in a customer's hands): refusing it would leave
        # the records wrong. The block applies to what is done online.
        return None
    task = blocking_task(current_user.shop, now)
    if task is None or _allowed(task):
        return None
    return go(url_for(task.endpoint, **task.params))


def register(app):
    app.before_request(enforce)
