"""The rules the service worker shares with the server, on the server's side. The same cases run against
static/worker/rules.js in Chromium (tests/e2e/test_shared_rules.py)."""
import base64
from datetime import datetime

import pytest

from hub.rules import deadlines
from hub.rules import deposits, pickup
from hub.rules.dropoff import NotATrackingId, read_tracking_id
from hub.core.web import VISIT_KEY
from tests.shared_rules import CASES, GUARD, IDS


def instants(texts):
    return [datetime.fromisoformat(text) for text in texts]


def expired_at(case):
    expires_at, at = instants([case["expires_at"], case["at"]])
    return deadlines.reached(expires_at, at)


def wrong_codes_counted(case):
    return len(pickup.recent_failures(instants(case["failures"]), datetime.fromisoformat(case["now"])))


def too_many_wrong_codes(case):
    """The device's own limit: the shop's failures play no part on the device."""
    return pickup.locked_until(instants(case["failures"]), [], datetime.fromisoformat(case["now"])) is not None


def tracking_id(raw):
    """The tracking ID read, or None where the rule refuses it (the worker answers null)."""
    try:
        return read_tracking_id(raw)
    except NotATrackingId:
        return None


RULES = {
    "read_tracking_id": tracking_id,
    "read_deposit_code": deposits.read_code,
    "normalise_entry": pickup.normalise_entry,
    "looks_like_code": pickup.looks_like_code,
    "visit_key": lambda key: VISIT_KEY.fullmatch(key) is not None,
    "code_digest": lambda case: pickup.entry_digest(base64.b64decode(case["key"]), case["shop"], case["entry"]),
    "expired_at": expired_at,
    "wrong_codes_counted": wrong_codes_counted,
    "too_many_wrong_codes": too_many_wrong_codes,
}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_server_applies_each_shared_rule_as_the_cases_say(case):
    assert RULES[case["rule"]](case["input"]) == case["expected"]


def test_every_shared_rule_has_cases():
    assert {case["rule"] for case in CASES} == set(RULES)


def test_the_cases_guess_limit_is_the_servers():
    assert GUARD == {"limit": pickup.DEVICE_LIMIT, "window": pickup.WINDOW.total_seconds()}
