"""Links that leave the app (in an e-mail, a text message): written with the public address, ``PUBLIC_URL``,
so a notice sent by the worker (no request) or made at a counter on a LAN address links where customers go."""
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def public_url(endpoint, **values):
    """The absolute URL of ``endpoint`` at PUBLIC_URL (else at the current request's own address)."""
    base = current_app.config.get("PUBLIC_URL")
    if not base and has_request_context():
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base or "http://localhost")
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)
