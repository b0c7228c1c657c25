"""What every view shares: page-or-fragment rendering, errors in the user's language, scoping."""
import hashlib
import re
import unicodedata
import uuid
from datetime import date, datetime, timezone
from functools import lru_cache, wraps

from types import SimpleNamespace

from flask import abort, current_app, flash, g, make_response, redirect, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import IntegerConverter

from . import clock, problems
from .extensions import db
from .models import Role
from .i18n import local_date
from ..ops import Actor
from .replay import is_replay, vouched
from ..rules.codes import MAX_SCAN_DELAY
from ..rules.errors import Msgid



def wants_fragment():
    """HTMX swaps get the fragment; boosted requests and history restores need the whole page."""
    h = request.headers
    return h.get("HX-Request") == "true" and not h.get("HX-Boosted") and not h.get("HX-History-Restore-Request")


def unread():
    """True for an HTMX command the device's offline queue sends again, vouched for by its token: the queue
    reads only whether the step was applied (static/worker/replay.js), never the screen a success would show,
    so a success answers with no body (a refusal's body is kept: it is what « À vérifier » shows). The answer
    is stored with the command: to HTMX an empty 204 swaps nothing, were it ever sent again. A plain form's
    answer (a 303 to the screen it opens) stays as it is: a page sent back could post that form again."""
    return g.get("command_id") is not None and wants_fragment() and is_replay() and vouched()


def applied():
    """The answer to a command applied for the offline queue: nothing to render (see ``unread``)."""
    return "", 204, {"Vary": "HX-Request"}


def render(page, fragment, status=200, refused=None, refused_as="error", **context):
    """Render the full ``page`` or just its ``fragment``; the answer varies on HX-Request.

    ``refused`` is the domain error the request met: the template gets its message in the user's
    language as ``error`` (or ``refused_as``), and the answer its status (422, or 409 for a conflict).
    """
    if refused is not None:
        status, context[refused_as] = refused.status, explain(refused)
        g.refusal = context[refused_as]  # what an accepted held step met (hub/core/revoked.apply_held)
    elif status < 400 and unread():
        return applied()
    body = render_template(fragment if wants_fragment() else page, **context)
    return body, status, {"Vary": "HX-Request"}


def limit_wait(error):
    """How long a rate limit met (Flask-Limiter's 429) makes the caller wait at most: (seconds, minutes)."""
    limit = getattr(error, "limit", None)
    seconds = limit.limit.get_expiry() if limit is not None else 900
    return seconds, max(1, -(-seconds // 60))


def go(url):
    """Navigate after a command: HTMX follows HX-Redirect (nothing is swapped), a plain form a 303."""
    if wants_fragment():
        return "", 204, {"HX-Redirect": url}
    return redirect(url, 303)


def done(url, message, fragment):
    """A command done on its own screen: HTMX gets the screen's updated ``fragment()``; a plain form is
    sent back to the screen at ``url`` (303), where ``message`` (if any) is shown once."""
    g.said = message  # what an accepted held step answered (hub/core/revoked.apply_held)
    if unread():
        return applied()
    if wants_fragment():
        return fragment()
    if message:
        flash(message)
    return redirect(url, 303)


def refuse(status, message):
    """Stop the request with ``status`` and a message the user can read (already translated)."""
    g.refusal = message
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
    """True when the device's offline queue sends this request again, vouched for by the device's replay
    token (hub/core/replay.py): then, and only then, the device's own clock says when it happened."""
    return vouched()


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
        note=g.get("actor_note", ""),
    )


def safe_path(target, default):
    """``target`` when it is a path of this site (never another host), else ``default``.

    A browser drops tabs and line breaks from a URL before reading it (« /\t/evil.example » is
    « //evil.example » to it), so a target holding any control character, or white space, is refused
    whole rather than judged."""
    target = target or ""
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in target):
        return default
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


# The largest id a route or a form may name: PostgreSQL's integer (SQLite's is larger).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` in a route: an id the database can hold, else the route does not match (404), never
    an overflow in the query."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def form_id(raw):
    """An id chosen in a form (a select's value), or None when it is not one the database can hold."""
    raw = (raw or "").strip()
    return int(raw) if re.fullmatch(r"[0-9]{1,10}", raw) and int(raw) <= MAX_ID else None


def _holds_nul():
    values = [request.path, *request.headers.values()]
    values += [text for key, value in request.args.items(multi=True) for text in (key, value)]
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += [text for key, value in request.form.items(multi=True) for text in (key, value)]
    return any("\x00" in text for text in values)


