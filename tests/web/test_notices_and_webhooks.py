"""The worker makes notices and webhooks real: e-mails reach a real SMTP server, text messages a real HTTP
provider, webhook calls a real HTTP receiver that checks their signatures, in order, retried, on record."""
import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.core.extensions import db
from hub.core.models import (DeliveryAttempt, DeliveryStatus, NoticeKind, OutboxMessage, Parcel, Pickup,
                             WebhookDelivery)
from hub.rules import sms
from hub.worker import jobs

from ..conftest import query_one, text
from ..servers import Receiver, SmtpServer, free_port
from .conftest import EXPECTED, current_code, open_visit, scan
from .test_api import ApiClient, shipment
from .test_pickup import open_turn
from .test_pickup import scan as hand_over

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def smtp(app):
    with SmtpServer() as server:
        app.config.update(server.settings())
        yield server


@pytest.fixture
def sms_provider(app):
    with Receiver() as provider:
        app.config.update(SMS_URL=provider.url + "/messages", SMS_TOKEN="sms-token")
        yield provider


@pytest.fixture
def api(app, demo_data):
    return ApiClient(app.test_client())


@pytest.fixture
def work(app):
    """One round of the worker, as ``flask worker`` runs it, at the server's time."""

    def run():
        with app.app_context():
            return jobs.work_once()

    return run


@pytest.fixture
def hooks(app, api, clock):
    """A network's system listening for webhooks: registered through the API, checking every signature."""
    with Receiver(now=lambda: clock.now().timestamp()) as receiver:
        created = api.post("/webhooks", {"url": receiver.url + "/comptoir"}).get_json()
        receiver.secret = created["secret"]
        yield receiver


def outbox(app, **filters):
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).filter_by(**filters).order_by(OutboxMessage.id)).all()


def code_of(app, tracking_id):
    with app.app_context():
        return db.session.scalar(select(Pickup.code).join(Parcel).where(Parcel.tracking_id == tracking_id))


def drop_off(app, carrier, shop, clock, tracking_id):
    response = open_visit(carrier, shop, current_code(app, shop, clock))
    visit = response.headers["Location"].rstrip("/").split("/")[-1]
    assert scan(carrier, visit, tracking_id).status_code == 200


def test_an_announced_parcel_dropped_off_and_collected_reaches_the_customer_and_the_network(
        app, api, nothing_overdue, shop, carrier, associate, clock, smtp, hooks, work):
    announced = api.post("/shipments", shipment(shop.id, tracking_id="CE900001FR", recipient_phone=None))
    assert announced.status_code == 201
    assert "CE900001FR" in text(associate.get("/attendus/"))

    drop_off(app, carrier, shop, clock, "CE900001FR")
    work()
    [mail] = smtp.mailbox.messages
    plain, html = smtp.mailbox.parts(mail)
    code = code_of(app, "CE900001FR")
    assert mail["To"] == "ines.moreau@example.fr" and "Tabac-Presse du Marché" in mail["Subject"]
    for part in (plain, html):
        assert code in part and "12 place du Marché" in part and "/retrait/" in part
    assert "Mardi : 09:00–12:30, 14:00–19:00" in plain and "Dimanche : Fermé" in plain
    with app.app_context():  # its hold, counted in the days the shop opens
        last_day = db.session.scalar(select(Parcel.last_day).where(Parcel.tracking_id == "CE900001FR"))
    assert f" {last_day.day} " in plain.split("jusqu'au")[-1]

    hand_over(associate, open_turn(associate, code), "CE900001FR")
    work()
    assert hooks.refused == []
    assert hooks.events() == ["parcel.received", "parcel.collected"]
    headers, body = hooks.received[1]
    assert headers["Comptoir-Event"] == "parcel.collected" and headers["Comptoir-Signature"].startswith("v1=")
    assert json.loads(body)["data"]["tracking_id"] == "CE900001FR"


