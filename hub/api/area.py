"""What every area of the API shares: its blueprint, signed in by key, rate-limited, refusing with problem
documents."""
import flask_smorest
from flask import current_app, g

from ..core import clock
from ..core.extensions import csrf, limiter
from ..ops import Actor
from . import auth, errors

# Every write names itself with this header, as the counter's commands do (hub/core/commands.py).
IDEMPOTENCY = {"in": "header", "name": "Idempotency-Key", "required": True,
               "schema": {"type": "string", "minLength": 1, "maxLength": 64},
               "description": "Your id for this command: sent again, it is applied once."}


def api_actor():
    """A network's system acts: no account, no device; the command id names the request (and its API key)."""
    return Actor(account_id=None, device_id=None, now=clock.now(), command_id=g.get("command_id"))


def blueprint(name, url_prefix, description):
    """One area of the API: signed in by key, limited, refusing with problem documents, exempt from CSRF (no
    cookie signs these requests in: the key in the Authorization header does)."""
    bp = flask_smorest.Blueprint(name, __name__, url_prefix=url_prefix, description=description)
    auth.protect(bp)
    errors.register(bp)
    csrf.exempt(bp)
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=auth.rate_key)(bp)
    return bp
