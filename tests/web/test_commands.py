"""Idempotent commands: a client-made id makes each state-changing request apply exactly once."""
import html
import threading
import uuid

import pytest

from hub.core import clock as clock_module
from hub.core.extensions import db
from hub.core.models import Command, Parcel, SupportRequest
from hub.ops import Actor, record
from hub.rules.parcels import Action, State

FOUND_AGAIN_PATH = "/colis/{}/retrouve"


@pytest.fixture
def lost_parcel(parcel_in, shop_of):
    """A parcel of associe's shop marked « Impossible à trouver »."""
    return lambda: parcel_in(shop_of("associe"), Action.RECEIVE, Action.MARK_NOT_FOUND)


def move(app, parcel_id, action):
    with app.app_context():
        record(db.session.get(Parcel, parcel_id), action, Actor(None, None, clock_module.now()))
        db.session.commit()


def found_again_events(parcel_facts, parcel_id):
    return parcel_facts(parcel_id)[1].count(Action.FOUND_AGAIN)


def test_the_same_command_sent_three_times_gives_one_event(associate, lost_parcel, parcel_facts, count):
    parcel_id, key = lost_parcel(), str(uuid.uuid4())
    first, second, third = (associate.post(FOUND_AGAIN_PATH.format(parcel_id), key=key) for _ in range(3))
    assert first.status_code == second.status_code == third.status_code == 200
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["Idempotent-Replayed"] == third.headers["Idempotent-Replayed"] == "true"
    assert second.get_data() == third.get_data() == first.get_data()
    assert "HX-Request" in second.headers["Vary"]
    assert parcel_facts(parcel_id) == (State.AT_STORE, [Action.RECEIVE, Action.MARK_NOT_FOUND, Action.FOUND_AGAIN])
    assert count(Command, id=key) == 1


def test_a_replayed_command_changes_nothing_even_when_the_parcel_has_moved_on(
    app, associate, lost_parcel, parcel_facts, parcel_in
):
    parcel_id, key = lost_parcel(), str(uuid.uuid4())
    assert associate.post(FOUND_AGAIN_PATH.format(parcel_id), key=key).status_code == 200
    # Lost again meanwhile: applying the old command a second time would find it again.
    move(app, parcel_id, Action.MARK_NOT_FOUND)
    replay = associate.post(FOUND_AGAIN_PATH.format(parcel_id), key=key)
    assert replay.headers["Idempotent-Replayed"] == "true"
    state, actions = parcel_facts(parcel_id)
    assert state == State.NOT_FOUND
    assert actions.count(Action.FOUND_AGAIN) == 1


def test_a_plain_form_carries_its_command_id_in_a_hidden_field(associate, lost_parcel, parcel_facts, count):
    parcel_id, key = lost_parcel(), str(uuid.uuid4())
    form = {"csrf_token": associate.token, "command_id": key}
    responses = [associate.client.post(FOUND_AGAIN_PATH.format(parcel_id), data=form) for _ in range(2)]
    assert [r.status_code for r in responses] == [200, 200]
    assert responses[1].headers["Idempotent-Replayed"] == "true"
    assert b"<html" in responses[0].get_data()
    assert found_again_events(parcel_facts, parcel_id) == 1
    assert count(Command, id=key) == 1


def test_the_form_on_the_page_carries_a_fresh_command_id(associate, lost_parcel):
    parcel_id = lost_parcel()
    pages = [associate.get(f"/colis/{parcel_id}").get_data(as_text=True) for _ in range(2)]
    ids = [page.split('name="command_id" value="')[1].split('"')[0] for page in pages]
    assert ids[0] != ids[1]
    assert all(uuid.UUID(i) for i in ids)


def test_the_same_key_with_another_parcel_is_refused_and_changes_nothing(associate, lost_parcel, parcel_facts, count):
    first_parcel, other_parcel, key = lost_parcel(), lost_parcel(), str(uuid.uuid4())
    assert associate.post(FOUND_AGAIN_PATH.format(first_parcel), key=key).status_code == 200
    refused = associate.post(FOUND_AGAIN_PATH.format(other_parcel), key=key)
    assert refused.status_code == 422
    message = html.unescape(refused.get_data(as_text=True))
    assert "Cet identifiant de commande a déjà servi pour une autre demande." in message
    assert parcel_facts(other_parcel) == (State.NOT_FOUND, [Action.RECEIVE, Action.MARK_NOT_FOUND])
    assert count(Command, id=key) == 1


def test_the_same_key_with_other_fields_is_refused(associate, lost_parcel, parcel_facts):
    parcel_id, key = lost_parcel(), str(uuid.uuid4())
    assert associate.post(FOUND_AGAIN_PATH.format(parcel_id), key=key).status_code == 200
    assert associate.post(FOUND_AGAIN_PATH.format(parcel_id), {"note": "autre"}, key=key).status_code == 422
    assert found_again_events(parcel_facts, parcel_id) == 1


