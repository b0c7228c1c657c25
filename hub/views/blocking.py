"""While a task is overdue, the counter app shows only that task (and help, and signing out)."""
from flask import request, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from flask_login import current_user

from ..core import clock
from ..core.extensions import db
from ..core.models import Role
from ..ops import holds
from ..ops.tasks import blocking_task
from ..ops.returns import expire_due
from ..core.web import go, offline_replay

ALWAYS_ALLOWED = {"static", "auth.logout", "auth.set_language", "auth.login", "counter.home", "deposit.receipt",
                  "notice.show", "shop_page.show", "service_worker"}
ALLOWED_BLUEPRINTS = {"help", "test_clock", "offline"}


def _allowed(task):
    endpoint = request.endpoint or ""
    return (endpoint in ALWAYS_ALLOWED or endpoint.split(".")[0] in ALLOWED_BLUEPRINTS
            or endpoint == task.endpoint or endpoint in task.allowed)


def _in_own_transaction(work):
    """Catch-up work (expiries, the next deadline written down) committed before the request's own; a
    concurrent request that did it first is fine."""
    try:
        result = work()
        db.session.commit()
        return result
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        return None


def enforce():
    """Send an associate with an overdue task back to it; the home screen explains why.

    Two comparisons with the shop row, which the request loads anyway: only once the shop's earliest
    expiry or task deadline has passed does it look further (by index), should the worker be late."""
    if request.endpoint == "static" or not (current_user.is_authenticated and current_user.role == Role.ASSOCIATE):
        return None
    shop, now = current_user.shop, clock.now()
    if holds.expiry_due(shop, now):
        _in_own_transaction(lambda: expire_due(shop, now))
    if offline_replay() or not holds.tasks_due(shop, now):
        # A step made offline is a fact (a parcel already in a customer's hands): refusing it would leave
        # the records wrong. The block applies to what is done online.
        return None
    task = _in_own_transaction(lambda: blocking_task(shop, now))
    if task is None or _allowed(task):
        return None
    return go(url_for(task.endpoint, **task.params))


def register(app):
    app.before_request(enforce)
