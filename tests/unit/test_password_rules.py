"""Passwords as NIST SP 800-63B-4 asks: long, any characters, no composition rule, not a common one."""
import pytest

from hub.rules import passwords
from hub.rules.passwords import PasswordIsUsername, PasswordTooCommon, PasswordTooLong, PasswordTooShort


@pytest.mark.parametrize("password", [
    "un long chemin vers la mer",        # words and spaces
    "ééééééééééééééé",                   # any characters, no composition rule
    "x" * 15,                            # the shortest allowed
    "🐢" * 20,
    "p" * 256,                           # far past the 64 the guideline asks to allow
])
def test_a_long_password_of_any_characters_passes(password):
    passwords.check(password, "sophie@example.fr")


@pytest.mark.parametrize("password, refusal", [
    ("x" * 14, PasswordTooShort),
    ("", PasswordTooShort),
    (None, PasswordTooShort),
    ("p" * 257, PasswordTooLong),
    ("1qaz2wsx3edc4rfv", PasswordTooCommon),
    ("1QAZ2WSX3EDC4RFV", PasswordTooCommon),              # compared without case
    ("sophie.martin@example.fr", PasswordIsUsername),
    (" Sophie.Martin@Example.fr ", PasswordIsUsername),
])
def test_a_password_that_breaks_a_rule_is_refused(password, refusal):
    with pytest.raises(refusal):
        passwords.check(password, "sophie.martin@example.fr")


def test_the_shipped_list_holds_a_few_thousand_lowercase_entries():
    common = passwords.common_passwords()
    assert 4000 < len(common) < 30000
    assert "password" in common and "azerty" in common and all(p == p.lower() for p in common)
