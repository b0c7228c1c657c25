"""A device's name: given at its first sign-in, or suggested from its browser's user agent; and how its
service worker's version and queue length are read from what it sends."""
import re
import unicodedata

from .errors import DomainError, N_
from .text import BIDI_CONTROLS

NAME_LIMIT = 60
VERSION_LIMIT = 40
# (pattern in the user agent, name shown), first match wins: the order matters (Chrome's agent says Safari too).
SYSTEMS = ((r"iPhone", "iPhone"), (r"iPad", "iPad"), (r"Android", "Android"), (r"Windows", "Windows"),
           (r"CrOS", "ChromeOS"), (r"Mac OS X|Macintosh", "Mac"), (r"Linux", "Linux"))
BROWSERS = ((r"SamsungBrowser/", "Samsung Internet"), (r"EdgA?/", "Edge"), (r"OPR/", "Opera"),
            (r"Firefox/|FxiOS/", "Firefox"), (r"Chrome/|CriOS/|Chromium/", "Chrome"), (r"Safari/", "Safari"))


class NameTooLong(DomainError):
    message = N_("A device's name has at most %(limit)d characters.")


class NameUnreadable(DomainError):
    message = N_("A device's name cannot hold control characters.")


def _first(patterns, agent):
    return next((name for pattern, name in patterns if re.search(pattern, agent)), None)


def suggested_name(user_agent):
    """« Android · Chrome »: the system and browser the user agent names (what is known of them); "" when it
    names neither."""
    agent = user_agent or ""
    return " · ".join(part for part in (_first(SYSTEMS, agent), _first(BROWSERS, agent)) if part)


def device_name(raw, suggestion):
    """The name typed, without the spaces around it; the suggestion when left blank. Refused: a name over
    60 characters, or one holding control characters (a line break included) or bidi overrides."""
    name = (raw or "").strip()
    if any(ch in BIDI_CONTROLS or unicodedata.category(ch) == "Cc" for ch in name):
        raise NameUnreadable()
    if len(name) > NAME_LIMIT:
        raise NameTooLong(limit=NAME_LIMIT)
    return name or suggestion


def version(raw):
    """The worker's version as sent (X-Comptoir-Version): printable, cut to 40 characters; "" when absent."""
    return "".join(ch for ch in (raw or "") if ch.isprintable())[:VERSION_LIMIT]


def queue_length(raw):
    """The worker's queue length as sent (X-Comptoir-Queue), or None when it is not a plain count."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 9 else None
