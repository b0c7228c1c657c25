"""What every area of the API shares: its blueprint, signed in by key, rate-limited, refusing with problem
documents."""
import flask_smorest
from flask import current_app

from ..core.extensions import csrf, limiter
from . import auth, errors


def blueprint(name, url_prefix, description):
    """One area of the API: signed in by key, limited, refusing with problem documents, exempt from CSRF (no
    cookie signs these requests in: the key in the Authorization header does)."""
    bp = flask_smorest.Blueprint(name, __name__, url_prefix=url_prefix, description=description)
    auth.protect(bp)
    errors.register(bp)
    csrf.exempt(bp)
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=auth.rate_key)(bp)
    return bp
