"""Sign-ins: how long one lasts unused, and how often its use is noted.

A sign-in is ended by signing out, by a password change or a deactivation of its account (all of the
account's), by a revocation of its device (all of the device's), and by another sign-in on its device.
One left unused for ``IDLE_LIMIT`` is over too: a counter used every day never meets it, and a copy of a
forgotten cookie dies on its own. The offline replay token lives as long (hub/core/replay.py).
"""
from datetime import timedelta

IDLE_LIMIT = timedelta(days=30)
# Noting each request's time would write on every read; once in a while is enough to tell idleness.
TOUCH_EVERY = timedelta(minutes=5)


def idle(last_seen_at, now):
    """True when a sign-in unused since ``last_seen_at`` is over at ``now``."""
    return now - last_seen_at >= IDLE_LIMIT


def due_for_touch(last_seen_at, now):
    """True when a sign-in's last use is worth noting again."""
    return now - last_seen_at >= TOUCH_EVERY
