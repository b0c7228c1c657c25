"""Refusals inside the API, as problem documents with a ``detail`` in the caller's language (French unless
Accept-Language asks for English): a domain error with the counter's own message, a request that does not
fit its schema, any other HTTP error. Nothing a refused request did is kept."""
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from ..core import problems
from ..core.extensions import db
from ..core.web import explain
from ..rules.errors import DomainError


def fields_refused():
    return _("Some fields are missing or not valid: see errors.")


def domain_error(err):
    db.session.rollback()
    extensions = {"existing": err.existing} if getattr(err, "existing", None) else {}
    return problems.response(err.status, explain(err), **extensions)


def http_error(err):
    db.session.rollback()
    if err.response is not None:  # already answered (hub.core.web.refuse writes a problem document here)
        return err.response
    data = getattr(err, "data", None) or {}
    if "messages" in data:  # webargs: the body or the query does not fit the schema
        return problems.response(err.code, fields_refused(),
                                 errors=data["messages"], headers=data.get("headers"))
    if err.code == 413:
        return problems.response(413, _("The body is too large."))
    return problems.response(err.code or 500, err.description)


# Flask asks handlers for a status before handlers for a class, the app's before the blueprint's: the app's
# error pages answer these statuses, so the API names them too. 429 stays with the app's own (it says how long).
STATUSES = (400, 401, 403, 404, 405, 409, 413, 415, 422, 500, 503)


def register(blueprint):
    blueprint.register_error_handler(DomainError, domain_error)
    blueprint.register_error_handler(HTTPException, http_error)
    for status in STATUSES:
        blueprint.register_error_handler(status, http_error)
