"""Every message of the interface has its French translation, with the same placeholders."""
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
FRENCH = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages the code and templates use, extracted as the catalogue update does."""
    pot = tmp_path_factory.mktemp("messages") / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "N_",
                                "--no-location", "-o", str(pot), str(ROOT)])
    with open(pot, "rb") as fh:
        return [message for message in read_po(fh) if message.id]


@pytest.fixture(scope="module")
def french():
    with open(FRENCH, "rb") as fh:
        return read_po(fh, locale="fr")


def key(message):
    return message.id[0] if isinstance(message.id, tuple) else message.id


def test_the_extraction_finds_the_messages_of_the_code_and_the_templates(extracted):
    ids = {key(m) for m in extracted}
    assert "Delivery by the carrier" in ids  # a template
    assert "Not possible: this parcel is %(state)s." in ids  # a domain error (N_)
    assert "Wrong username or password." in ids  # a view
    assert "to collect" in ids  # a state's title


def test_every_message_has_a_french_translation(extracted, french):
    missing = []
    for message in extracted:
        translated = french.get(message.id, context=message.context)
        strings = translated and (translated.string if isinstance(translated.string, tuple) else (translated.string,))
        if not translated or translated.fuzzy or not all(strings):
            missing.append(key(message))
    assert not missing, "no French for:\n" + "\n".join(missing)


def test_plural_messages_have_every_french_plural_form(extracted, french):
    for message in (m for m in extracted if m.pluralizable):
        translated = french.get(message.id, context=message.context)
        assert translated is not None and isinstance(translated.string, tuple), key(message)
        assert len(translated.string) == french.num_plurals == 2, key(message)
        assert all(translated.string), key(message)


def pairs(message):
    """(English, French) couples to compare: one per plural form."""
    if isinstance(message.id, tuple):
        singular, plural = message.id
        return [(singular, message.string[0])] + [(plural, form) for form in message.string[1:]]
    return [(message.id, message.string)]


def test_every_placeholder_of_a_message_is_in_its_translation(extracted, french):
    wrong = []
    for message in extracted:
        translated = french.get(message.id, context=message.context)
        if translated is None:
            continue  # reported by the test above
        for english, french_text in pairs(translated):
            if french_text and set(PLACEHOLDER.findall(english)) != set(PLACEHOLDER.findall(french_text)):
                wrong.append(f"{english!r} -> {french_text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_the_placeholder_check_itself_sees_a_missing_placeholder():
    assert set(PLACEHOLDER.findall("%(num)d parcels for %(name)s")) == {"num", "name"}
    assert set(PLACEHOLDER.findall("%(num)d colis")) != {"num", "name"}
    assert PLACEHOLDER.findall("100 %") == []
