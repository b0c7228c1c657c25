"""Passwords, as NIST SP 800-63B-4 (section 3.1.1.2) asks of a password that is the only factor: long,
any characters, no composition rule, and not one that attackers try first.

At least ``MIN_LENGTH`` characters; up to ``MAX_LENGTH`` (a bound on the hashing work, well past the 64
the guideline asks to allow); refused when it is in the list of common passwords shipped with the app
(hub/data/common-passwords.txt, compared without case) or when it is the account's own username.
"""
from functools import lru_cache
from pathlib import Path

from .errors import DomainError, N_

MIN_LENGTH = 15
MAX_LENGTH = 256
COMMON_LIST = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"


class PasswordTooShort(DomainError):
    message = N_("A password needs at least %(min)d characters.")


class PasswordTooLong(DomainError):
    message = N_("A password has at most %(max)d characters.")


class PasswordTooCommon(DomainError):
    message = N_("This password is one of the most common ones: choose another.")


class PasswordIsUsername(DomainError):
    message = N_("A password cannot be the username.")


@lru_cache(maxsize=1)
def common_passwords():
    """The shipped list of common passwords, lowercased."""
    with COMMON_LIST.open(encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def check(password, username=""):
    """Raise the first rule ``password`` breaks for the account ``username``; a good one passes."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise PasswordTooShort(min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise PasswordTooLong(max=MAX_LENGTH)
    if password.lower() in common_passwords():
        raise PasswordTooCommon()
    if username and password.strip().lower() == username.strip().lower():
        raise PasswordIsUsername()
