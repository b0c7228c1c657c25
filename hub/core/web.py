"""What every view shares: page-or-fragment rendering, errors in the user's language, scoping."""
import re
import uuid
from datetime import date, datetime, timezone
from functools import wraps

from types import SimpleNamespace

from flask import abort, flash, g, make_response, redirect, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from . import clock, problems
from .extensions import db
from .models import Role
from .i18n import local_date
from ..ops import Actor
from .replay import looks_like_replay
from ..rules.codes import MAX_SCAN_DELAY
from ..rules.errors import Msgid



def wants_fragment():
    """HTMX swaps get the fragment; boosted requests and history restores need the whole page."""
    h = request.headers
    return h.get("HX-Request") == "true" and not h.get("HX-Boosted") and not h.get("HX-History-Restore-Request")


def render(page, fragment, status=200, refused=None, refused_as="error", **context):
    """Render the full ``page`` or just its ``fragment``; the answer varies on HX-Request.

    ``refused`` is the domain error the request met: the template gets its message in the user's
    language as ``error`` (or ``refused_as``), and the answer its status (422, or 409 for a conflict).
    """
    if refused is not None:
        status, context[refused_as] = refused.status, explain(refused)
    body = render_template(fragment if wants_fragment() else page, **context)
    return body, status, {"Vary": "HX-Request"}


def go(url):
    """Navigate after a command: HTMX follows HX-Redirect (nothing is swapped), a plain form a 303."""
    if wants_fragment():
        return "", 204, {"HX-Redirect": url}
    return redirect(url, 303)


def done(url, message, fragment):
    """A command done on its own screen: HTMX gets the screen's updated ``fragment()``; a plain form is
    sent back to the screen at ``url`` (303), where ``message`` (if any) is shown once."""
    if wants_fragment():
        return fragment()
    if message:
        flash(message)
    return redirect(url, 303)


def refuse(status, message):
    """Stop the request with ``status`` and a message the user can read (already translated)."""
    if problems.wanted():
        abort(problems.response(status, message))
    error = SimpleNamespace(code=status, name="", description=message)
    abort(make_response(render_template("error.html", error=error, message=message), status))


def _shown(value):
    """A parameter of an error message as the user reads it: message ids translated, dates the local way,
    anything else (names, tracking IDs the user typed) as it is."""
    if isinstance(value, Msgid) and value:  # "" is gettext's key for the catalogue header
        return _(value)
    if isinstance(value, date):
        return local_date(value)
    return value


def explain(error):
    """A domain error's message in the user's language."""
    return _(error.message, **{k: _shown(v) for k, v in error.params.items()})


def role_required(*roles):
    """Only accounts with one of ``roles`` may use the view (others get 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


associate_required = role_required(Role.ASSOCIATE)
carrier_required = role_required(Role.CARRIER)
operator_required = role_required(Role.OPERATOR)


def in_my_shop_or_404(model, ident):
    """Load ``model`` by id within the associate's shop; anything else is a 404."""
    obj = db.session.get(model, ident)
    if obj is None or obj.shop_id != current_user.shop_id:
        abort(404)
    return obj


def offline_replay():
    """True when the device's offline queue sends this request again: a same-origin POST marked as a
    replay, with its command id (then, and only then, the device's own clock says when it happened)."""
    return looks_like_replay()


def device_time(now):
    """When the device says the action happened (offline replays only), bounded to be believable."""
    raw = request.headers.get("X-Occurred-At")
    if not raw or not offline_replay():
        return None
    try:
        stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    if stamp > now or now - stamp > MAX_SCAN_DELAY:
        return None
    return stamp.astimezone(timezone.utc)


def actor():
    """The Actor of the current request."""
    now = clock.now()
    return Actor(
        account_id=current_user.id,
        device_id=g.get("device_id"),
        now=now,
        occurred_at=device_time(now),
        offline=offline_replay(),
        command_id=g.get("command_id"),
    )


def safe_path(target, default):
    """``target`` when it is a path of this site (never another host), else ``default``."""
    target = target or ""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else default


VISIT_KEY = re.compile(r"[A-Za-z0-9._~-]{8,64}")


def visit_key():
    """A new visit's name in its URLs: the id of the command that opens it, when it fits in a URL (else
    the visit gets a random one). A device that opens a visit offline knows its name before the server does."""
    key = g.get("command_id") or ""
    return key if VISIT_KEY.fullmatch(key) else None


def new_command_id():
    """A fresh command id for a plain form: submitting the same rendered form twice applies it once."""
    return str(uuid.uuid4())


def register(app):
    app.jinja_env.globals["new_command_id"] = new_command_id
    app.jinja_env.globals["get_locale"] = get_locale