def test_a_text_message_fits_one_sms_with_the_code_and_the_link(app, api, shop, carrier, clock, smtp, sms_provider,
                                                                work):
    api.post("/shipments", shipment(shop.id, tracking_id="CE900001FR"))
    drop_off(app, carrier, shop, clock, "CE900001FR")
    work()
    [(headers, body)] = sms_provider.received
    message = json.loads(body)
    assert headers["Authorization"] == "Bearer sms-token" and message["to"] == "+33612345678"
    assert sms.length(message["text"]) <= 160 and message["text"] == sms.gsm_text(message["text"])
    assert code_of(app, "CE900001FR") in message["text"] and "/retrait/" in message["text"]


def test_an_smtp_server_down_is_tried_again_later_and_each_attempt_is_kept(app, api, shop, carrier, clock, work):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TLS="none")  # nobody listens there
    api.post("/shipments", shipment(shop.id, recipient_phone=None))
    drop_off(app, carrier, shop, clock, "CE900001FR")
    work()
    [message] = outbox(app)
    assert (message.status, message.attempts) == (DeliveryStatus.PENDING, 1)
    assert message.next_attempt_at - clock.now() <= timedelta(minutes=1)
    with SmtpServer() as server:
        app.config.update(server.settings())
        work()
        assert server.mailbox.messages == []  # its next attempt has not come yet
        clock.advance(timedelta(minutes=2))
        work()
        assert len(server.mailbox.messages) == 1
    [message] = outbox(app)
    assert message.status == DeliveryStatus.SENT
    with app.app_context():
        assert [a.ok for a in db.session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id))] == [False, True]


def test_a_bounce_is_final_and_shows_in_the_back_office_with_send_again(app, api, shop, carrier, clock, smtp, work,
                                                                      operator):
    smtp.mailbox.refuse = 550
    api.post("/shipments", shipment(shop.id, recipient_phone=None))
    drop_off(app, carrier, shop, clock, "CE900001FR")
    work()
    [message] = outbox(app)
    assert message.status == DeliveryStatus.BOUNCED and message.last_error.startswith("550")
    page = text(operator.get("/admin/avis"))
    assert "Avis qui n'ont pas atteint leur client" in page and "550" in page
    smtp.mailbox.refuse = None
    assert operator.post(f"/admin/avis/{message.id}/renvoyer").status_code == 200
    work()
    assert len(smtp.mailbox.messages) == 1 and outbox(app)[0].status == DeliveryStatus.SENT


def test_webhook_calls_of_one_parcel_wait_for_the_one_before_and_go_in_order(app, api, shop, clock, hooks, work):
    api.post("/shipments", shipment(shop.id))
    hooks.answer = 503
    api.post("/shipments/CE900001FR/redirect", {"shop_id": shop.id})  # same shop: nothing to tell
    api.post(f"/shipments/{EXPECTED[0]}/cancel")
    api.post("/shipments/CE900001FR/cancel")
    work()
    assert len(hooks.received) == 2 and hooks.events() == ["parcel.cancelled", "parcel.cancelled"]
    hooks.answer = 200
    clock.advance(timedelta(minutes=2))
    work()
    assert hooks.events()[2:] == ["parcel.cancelled", "parcel.cancelled"]
    with app.app_context():
        assert {d.status for d in db.session.scalars(select(WebhookDelivery))} == {DeliveryStatus.SENT}


def test_a_webhook_call_is_given_up_after_three_days_then_sent_again_by_hand(app, api, shop, clock, hooks, work,
                                                                           operator):
    hooks.answer = 500
    api.post(f"/shipments/{EXPECTED[0]}/cancel")
    for _ in range(40):
        work()
        with app.app_context():
            delivery = db.session.scalar(select(WebhookDelivery).order_by(WebhookDelivery.id))
            network_id = delivery.endpoint.network_id
        if delivery.status != DeliveryStatus.PENDING:
            break
        clock.move_to(delivery.next_attempt_at + timedelta(seconds=1))
    assert delivery.status == DeliveryStatus.FAILED and 15 <= delivery.attempts <= 25
    page = text(operator.get(f"/admin/reseaux/{network_id}"))
    assert "parcel.cancelled" in page and "échec" in page and "HTTP 500" in page
    hooks.answer = 200
    assert operator.post(f"/admin/livraisons/{delivery.id}/renvoyer").status_code == 200
    work()
    assert query_one(app, WebhookDelivery, id=delivery.id).status == DeliveryStatus.SENT


