"""Messages to the outside: retries with a doubling wait for 3 days, webhook signatures and their timestamps,
text messages that fit one SMS, and when a customer is reminded."""
from datetime import datetime, timedelta, timezone

from zoneinfo import ZoneInfo

import pytest

from hub.rules import deadlines, delivery, sms

T0 = datetime(2027, 3, 1, 10, 0, tzinfo=timezone.utc)


def test_the_wait_doubles_from_one_minute_up_to_six_hours():
    assert [delivery.wait_before(n) for n in range(1, 5)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert delivery.wait_before(9) == timedelta(minutes=256)
    assert delivery.wait_before(10) == delivery.wait_before(30) == timedelta(hours=6)


def test_a_message_is_tried_again_until_the_waits_add_up_to_three_days_then_given_up():
    attempts, at = 0, T0
    while True:
        attempts += 1
        following = delivery.retry_at(attempts, at)
        if following is None:
            break
        assert following > at
        at = following
    assert timedelta(days=2, hours=18) <= at - T0 <= timedelta(days=3)
    assert delivery.retry_at(1, T0) == T0 + timedelta(minutes=1)


def test_a_signature_covers_the_timestamp_and_the_body():
    signature = delivery.sign("whsec_x", 1_800_000_000, '{"a":1}')
    assert signature.startswith("v1=") and len(signature) == 3 + 64
    assert delivery.verify("whsec_x", "1800000000", signature, b'{"a":1}', now_seconds=1_800_000_100)
    with pytest.raises(delivery.BadSignature):
        delivery.verify("whsec_x", 1_800_000_000, signature, '{"a":2}', now_seconds=1_800_000_000)
    with pytest.raises(delivery.BadSignature):
        delivery.verify("whsec_y", 1_800_000_000, signature, '{"a":1}', now_seconds=1_800_000_000)


@pytest.mark.parametrize("stamp", ["", "soon", "1799999000", "1800000400"])
def test_a_missing_malformed_old_or_future_timestamp_is_refused_as_a_possible_replay(stamp):
    signature = delivery.sign("whsec_x", 1_800_000_000, "{}")
    with pytest.raises(delivery.BadTimestamp):
        delivery.verify("whsec_x", stamp, signature, "{}", now_seconds=1_800_000_000)


def test_a_replayed_delivery_with_a_new_timestamp_no_longer_matches_its_signature():
    signature = delivery.sign("whsec_x", 1_800_000_000, "{}")
    with pytest.raises(delivery.BadSignature):
        delivery.verify("whsec_x", 1_800_000_290, signature, "{}", now_seconds=1_800_000_300)


def test_french_letters_outside_the_gsm_alphabet_are_written_plainly():
    assert sms.gsm_text("Tabac-Presse du Marché « Forêt » — ça") == 'Tabac-Presse du Marché " Foret " - ca'
    assert sms.length("[€]") == 6


def test_a_text_message_keeps_the_code_and_the_link_and_drops_what_does_not_fit():
    link = "https://comptoir.example/retrait/" + "x" * 24
    parts = [("Votre colis est chez " + "Une très longue enseigne " * 6 + ".", False), ("Code : 123456.", True),
             ("À retirer avant le 07/12.", False), (link, True)]
    message = sms.fit(parts)
    assert sms.length(message) <= 160
    assert "123456" in message and message.endswith(link)
    short = sms.fit([("Votre colis est chez Tabac.", False), ("Code : 123456.", True), (link, True)])
    assert short.startswith("Votre colis est chez Tabac.")


def test_required_parts_alone_too_long_are_cut_from_the_first():
    message = sms.fit([("N" * 200, True), ("123456", True)])
    assert sms.length(message) <= 160 and message.endswith("123456")


@pytest.mark.parametrize("dropped, expected_local", [
    (datetime(2027, 3, 1, 10, tzinfo=timezone.utc), datetime(2027, 3, 6, 9)),
    (datetime(2027, 3, 22, 23, 30, tzinfo=timezone.utc), datetime(2027, 3, 28, 9)),  # the clocks change that day
])
def test_the_reminder_comes_at_nine_two_days_before_the_last_day(dropped, expected_local):
    at = deadlines.reminder_at(deadlines.last_pickup_day(dropped, "Europe/Paris"), "Europe/Paris")
    assert deadlines.last_pickup_day(dropped, "Europe/Paris") - timedelta(days=2) == expected_local.date()
    assert at.astimezone(ZoneInfo("Europe/Paris")).replace(tzinfo=None) == expected_local
