"""Several associates on one counter device: personal PINs, « Qui est au comptoir ? », the switch that keeps
the device's sign-in, and the lock of a counter left unused."""
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.cli.demo import DEMO_PINS
from hub.core.extensions import db
from hub.core.models import Account, ParcelEvent, Shop, ShopEvent, SignIn

from ..conftest import csrf_token


def account_id(app, username):
    with app.app_context():
        return db.session.scalar(select(Account.id).where(Account.username == username))


def switch(browser_, username_id, pin, htmx=True, next_=None):
    data = {"pin": pin, "csrf_token": browser_.token}
    if next_:
        data["next"] = next_
    headers = {"HX-Request": "true"} if htmx else {}
    return browser_.client.post(f"/comptoir/{username_id}", data=data, headers=headers)


@pytest.fixture
def counter(browser, demo_data):
    """One device where « collegue » then « associe » signed in with their passwords (the last is signed in)."""
    device = browser().login("collegue")
    device.client.post("/deconnexion", data={"csrf_token": device.token})
    return device.login("associe")


def test_the_header_says_who_is_at_the_counter(counter):
    page = counter.get("/").get_data(as_text=True)
    assert "Au comptoir :" in page and "Sophie Lefèvre" in page and "Changer" in page


def test_who_lists_the_associates_known_on_this_device(counter):
    page = counter.get("/comptoir").get_data(as_text=True)
    assert "Camille Roux" in page and "Sophie Lefèvre" in page and "Qui est au comptoir ?" in page


def open_sign_ins(app):
    with app.app_context():
        return [(s.id, s.account_id, s.acting_account_id) for s in db.session.scalars(
            select(SignIn).where(SignIn.ended_at.is_(None)))]


def at_counter(page):
    return re.search(r"data-at-counter-name>([^<]+)<", page).group(1)


def test_a_switch_by_pin_keeps_the_sign_in_and_its_replay_token(app, counter):
    token, before = counter.replay_token(), open_sign_ins(app)
    response = switch(counter, account_id(app, "collegue"), DEMO_PINS["collegue"])
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/"
    assert at_counter(counter.get("/").get_data(as_text=True)) == "Camille Roux"
    [(sign_in, signed_in, acting)] = open_sign_ins(app)
    assert [(sign_in, signed_in)] == [row[:2] for row in before] and acting == account_id(app, "collegue")
    # A step the device queued before the switch still goes through with the token it held.
    replayed = counter.post("/capacite/complet", data={"full": "1"},
                            headers={"X-Offline-Replay": "1", "X-Replay-Token": token, "Sec-Fetch-Site": "same-origin",
                                     "X-Offline-Account": str(signed_in)})
    assert replayed.status_code == 200 and replayed.headers.get("X-Command-Applied") == "true"
