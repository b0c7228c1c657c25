"""Free text people type (a customer's name, a closure's reason, a call-back message), as it is kept, shown
and searched.

Control characters and the bidirectional overrides and isolates are taken out: a name holding U+202E
(« right-to-left override ») reads backwards on every screen after it, and one holding a control
character breaks the lines and logs it reaches. Letters of every script stay.
"""
import unicodedata

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f" + "".join(map(chr, range(0x202A, 0x202F)))
                          + "".join(map(chr, range(0x2066, 0x206A))))


def _kept(ch, lines):
    if ch in BIDI_CONTROLS:
        return False
    if unicodedata.category(ch) == "Cc":
        return lines and ch == "\n"
    return True


def plain_text(raw, limit, lines=False):
    """``raw`` without control characters (but line breaks, when ``lines``) nor bidi controls, without the
    spaces around it, and cut to ``limit`` characters."""
    text = (raw or "").replace("\r\n", "\n").replace("\t", " ")
    return "".join(ch for ch in text if _kept(ch, lines)).strip()[:limit]


def folded(text):
    """Lowercase without accents, so « lea » finds « Léa »."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def whole_number(raw, low, high, refusal):
    """A whole number typed in digits (0–9 alone: no sign, no other script's digits) between ``low`` and
    ``high`` (inclusive); else ``refusal`` raised, with the bounds as its ``min`` and ``max``."""
    text = str(raw).strip() if raw is not None else ""
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        raise refusal(min=low, max=high)
    return int(text)
