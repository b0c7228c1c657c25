"""Who calls the API: a network's system, by its key (``Authorization: Bearer <key>``). Every request is
scoped to that key's network; the body is limited in size; the calls are rate-limited per key."""
from flask import current_app, g, request
from flask_babel import gettext as _

from ..core import problems
from ..ops import api_keys


def _authenticate():
    problems.mark()
    limit = current_app.config["API_MAX_BODY_BYTES"]
    request.max_content_length = limit  # a body sent in chunks, with no length said, is cut there too
    if (request.content_length or 0) > limit:
        return problems.response(413, _("The body is larger than %(size)d kB.", size=limit // 1024))
    scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
    api_key = api_keys.find(key.strip()) if scheme.lower() == "bearer" else None
    if api_key is None:
        return problems.response(401, _("Send a valid API key: Authorization: Bearer <key>."),
                                 headers={"WWW-Authenticate": 'Bearer realm="comptoir"'})
    g.api_key, g.network = api_key, api_key.network
    g.log_who = {"api_key": api_key.id, "network": api_key.network_id}
    return None


def protect(blueprint):
    blueprint.before_request(_authenticate)


def rate_key():
    """The rate limit counts per key (its public prefix), or per address without one."""
    _scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
    prefix = key.strip().removeprefix(api_keys.KEY_START).partition("_")[0]
    return f"api:{prefix[:16]}" if prefix else f"api-ip:{request.remote_addr}"
