"""When something breaks: nothing half-done is kept, the person reads a French page, the log says which
request it was (an id, the account, the shop) and nothing about the customers."""
import io
import logging

import pytest
from sqlalchemy import select

from hub.core import logs
from hub.core.extensions import db
from hub.core.models import Network, Pickup, Shop

from ..conftest import text


@pytest.fixture
def log_lines():
    """What the app logs during the test, as the production formatter writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.KeyValueFormatter())
    logs.logger.addHandler(handler)
    yield lambda: stream.getvalue().splitlines()
    logs.logger.removeHandler(handler)


@pytest.fixture
def breaking_view(app):
    """A view that changes the shop's name, then fails in the database: the session is left needing a
    rollback, and the error page (which shows the shop's name) must still be drawn."""

    def rename_then_fail():
        from flask_login import current_user

        current_user.shop.name = "Changed halfway"
        db.session.flush()
        db.session.add_all([Network(name="Twice"), Network(name="Twice")])
        db.session.flush()

    app.add_url_rule("/_test/casse", "breaks", rename_then_fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page answers, not the test client
    return "/_test/casse"


def test_an_unhandled_error_rolls_back_shows_a_french_page_and_logs_who_without_data(app, breaking_view, associate,
                                                                                    shop_of, log_lines):
    response = associate.get(breaking_view, headers={"Accept-Language": "fr", "X-Request-Id": "req-12345678"})
    assert response.status_code == 500
    assert "Un problème est survenu" in text(response) or "Rien n'a été modifié" in text(response)
    assert response.headers["X-Request-Id"] == "req-12345678"
    with app.app_context():
        assert db.session.get(Shop, shop_of("associe")).name == "Tabac-Presse du Marché"
    [line] = [line for line in log_lines() if "unhandled error" in line]
    assert "request_id=req-12345678" in line and f"shop={shop_of('associe')}" in line and "account=" in line
    assert "endpoint=breaks" in line and "/_test/casse" not in "\n".join(log_lines())
    assert "IntegrityError" in "\n".join(log_lines())  # the traceback follows the line


def test_every_request_is_one_line_naming_its_endpoint_never_its_path(app, client, demo_data, log_lines):
    with app.app_context():
        token = db.session.scalars(select(Pickup.token).where(Pickup.active)).first()
    response = client.get(f"/retrait/{token}")
    assert response.status_code == 200 and len(response.headers["X-Request-Id"]) == 32
    [line] = [line for line in log_lines() if "msg=request" in line]
    assert "endpoint=notice.show" in line and "status=200" in line and f"request_id={response.headers['X-Request-Id']}" in line
    assert token not in "\n".join(log_lines())


def test_a_request_id_that_is_not_plain_is_replaced(client, demo_data):
    response = client.get("/connexion", headers={"X-Request-Id": "bad id with=junk"})
    assert len(response.headers["X-Request-Id"]) == 32 and " " not in response.headers["X-Request-Id"]
