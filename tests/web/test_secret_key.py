"""The key that signs sessions: the tests' published key signs nothing anywhere else."""
import pytest
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from hub import create_app
from hub.core import config
from hub.core.extensions import db
from hub.core.models import Account


@pytest.fixture
def served(app, tmp_path, monkeypatch):
    """``served(name)``: the app as ``flask run`` would serve it, with no SECRET_KEY given."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    made = []

    def make(name="development", **overrides):
        made.append(create_app(name, instance_path=str(tmp_path / "instance"),
                               SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], **overrides))
        return made[-1]

    yield make
    for each in made:
        with each.app_context():
            db.session.remove()
            db.engine.dispose()


def test_development_signs_with_a_random_key_kept_in_the_instance_folder(served, tmp_path):
    first, second = served(), served()
    key = (tmp_path / "instance" / config.SECRET_FILE).read_text().strip()
    assert first.secret_key == second.secret_key == key and len(key) == 64
    assert key != config.TESTING_SECRET
    assert (tmp_path / "instance" / config.SECRET_FILE).stat().st_mode & 0o077 == 0


def test_development_uses_the_key_it_is_given(served, monkeypatch):
    assert served(SECRET_KEY="given-for-this-shop-0123456789").secret_key == "given-for-this-shop-0123456789"


def test_the_published_key_is_refused_outside_the_tests(served):
    assert served(SECRET_KEY=config.TESTING_SECRET).secret_key != config.TESTING_SECRET
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        served("production", SECRET_KEY=config.TESTING_SECRET)


@pytest.mark.parametrize("published", [config.TESTING_SECRET, "dev-only-not-secret"])
def test_a_cookie_forged_with_a_published_key_opens_nothing_in_development(served, demo_data, published):
    app = served()
    with app.app_context():
        admin = db.session.scalar(select(Account.id).where(Account.username == "admin"))
    forger = SecureCookieSessionInterface().get_signing_serializer(
        type("Published", (), {"secret_key": published, "config": app.config})())
    client = app.test_client()
    client.set_cookie("session", forger.dumps({"_user_id": str(admin), "_fresh": True}))
    response = client.get("/admin/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")


def test_production_refuses_to_start_without_a_key(served):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        served("production")
