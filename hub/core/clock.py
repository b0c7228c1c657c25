"""The server's clock. Rules take ``now``; views ask this module for it.

Only the testing configuration can move it (an offset kept in the database, so every
server process sees the same time); production always answers the real time. A test run
starts every new database's clock at one instant, ``COMPTOIR_TEST_START`` (see tests/instants.py),
and the clock runs on from there.
"""
import os
from datetime import datetime, timedelta, timezone

from flask import Blueprint, abort, current_app, jsonify, request

from .extensions import csrf, db
from .models import Setting

OFFSET_KEY = "clock_offset_seconds"
START_VARIABLE = "COMPTOIR_TEST_START"


def real_now():
    return datetime.now(timezone.utc)


def _offset():
    setting = db.session.get(Setting, OFFSET_KEY)
    return float(setting.value) if setting else 0.0


def now():
    """The current instant, moved by the testing offset when the configuration allows it."""
    if not current_app.config["MOVABLE_CLOCK"]:
        return real_now()
    return real_now() + timedelta(seconds=_offset())


def _set_offset(seconds):
    setting = db.session.get(Setting, OFFSET_KEY) or Setting(key=OFFSET_KEY, value="0")
    setting.value = repr(seconds)
    db.session.add(setting)


def set_to(instant):
    """Testing only: the clock reads ``instant`` now, and runs on from there (flushed, not committed)."""
    if not current_app.config["MOVABLE_CLOCK"]:
        raise RuntimeError("only the testing clock can be set")
    _set_offset((instant - real_now()).total_seconds())
    db.session.flush()


def run_start():
    """The instant a test run starts at (``COMPTOIR_TEST_START``), or None when it is not given."""
    raw = os.environ.get(START_VARIABLE)
    if not raw or not current_app.config["MOVABLE_CLOCK"]:
        return None
    return datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(timezone.utc)


def begin():
    """On a new testing database: start its clock at the run's instant, when there is one."""
    start = run_start()
    if start is not None and db.session.get(Setting, OFFSET_KEY) is None:
        set_to(start)


bp = Blueprint("test_clock", __name__, url_prefix="/_test")
csrf.exempt(bp)


@bp.before_request
def _only_when_movable():
    if not current_app.config["MOVABLE_CLOCK"]:
        abort(404)


@bp.post("/clock")
def move_clock():
    """Move the server's clock: ``{"advance": seconds}`` adds, ``{"offset": seconds}`` sets the offset,
    ``{"at": "ISO 8601"}`` sets the time itself."""
    data = request.get_json(force=True)
    if "at" in data:
        set_to(datetime.fromisoformat(data["at"]))
    elif "offset" in data:
        _set_offset(float(data["offset"]))
    else:
        _set_offset(_offset() + float(data.get("advance", 0)))
    db.session.commit()
    return jsonify(offset=_offset(), now=now().isoformat())
