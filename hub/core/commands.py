"""Idempotent commands: each state-changing request carries a client-made id and is applied once.

The id comes in the ``Idempotency-Key`` header (HTMX and the offline queue send it) or in the
``command_id`` field of a plain form. The first request to bring an id stores it, in the same
transaction as its effects, with the response it got; a later request with that id gets the stored
response back and changes nothing. The same id with another payload is refused.
"""
import hashlib
import json
import time
from functools import wraps

from flask import abort, g, make_response, request

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from . import clock
from .extensions import db
from .models import Command
from .web import refuse

IGNORED_FIELDS = {"csrf_token", "command_id"}
KEPT_HEADERS = ("Content-Type", "Location", "HX-Redirect", "HX-Trigger", "HX-Retarget", "HX-Reswap")
ATTEMPTS = 5


def command_key():
    key = request.headers.get("Idempotency-Key") or request.form.get("command_id") or ""
    key = key.strip()
    if not key or len(key) > 64:
        refuse(400, _("This request has no valid command id. Reload the page and try again."))
    return key


def payload_digest():
    """What the request asks for, whatever the order of its form's fields. Any other body counts by its
    bytes: it is never parsed here (a deeply nested JSON body would exhaust the parser)."""
    form = sorted((k, v) for k, v in request.form.items(multi=True) if k not in IGNORED_FIELDS)
    body = "" if request.form else hashlib.sha256(request.get_data(cache=True)).hexdigest()
    text = json.dumps([request.method, request.path, form, body])
    return hashlib.sha256(text.encode()).hexdigest()


def _stored_response(stored, digest):
    if (stored.account_id, stored.api_key_id) != _caller() or stored.payload_digest != digest:
        refuse(422, _("This command id was already used for another request."))
    if stored.status is None:
        refuse(409, _("This request is still being processed. Try again in a moment."))
    response = make_response(stored.body or "", stored.status)
    for name, value in json.loads(stored.headers or "{}").items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    response.vary.add("HX-Request")
    return response


def _caller():
    """Who sends the command: (account id, API key id). A network's system has a key and no account."""
    ident = current_user.get_id()
    api_key = g.get("api_key")
    return (int(ident) if ident else None), (api_key.id if api_key is not None else None)


def _record(key, digest, response):
    """The command row, written with the effects it answers for (one INSERT, in the same transaction)."""
    account_id, api_key_id = _caller()
    db.session.add(Command(
        id=key, account_id=account_id, api_key_id=api_key_id, endpoint=request.endpoint or "",
        payload_digest=digest, created_at=clock.now(), status=response.status_code,
        body=response.get_data(as_text=True),
        headers=json.dumps({h: response.headers[h] for h in KEPT_HEADERS if h in response.headers}),
    ))


def _apply(view, key, digest, args, kwargs):
    """Run the view once; returns its response, committed with the command row, or None to try again.

    The row is inserted last, with the response: a request with the same id running at the same moment
    does the same work, but only one commits it (the other meets the row, or the parcel's new version,
    rolls back, and answers with what was stored)."""
    stored = db.session.get(Command, key)
    if stored is not None:
        return _stored_response(stored, digest)
    g.command_id = key
    try:
        response = make_response(view(*args, **kwargs))
        if response.status_code >= 400:
            # A refusal changes nothing and is not remembered: a replay is judged afresh. The same command
            # may have been applied by another request meanwhile: then its stored answer is the answer.
            db.session.rollback()
            stored = db.session.get(Command, key)
            return _stored_response(stored, digest) if stored is not None else response
        _record(key, digest, response)
        db.session.commit()
        return response
    except (StaleDataError, OperationalError, IntegrityError):
        # Another device moved the same parcel, or took the writer lock, at the same moment:
        # start again from the new state, which now answers (a repeat, or a clear refusal).
        db.session.rollback()
        return None


def command(view):
    """Apply the wrapped view once per command id; commit its effects with the stored response."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key, digest = command_key(), payload_digest()
        for attempt in range(ATTEMPTS):
            response = _apply(view, key, digest, args, kwargs)
            if response is not None:
                return response
            time.sleep(0.05 * (attempt + 1))
        abort(503)

    wrapper.is_command = True
    return wrapper