def test_a_receiver_refuses_a_call_signed_with_another_secret(app, api, shop, clock, hooks, work):
    hooks.secret = "whsec_not_the_right_one"
    api.post(f"/shipments/{EXPECTED[0]}/cancel")
    work()
    assert hooks.refused == ["BadSignature"] and hooks.received == []


def test_a_shop_change_reaches_the_webhooks_of_every_network_it_serves(app, api, shop, hooks, work, associate):
    associate.post("/capacite/complet", {"full": "1"})
    work()
    [(headers, body)] = hooks.received
    assert headers["Comptoir-Event"] == "shop.updated"
    assert json.loads(body)["data"]["full"] is True and json.loads(body)["data"]["change"] == "full"


def test_the_customer_is_reminded_two_days_before_the_last_day_once(app, api, shop, carrier, clock, smtp, work,
                                                                    nothing_overdue):
    api.post("/shipments", shipment(shop.id, recipient_phone=None))
    drop_off(app, carrier, shop, clock, "CE900001FR")
    work()
    with app.app_context():
        remind_at = db.session.scalar(select(Parcel.remind_at).where(Parcel.tracking_id == "CE900001FR"))
    clock.move_to(remind_at + timedelta(minutes=20))
    work()
    work()
    # The demo's customers waiting at the shop are reminded too, each on their own day.
    subjects = [m["Subject"] for m in smtp.mailbox.messages if m["To"] == "ines.moreau@example.fr"]
    assert len(subjects) == 2 and subjects[1].startswith("Rappel")
    assert [m.kind for m in outbox(app) if m.recipient == "ines.moreau@example.fr"] == [NoticeKind.PICKUP_NOTICE,
                                                                                       NoticeKind.REMINDER]


def test_a_parcel_refused_as_damaged_tells_its_customer(app, api, shop, carrier, clock, smtp, work):
    api.post("/shipments", shipment(shop.id, recipient_phone=None))
    response = open_visit(carrier, shop, current_code(app, shop, clock))
    visit = response.headers["Location"].rstrip("/").split("/")[-1]
    parcel_id = query_one(app, Parcel, tracking_id="CE900001FR").id
    assert carrier.post(f"/livreur/visites/{visit}/colis/{parcel_id}/refuser").status_code in (200, 204)
    work()
    [mail] = smtp.mailbox.messages
    assert "endommagé" in mail["Subject"] and "remboursé" in smtp.mailbox.parts(mail)[0]


def test_the_customer_asks_for_the_notice_again_a_few_times_an_hour_at_most(app, browser, demo_data, smtp, work):
    with app.app_context():
        token = db.session.scalar(select(Pickup.token).where(Pickup.customer_name == "Camille Martin"))
    customer = browser()
    page = text(customer.get(f"/retrait/{token}"))
    assert "Renvoyer l'avis" in page
    answers = [customer.post(f"/retrait/{token}/renvoyer").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    work()
    assert len(smtp.mailbox.messages) == 3
    assert all(re.search(r"\b\d{6}\b", smtp.mailbox.parts(m)[0]) for m in smtp.mailbox.messages)


def test_flask_worker_once_sends_what_is_due_from_the_command_line(app, api, shop, carrier, clock, smtp):
    api.post("/shipments", shipment(shop.id, recipient_phone=None))
    drop_off(app, carrier, shop, clock, "CE900001FR")
    env = dict(os.environ, COMPTOIR_ENV="testing", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port), SMTP_TLS="none")
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "worker", "--once"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert len(smtp.mailbox.messages) == 1
