"""API keys in the back office and on the command line: made, shown once, listed by prefix, revoked."""
import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from hub.cli.demo import DEMO_API_KEY
from hub.core.extensions import db
from hub.core.models import ApiKey, Command, Network

from ..conftest import text
from .test_api import ApiClient, assert_problem

ROOT = Path(__file__).resolve().parents[2]


def network_id(app, name="Colis Express"):
    with app.app_context():
        return db.session.scalar(select(Network.id).where(Network.name == name))


def test_the_operator_makes_a_key_that_is_shown_once_and_works(app, operator):
    page = text(operator.post(f"/admin/reseaux/{network_id(app)}/cles", {"name": "suivi"}))
    key = re.search(r"cpt_[0-9a-f]{12}_[A-Za-z0-9_-]+", page).group(0)
    assert "elle ne sera plus affichée" in page
    assert ApiClient(app.test_client(), key).get("/shops").status_code == 200
    later = text(operator.get(f"/admin/reseaux/{network_id(app)}"))
    assert key not in later and key[:16] + "_…" in later and "suivi" in later
    with app.app_context():
        assert not any(key in (c.body or "") for c in db.session.scalars(select(Command)))


def test_a_revoked_key_is_refused_at_once(app, operator):
    with app.app_context():
        key_id = db.session.scalar(select(ApiKey.id))
    operator.post(f"/admin/cles/{key_id}/revoquer")
    assert "révoquée" in text(operator.get(f"/admin/reseaux/{network_id(app)}"))
    assert_problem(ApiClient(app.test_client()).get("/shops"), 401)


def test_the_back_office_lists_the_networks_and_links_to_the_api(operator):
    page = text(operator.get("/admin/reseaux/"))
    assert "Colis Express" in page and "Relais Vert" in page and "/api/v1/" in operator.get("/admin/reseaux/").get_data(as_text=True)


def test_only_an_operator_sees_the_networks_keys(associate):
    assert associate.get("/admin/reseaux/").status_code == 403


def flask(app, *args):
    env = dict(os.environ, COMPTOIR_ENV="testing", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    env.pop("TEST_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_flask_apikeys_create_prints_the_key_alone_on_its_last_line(app, demo_data):
    made = flask(app, "apikeys", "create", "Relais Vert", "--name", "tri")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"cpt_[0-9a-f]{12}_\S+", key)
    assert ApiClient(app.test_client(), key).get("/shops").status_code == 200
    listed = flask(app, "apikeys", "list").stdout
    assert "Relais Vert" in listed and key not in listed
    assert flask(app, "apikeys", "create", "Nulle Part").returncode != 0


def test_the_demo_logins_name_colis_express_s_api_key(app, demo_data):
    assert DEMO_API_KEY in flask(app, "logins").stdout
