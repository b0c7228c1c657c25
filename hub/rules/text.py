"""Text as people search it."""
import unicodedata


def folded(text):
    """Lowercase without accents, so « lea » finds « Léa »."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
