"""RFC 9457 problem documents: how the API says no (``application/problem+json``).

The API marks its requests (``mark``); ``hub.core.web.refuse`` and the error pages then answer with a problem
document instead of a page, so a refusal from shared code (an idempotency key used twice) reads the same.
"""
import json
from http import HTTPStatus

from flask import current_app, g, has_request_context, request

MEDIA_TYPE = "application/problem+json"
API_PATHS = "/api/"


def mark():
    """This request is the API's: refusals are problem documents."""
    g.problem_documents = True


def wanted():
    """True inside the API (marked, or under its path: a limit or an unknown URL is met before any hook)."""
    return has_request_context() and (bool(g.get("problem_documents")) or request.path.startswith(API_PATHS))


def document(status, detail=None, **extensions):
    """A problem document: the status, its title, the ``detail`` a person reads, and any ``extensions``."""
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = str(detail)
    body.update(extensions)
    return body


def response(status, detail=None, headers=None, **extensions):
    """The problem document as an answer."""
    return current_app.response_class(json.dumps(document(status, detail, **extensions), ensure_ascii=False,
                                                 default=str), status, headers=headers, mimetype=MEDIA_TYPE)
