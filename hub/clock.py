"""The server's clock. Rules take ``now``; views ask this module for it.

Only the testing configuration can move it (an offset kept in the database, so every
server process sees the same time); production always answers the real time.
"""
from datetime import datetime, timedelta, timezone

from flask import Blueprint, abort, current_app, jsonify, request

from .extensions import csrf, db
from .models import Setting

OFFSET_KEY = "clock_offset_seconds"


def real_now():
    return datetime.now(timezone.utc)


def now():
    """The current instant, moved by the testing offset when the configuration allows it."""
    if not current_app.config["MOVABLE_CLOCK"]:
        return real_now()
    setting = db.session.get(Setting, OFFSET_KEY)
    return real_now() + timedelta(seconds=float(setting.value)) if setting else real_now()


bp = Blueprint("test_clock", __name__, url_prefix="/_test")
csrf.exempt(bp)


@bp.before_request
def _only_when_movable():
    if not current_app.config["MOVABLE_CLOCK"]:
        abort(404)


@bp.post("/clock")
def move_clock():
    """Move the server's clock: ``{"advance": seconds}`` adds, ``{"offset": seconds}`` sets."""
    data = request.get_json(force=True)
    setting = db.session.get(Setting, OFFSET_KEY) or Setting(key=OFFSET_KEY, value="0")
    offset = float(data["offset"]) if "offset" in data else float(setting.value) + float(data.get("advance", 0))
    setting.value = repr(offset)
    db.session.add(setting)
    db.session.commit()
    return jsonify(offset=offset, now=now().isoformat())
