"""Text messages fit one SMS: 160 characters of the GSM 03.38 alphabet.

A character outside the alphabet would switch the whole message to UCS-2 (70 characters), so letters
are written the closest way the alphabet has (« ê » → « e »); the extension characters count twice.
"""
import unicodedata

LIMIT = 160
BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = set("^{}\\[~]|€")
REPLACEMENTS = {"«": '"', "»": '"', "’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " ",
                "\u202f": " ", "…": "...", "ç": "c"}


def gsm_text(text):
    """``text`` written with the GSM alphabet only."""
    out = []
    for char in text:
        char = REPLACEMENTS.get(char, char)
        if all(c in BASIC or c in EXTENSION for c in char):
            out.append(char)
            continue
        plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        out.append(plain if plain else "?")
    return "".join(out)


def length(text):
    """How many GSM characters ``text`` takes (extension characters take two)."""
    return sum(2 if c in EXTENSION else 1 for c in text)


def fit(parts):
    """One message of ``parts`` — ``(text, required)`` pairs, in reading order — within 160 GSM characters:
    optional parts are left out, from the last, until it fits; then, if the required ones alone are too
    long, the first of them (a name) is cut."""
    parts = [(gsm_text(text), required) for text, required in parts]
    optional = [n for n, (_text, required) in enumerate(parts) if not required]
    while length(" ".join(t for t, _r in parts)) > LIMIT and optional:
        parts[optional.pop()] = ("", False)
    texts = [t for t, _r in parts if t]
    excess = length(" ".join(texts)) - LIMIT
    if excess > 0:
        texts[0] = texts[0][:max(0, len(texts[0]) - excess - 1)] + "."
    return " ".join(t for t in texts if t)
