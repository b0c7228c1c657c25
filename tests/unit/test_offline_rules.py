"""How long a pickup screen lives: a turn opened at the counter, or a screen synced for offline use."""
from datetime import datetime, timedelta, timezone

from hub.rules import pickup as rules

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


def test_a_turn_opened_online_expires_after_four_hours():
    assert not rules.turn_expired(NOW - timedelta(hours=4), NOW)
    assert rules.turn_expired(NOW - timedelta(hours=4, seconds=1), NOW)


def test_a_screen_synced_for_offline_use_lives_as_long_as_a_queued_scan_may_wait_plus_a_turn():
    lifetime = rules.OFFLINE_TURN_LIFETIME
    assert not rules.turn_expired(NOW - timedelta(days=7, hours=4), NOW, lifetime)
    assert rules.turn_expired(NOW - timedelta(days=7, hours=4, seconds=1), NOW, lifetime)
