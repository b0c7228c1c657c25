"""API keys of the networks' systems: made, listed and revoked by the operator (back office or command line).

A key is ``cpt_<prefix>_<secret>``: the prefix finds its row by index, the SHA-256 digest of the whole key
proves the rest (a random 32-byte secret needs no slow hash). The key itself is shown once, never stored.
"""
import hashlib
import hmac
import secrets

from sqlalchemy import select

from ..core.extensions import db
from ..core.models import ApiKey

KEY_START = "cpt_"


def digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


def create(network, name, now, key=None):
    """A new key for ``network``: returns (the ApiKey row, the key to hand over once). ``key`` is for the demo
    data only, whose key is published like its password."""
    if key is None:
        key = f"{KEY_START}{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"
    prefix = key.removeprefix(KEY_START).partition("_")[0]
    row = ApiKey(network_id=network.id, name=(name or "").strip()[:80], prefix=prefix, digest=digest(key),
                 created_at=now)
    db.session.add(row)
    db.session.flush()
    return row, key


def revoke(api_key, now):
    """The key opens nothing any more; its row stays, so past commands still name it."""
    if api_key.revoked_at is None:
        api_key.revoked_at = now
        db.session.flush()


def find(key):
    """The active ApiKey that ``key`` is, or None."""
    start, _sep, rest = (key or "").partition(KEY_START)
    prefix = rest.partition("_")[0]
    if start or not prefix or len(key) > 200:
        return None
    row = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.digest, digest(key)):
        return None
    return row
