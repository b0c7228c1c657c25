"""Messages to the outside (customer notices, webhook calls): when to try again, when to give up, and how a
webhook is signed so its receiver can tell it came from us and is not a replay.

Plain rules: the worker asks them; a network's receiver can apply ``verify`` as it is written here.
"""
import hashlib
import hmac
from datetime import timedelta

from .errors import DomainError, N_

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
GIVE_UP_AFTER = timedelta(days=3)
SIGNATURE_TOLERANCE = timedelta(minutes=5)


def wait_before(attempt):
    """How long to wait after the ``attempt``-th failure (1, 2, …): doubling from 1 minute, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** (attempt - 1), LONGEST_WAIT)


def retry_at(attempts, last_try):
    """When to try again after ``attempts`` failures, the last at ``last_try``; None once the waits add up to
    3 days (the message is then given up)."""
    waited = sum((wait_before(n) for n in range(1, attempts + 1)), timedelta())
    if waited >= GIVE_UP_AFTER:
        return None
    return last_try + wait_before(attempts)


def signed_text(timestamp, body):
    """What the signature covers: the timestamp, a dot, then the body exactly as sent."""
    return f"{int(timestamp)}.".encode() + (body if isinstance(body, bytes) else body.encode())


def sign(secret, timestamp, body):
    """``v1=<hex HMAC-SHA256>`` of the timestamp and the body, with the endpoint's secret."""
    digest = hmac.new(secret.encode(), signed_text(timestamp, body), hashlib.sha256).hexdigest()
    return f"v1={digest}"


class BadSignature(DomainError):
    status = 401
    message = N_("The signature does not match this body.")


class BadTimestamp(DomainError):
    status = 401
    message = N_("The signature's timestamp is missing, malformed or too far from now: the call may be a replay.")


def verify(secret, timestamp, signature, body, now_seconds, tolerance=SIGNATURE_TOLERANCE):
    """Accept a delivery only with a well-formed timestamp within ``tolerance`` of now and the right signature."""
    try:
        stamp = int(str(timestamp).strip())
    except ValueError:
        raise BadTimestamp() from None
    if abs(now_seconds - stamp) > tolerance.total_seconds():
        raise BadTimestamp()
    if not hmac.compare_digest(sign(secret, stamp, body), str(signature or "")):
        raise BadSignature()
    return True
