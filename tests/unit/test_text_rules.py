"""Free text as it is kept: no control characters, no bidi overrides, every script's letters."""
import pytest

from hub.rules.text import plain_text


@pytest.mark.parametrize("raw, expected", [
    ("Léa Martin", "Léa Martin"),
    ("  Léa\tMartin \n", "Léa Martin"),
    ("Léa\u202eniraM", "LéaniraM"),
    ("\u2066Léa\u2069 \u200fMartin", "Léa Martin"),
    ("Jo\x00\x07\x1b[31m", "Jo[31m"),
    ("محمد علي", "محمد علي"),
    ("李小龍", "李小龍"),
    ("", ""),
    (None, ""),
])
def test_names_keep_their_letters_and_lose_controls_and_bidi_overrides(raw, expected):
    assert plain_text(raw, 120) == expected


def test_a_message_keeps_its_line_breaks_but_no_other_control():
    assert plain_text("Bonjour,\r\nrappel\x0b svp\u202e", 2000, lines=True) == "Bonjour,\nrappel svp"


def test_text_is_cut_to_its_limit():
    assert plain_text("x" * 500, 120) == "x" * 120
