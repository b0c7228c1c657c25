"""Logs: one line per request and per error, as key=value pairs, each with the request's id, the account and
the shop, so one request can be followed through a busy server.

No customer data reaches a log: a request is named by its endpoint, never its path (notice tokens and
pickup tickets travel in paths), and people and shops by their ids, never a name, a code or a tracking ID.
"""
import logging
import os
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import g, has_request_context, request

logger = logging.getLogger("comptoir")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
PLAIN = re.compile(r"[A-Za-z0-9._:/@+-]*")


def _value(value):
    text = str(value)
    return text if PLAIN.fullmatch(text) and text else '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def request_fields():
    """What names the current request in a log line: its id, and who made it (ids only)."""
    if not has_request_context():
        return {}
    return {"request_id": g.get("request_id", "-"), **g.get("log_who", {})}


def signed_in(account):
    """Note who the request is for, when Flask-Login loads the account: a log line then costs no query,
    and is written even while the session waits for a rollback after a failed write."""
    if account is not None:
        g.log_who = {"account": account.id, **({"shop": account.shop_id} if account.shop_id else {})}
    return account


class KeyValueFormatter(logging.Formatter):
    """``at=… level=… msg=… request_id=… account=… shop=… <fields>``, one line (a traceback follows it)."""

    def format(self, record):
        fields = {"at": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                  "level": record.levelname.lower(), "msg": record.getMessage()}
        fields.update(request_fields())
        fields.update(getattr(record, "fields", {}))
        line = " ".join(f"{key}={_value(value)}" for key, value in fields.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def log(level, message, **fields):
    logger.log(level, message, extra={"fields": fields})


def _start():
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response):
    response.headers["X-Request-Id"] = g.get("request_id", "")
    if request.endpoint != "static":
        took = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        log(logging.INFO, "request", method=request.method, endpoint=request.endpoint or "-",
            status=response.status_code, ms=round(took, 1))
    return response


def error(exc_info):
    """An unhandled error, with its traceback (which names code, never data)."""
    logger.error("unhandled error", exc_info=exc_info,
                 extra={"fields": {"method": request.method, "endpoint": request.endpoint or "-"}})


def register(app):
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(KeyValueFormatter())
        logger.addHandler(handler)
        logger.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
        logger.propagate = False
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