def refuse_unreadable():
    """Before anything reads the request: a body over the size limit is refused (413) unread, and a NUL
    character anywhere (PostgreSQL cannot store one, and no person types one) is refused (400)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > limit:
        abort(413)
    if _holds_nul():
        refuse(400, _("This request holds a character that cannot be read. Check what was typed and try again."))


# What differs between two renderings of the same screen: its CSRF tokens, its forms' command ids (a copy
# kept by the worker gets fresh ids when it is shown: static/offline.js) and when it was rendered (which
# static/counter.js compares with a PIN switch made offline).
PER_RENDERING = re.compile(rb'(name="csrf_token" value="|name="command_id" value="|"X-CSRFToken": "|data-rendered-at=")[^"]*"')


# The service worker's request for its offline copy of a screen (static/worker/bundle.js).
COPY_HEADER = "X-Comptoir-Copy"


def revalidated(response):
    """A screen (a GET answered with HTML) is named by a hash of what it shows, what differs between two
    renderings left out (any CSRF token of the session is good). The service worker asks for its offline
    copy of a screen with the tag of the copy it holds: an unchanged screen then costs a 304 at each sync,
    not the screen again. Only the worker's copies are answered 304 (they get fresh command ids when they
    are shown); signed-in pages stay out of the browser's cache (hub/core/headers.py)."""
    if request.method != "GET" or response.status_code != 200 or response.mimetype != "text/html" \
            or response.direct_passthrough or request.endpoint == "static":
        return response
    tag = hashlib.sha256(PER_RENDERING.sub(rb"\1", response.get_data())).hexdigest()[:32]
    response.set_etag(tag, weak=True)
    copy = request.headers.get(COPY_HEADER) == "1"
    asked = request.if_none_match.as_set(include_weak=True) if copy else set()
    if any(t == tag or t.startswith(tag + ":") for t in asked):
        response.set_data(b"")
        response.status_code = 304
    return response


def register(app):
    app.jinja_env.globals["new_command_id"] = new_command_id
    app.jinja_env.globals["get_locale"] = get_locale
    app.url_map.converters["int"] = IdConverter
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unreadable)
    app.after_request(revalidated)
    app.after_request(lean_static)  # runs before Flask-Compress's (registered earlier), which compresses the rest


# Our own style sheet and scripts are written to be read, with comments saying why; a counter's phone does not
# read them. Whole comments are left out as they are sent (a block comment in CSS, a line that is only a
# comment in JavaScript: neither can sit inside a string of these files), blank lines with them, and each
# line's indentation — unless a string could span lines there (a template literal, a line ending in « \ »),
# where the file goes with its indentation.
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
JS_COMMENT_LINE = re.compile(r"^[ \t]*//[^\n]*$", re.M)
BLANK_LINES = re.compile(r"\n[ \t]*(?=\n)")
INDENTATION = re.compile(r"^[ \t]+", re.M)
MULTILINE_STRING = re.compile(r"`|\\$", re.M)
LEAN_TYPES = {"text/css": CSS_COMMENT, "text/javascript": JS_COMMENT_LINE}


@lru_cache(maxsize=64)
def _lean(text, mimetype):
    text = BLANK_LINES.sub("", LEAN_TYPES[mimetype].sub("", text)).lstrip("\n")
    return text if MULTILINE_STRING.search(text) else INDENTATION.sub("", text)


def lean_static(response):
    """A static style sheet or script of ours (not a vendored one) sent without its comments."""
    if (request.endpoint != "static" or response.status_code != 200 or response.mimetype not in LEAN_TYPES
            or (request.view_args or {}).get("filename", "").startswith("vendor/")):
        return response
    response.direct_passthrough = False
    source, text = response.response, response.get_data(as_text=True)
    if hasattr(source, "close"):
        source.close()  # the file it was read from
    response.set_data(_lean(text, response.mimetype))
    return response


class CompressedStatic:
    """Flask-Compress's cache: the compressed bytes of static files only (an address names its revision, so
    what it holds never goes stale); pages and fragments are compressed afresh, being new each time."""

    def __init__(self):
        self.kept = {}

    def get(self, key):
        return self.kept.get(key)

    def set(self, key, value):
        if not key.endswith(";"):
            self.kept[key] = value


def static_cache_key(request):
    """The cache's key: a static file's address with its revision, or nothing for anything else."""
    return request.full_path if request.endpoint == "static" and request.args.get("v") else ""
