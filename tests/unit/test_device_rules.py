"""A device's name at its first sign-in, and what its service worker says of itself."""
import pytest

from hub.rules import devices
from hub.rules.devices import NameTooLong, NameUnreadable

ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 13; SM-A135F) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/120.0.0.0 Mobile Safari/537.36")
IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/17.1 Mobile/15E148 Safari/604.1")
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"
WINDOWS_EDGE = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
                "Safari/537.36 Edg/120.0.0.0")


@pytest.mark.parametrize("agent, name", [
    (ANDROID_CHROME, "Android · Chrome"), (IPHONE_SAFARI, "iPhone · Safari"),
    (WINDOWS_FIREFOX, "Windows · Firefox"), (WINDOWS_EDGE, "Windows · Edge"),
    ("Werkzeug/3.0", ""), ("", ""), (None, ""),
])
def test_the_suggestion_names_the_system_and_the_browser(agent, name):
    assert devices.suggested_name(agent) == name


def test_a_blank_name_keeps_the_suggestion_and_spaces_around_a_name_go():
    assert devices.device_name("   ", "Android · Chrome") == "Android · Chrome"
    assert devices.device_name("  Caisse 1 ", "Android · Chrome") == "Caisse 1"


def test_sixty_characters_are_a_name_and_sixty_one_are_refused():
    assert devices.device_name("é" * 60, "x") == "é" * 60
    with pytest.raises(NameTooLong):
        devices.device_name("é" * 61, "x")


@pytest.mark.parametrize("raw", ["Caisse\n1", "Caisse\x001", "Caisse\t1", "\u202eessiaC"])
def test_control_characters_and_bidi_overrides_are_refused(raw):
    with pytest.raises(NameUnreadable):
        devices.device_name(raw, "x")


@pytest.mark.parametrize("raw, count", [("3", 3), ("0", 0), (" 12 ", 12), ("-1", None), ("x", None), ("", None),
                                        (None, None), ("1" * 10, None)])
def test_the_queue_length_is_a_plain_count_or_nothing(raw, count):
    assert devices.queue_length(raw) == count


def test_the_version_is_printable_and_short():
    assert devices.version("abc\n123") == "abc123"
    assert devices.version("v" * 50) == "v" * 40
    assert devices.version(None) == ""