def test_the_order_of_the_fields_does_not_make_another_payload(browser, demo_data, count):
    device, key = browser(), str(uuid.uuid4())
    fields = [("phone", "06 12 34 56 78"), ("message", "Le scanner ne marche plus")]
    first = device.post("/aide/assistance", dict(fields), key=key)
    second = device.post("/aide/assistance", dict(reversed(fields)), key=key)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.headers["Idempotent-Replayed"] == "true"
    assert count(SupportRequest) == 1


def test_a_command_without_an_id_is_refused_and_changes_nothing(associate, lost_parcel, parcel_facts, count):
    parcel_id = lost_parcel()
    headers = {"X-CSRFToken": associate.token, "HX-Request": "true"}
    missing = associate.client.post(FOUND_AGAIN_PATH.format(parcel_id), headers=headers)
    assert missing.status_code == 400
    too_long = associate.client.post(FOUND_AGAIN_PATH.format(parcel_id), headers={**headers, "Idempotency-Key": "x" * 65})
    assert too_long.status_code == 400
    blank = associate.client.post(FOUND_AGAIN_PATH.format(parcel_id), headers={**headers, "Idempotency-Key": "   "})
    assert blank.status_code == 400
    assert parcel_facts(parcel_id) == (State.NOT_FOUND, [Action.RECEIVE, Action.MARK_NOT_FOUND])
    assert count(Command) == 0


def test_a_refused_command_is_not_remembered_so_a_retry_is_judged_afresh(
    app, associate, parcel_in, shop_of, parcel_facts, count
):
    # An expired parcel on the shelf cannot be « found again »: refused, and the id is not kept...
    parcel_id, key = parcel_in(shop_of("associe"), Action.RECEIVE, Action.EXPIRE), str(uuid.uuid4())
    refused = associate.post(FOUND_AGAIN_PATH.format(parcel_id), key=key)
    assert refused.status_code == 409
    assert "Idempotent-Replayed" not in refused.headers
    assert count(Command, id=key) == 0
    assert parcel_facts(parcel_id)[0] == State.EXPIRED
    # ...so once the parcel is really lost, the same command finds it.
    move(app, parcel_id, Action.MARK_NOT_FOUND)
    retry = associate.post(FOUND_AGAIN_PATH.format(parcel_id), key=key)
    assert retry.status_code == 200 and "Idempotent-Replayed" not in retry.headers
    assert parcel_facts(parcel_id)[0] == State.AT_STORE


def test_a_call_back_request_sent_three_times_is_recorded_once(browser, demo_data, count):
    device, key = browser(), str(uuid.uuid4())
    responses = [device.post("/aide/assistance", {"phone": "06 12 34 56 78"}, key=key) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert [r.headers.get("Idempotent-Replayed") for r in responses] == [None, "true", "true"]
    assert count(SupportRequest) == 1


def send_together(devices, path, data, key):
    """Send the same command from every device at the same instant; return the responses."""
    barrier = threading.Barrier(len(devices))
    responses, errors = [None] * len(devices), []

    def send(n):
        try:
            barrier.wait(timeout=10)
            responses[n] = devices[n].post(path, data, key=key)
        except Exception as error:  # reported in the main thread, where pytest sees it
            errors.append(error)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(devices))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return responses


def assert_applied_once(responses):
    assert [r.status_code for r in responses] == [200] * len(responses), [r.get_data(as_text=True) for r in responses]
    replayed = [r.headers.get("Idempotent-Replayed") for r in responses]
    assert sorted(replayed, key=str) == sorted([None] + ["true"] * (len(responses) - 1), key=str)
    assert len({r.get_data() for r in responses}) == 1


def test_two_concurrent_sends_of_the_same_command_give_one_event(browser, lost_parcel, parcel_facts, count):
    devices = [browser().login("associe") for _ in range(2)]
    for _ in range(5):
        parcel_id, key = lost_parcel(), str(uuid.uuid4())
        assert_applied_once(send_together(devices, FOUND_AGAIN_PATH.format(parcel_id), {}, key))
        assert parcel_facts(parcel_id) == (State.AT_STORE,
                                           [Action.RECEIVE, Action.MARK_NOT_FOUND, Action.FOUND_AGAIN])
        assert count(Command, id=key) == 1


def test_two_concurrent_call_back_requests_with_the_same_id_are_recorded_once(browser, demo_data, count):
    devices = [browser().login("associe") for _ in range(2)]
    for round_ in range(2):
        key = str(uuid.uuid4())
        assert_applied_once(send_together(devices, "/aide/assistance", {"phone": "06 12 34 56 78"}, key))
        assert count(SupportRequest) == round_ + 1
