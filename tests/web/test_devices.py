"""« Appareils »: a device is named at its first sign-in, its contact noted without a write per request; the
operators of its shop's networks see it and revoke it; a revoked device is told why at its next request, and
the steps its offline queue still sends are held until an operator accepts (applied once) or refuses them."""
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.core.extensions import db
from hub.core.models import (Account, AuditAction, AuditEntry, Device, HeldStatus, HeldStep, Parcel,
                             ParcelEvent, SignIn)
from hub.rules.parcels import State

from ..conftest import csrf_token, statements, text
from .conftest import REPLAY
from .test_replay_credentials import turn_of

ANDROID = ("Mozilla/5.0 (Linux; Android 13; SM-A135F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
           "Mobile Safari/537.36")


def device_of(app, who):
    with app.app_context():
        device = db.session.get(Device, who.client.get_cookie("comptoir_device").value)
        db.session.expunge(device)
        return device


def sign_in(client, username, device_name=None, user_agent=ANDROID):
    token = csrf_token(client, "/connexion")
    data = {"username": username, "password": "demo1234", "csrf_token": token}
    if device_name is not None:
        data["device_name"] = device_name
    return client.post("/connexion", data=data, headers={"User-Agent": user_agent})


# --- Naming --------------------------------------------------------------------------------------------

def test_a_new_device_is_asked_its_name_with_a_suggestion_from_its_browser(client, demo_data):
    page = text(client.get("/connexion", headers={"User-Agent": ANDROID}))
    assert "Nom de cet appareil" in page and "Android · Chrome" in page


def test_the_name_typed_is_kept_and_a_blank_one_keeps_the_suggestion(app, browser, demo_data):
    named, blank = browser(), browser()
    assert sign_in(named.client, "associe", "Caisse du comptoir").status_code == 303
    assert sign_in(blank.client, "associe2", "  ").status_code == 303
    assert device_of(app, named).name == "Caisse du comptoir"
    assert device_of(app, blank).name == "Android · Chrome"


def test_a_named_device_is_not_asked_again_and_keeps_its_name(app, browser, demo_data):
    someone = browser()
    sign_in(someone.client, "associe", "Caisse 1")
    someone.client.post("/deconnexion", data={"csrf_token": csrf_token(someone.client)})
    assert "Nom de cet appareil" not in text(someone.client.get("/connexion"))
    sign_in(someone.client, "associe2", "Autre nom")
    assert device_of(app, someone).name == "Caisse 1"


@pytest.mark.parametrize("name, message", [
    ("x" * 61, "Un nom d'appareil a au plus 60 caractères."),
    ("Caisse\n1", "Un nom d'appareil ne peut pas contenir de caractères de contrôle."),
    ("Caisse\x07", "Un nom d'appareil ne peut pas contenir de caractères de contrôle."),
])
def test_a_bad_name_is_refused_in_french_and_nothing_is_signed_in(app, client, demo_data, count, name, message):
    answer = sign_in(client, "associe", name)
    assert answer.status_code == 422 and message in text(answer)
    assert count(Device) == 0 and count(SignIn) == 0


# --- Contact ---------------------------------------------------------------------------------------------

def updates_of_devices(run):
    return [s for s in run if s.lstrip().upper().startswith("UPDATE DEVICES")]


def test_last_seen_is_noted_every_few_minutes_not_on_every_request(app, associate, clock, nothing_overdue):
    signed_in = device_of(app, associate).last_seen_at
    clock.advance(timedelta(minutes=1))
    with statements(app) as run:
        assert associate.get("/").status_code == 200
    assert updates_of_devices(run) == [] and device_of(app, associate).last_seen_at == signed_in
    clock.advance(timedelta(minutes=5))
    with statements(app) as run:
        associate.get("/")
    assert len(updates_of_devices(run)) == 1
    assert signed_in + timedelta(minutes=6) <= device_of(app, associate).last_seen_at <= clock.now()


def test_a_sync_notes_the_workers_version_and_its_queue(app, associate):
    headers = {"X-Comptoir-Version": "4f2a9c1e00b3d7aa", "X-Comptoir-Queue": "3"}
    assert associate.get("/hors-ligne/paquet", headers=headers).status_code == 200
    device = device_of(app, associate)
    assert (device.app_version, device.queue_length) == ("4f2a9c1e00b3d7aa", 3)
    associate.get("/hors-ligne/paquet", headers={"X-Comptoir-Version": "4f2a9c1e00b3d7aa", "X-Comptoir-Queue": "-1"})
    assert device_of(app, associate).queue_length is None


# --- The back office -----------------------------------------------------------------------------------

@pytest.fixture
def colis(browser, demo_data):
    return browser().login("admin-colis")


def test_the_operator_sees_each_device_of_their_shops(app, associate, colis):
    device = device_of(app, associate)
    for path in ("/admin/appareils/", f"/admin/appareils/point/{device.shop_id}", f"/admin/appareils/{device.id}"):
        page = text(colis.get(path))
        assert "Tabac-Presse du Marché" in page and "Sophie Lefèvre" in page and "Actif" in page, path
    assert f"/admin/appareils/point/{device.shop_id}" in text(colis.get(f"/admin/points/{device.shop_id}"))
    fragment = colis.get(f"/admin/appareils/{device.id}", htmx=True)
    assert 'id="device" hx-target="this"' in fragment.get_data(as_text=True) and "Vary" in fragment.headers


@pytest.fixture
def karim(browser, demo_data):
    """The associate of « Épicerie de la Gare », a shop of Colis Express alone."""
    return browser().login("associe2")


def test_an_operator_of_another_network_gets_404_for_the_device_and_its_held_steps(app, karim, colis, browser):
    device = device_of(app, karim)
    vert = browser().login("admin-vert")
    colis.post(f"/admin/appareils/{device.id}/revoquer", {"reason": "volé"})
    step = hold_a_step(app, karim)
    paths = [f"/admin/appareils/{device.id}", f"/admin/appareils/{device.id}/revoquer",
             f"/admin/appareils/{device.id}/etapes/{step}/accepter", f"/admin/appareils/{device.id}/etapes/{step}/refuser"]
    assert vert.get(paths[0]).status_code == 404
    assert [vert.post(path, {"reason": "x"}).status_code for path in paths[1:]] == [404, 404, 404]
    assert "Karim" not in text(vert.get("/admin/appareils/"))
    assert query_step(app, step).status == HeldStatus.HELD


# --- Revoking --------------------------------------------------------------------------------------------

def test_revoking_ends_the_sign_ins_and_the_replay_token_and_is_audited(app, associate, colis):
    device, token = device_of(app, associate), associate.replay_token()
    answer = colis.post(f"/admin/appareils/{device.id}/revoquer", {"reason": "téléphone volé"})
    assert answer.status_code == 200 and "téléphone volé" in text(answer)
    with app.app_context():
        assert db.session.scalars(select(SignIn).where(SignIn.device_id == device.id, SignIn.ended_at.is_(None))).all() == []
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.device_id == device.id)).all()
        assert [(e.action, e.after, e.actor.username) for e in entries] == [
            (AuditAction.DEVICE_REVOKED, "téléphone volé", "admin-colis")]
        assert db.session.get(Device, device.id).revoked_by.username == "admin-colis"
    replayed = associate.post("/capacite/complet", {"full": "1"}, headers={**REPLAY, "X-Replay-Token": token})
    assert replayed.headers["X-Comptoir-Held"] == "true"  # held for the operator, never applied by its token


def test_a_revocation_needs_a_reason(app, associate, colis):
    device = device_of(app, associate)
    answer = colis.post(f"/admin/appareils/{device.id}/revoquer", {"reason": "  "})
    assert answer.status_code == 422 and "Dites pourquoi" in text(answer)
    assert device_of(app, associate).revoked_at is None and associate.get("/").status_code == 200


def test_a_revoked_devices_next_request_says_why_in_french(app, associate, colis):
    colis.post(f"/admin/appareils/{device_of(app, associate).id}/revoquer", {"reason": "téléphone perdu"})
    page = associate.get("/")
    assert page.status_code == 403 and page.headers["X-Comptoir-Device-Revoked"] == "1"
    assert "Cet appareil a été retiré par le réseau le" in text(page) and "téléphone perdu" in text(page)
    assert "Ses données hors ligne ont été effacées" in text(page)
    swap = associate.get("/inventaire/", htmx=True)
    assert swap.headers["HX-Redirect"] == "/appareil-retire" and swap.headers["X-Comptoir-Device-Revoked"] == "1"
    assert associate.get("/connexion").status_code == 200  # it may sign in again, as a new device
    associate.login("associe")
    assert associate.get("/").status_code == 200


# --- Held steps ------------------------------------------------------------------------------------------

def hand_over_step(app, associate):
    """A hand-over scan as the device's queue would send it again: (path, form)."""
    return turn_of(app, associate) + "/scanner", {"tracking_id": "CE100001FR"}


def hold_a_step(app, associate, made_at=None, key=None):
    """The associate's device is revoked meanwhile; its queue sends a hand-over scan: the held step's id."""
    path, form = hand_over_step(app, associate)
    return send_held(app, associate, path, form, made_at, key)


def send_held(app, associate, path, form, made_at=None, key=None, token=None, account=None):
    headers = {**REPLAY, "X-Offline-Account": str(account or account_id(app, associate))}
    if made_at:
        headers["X-Occurred-At"] = made_at.isoformat()
    if token:
        headers["X-Replay-Token"] = token
    key = key or str(uuid.uuid4())
    answer = associate.post(path, form, key=key, headers={**headers, "X-Replay-Token": token or ""})
    assert answer.status_code == 200 and answer.headers["X-Command-Applied"] == "true", text(answer)
    with app.app_context():
        return db.session.scalar(select(HeldStep.id).where(HeldStep.command_id == key))


def account_id(app, who):
    with app.app_context():
        return db.session.scalar(select(Account.id).where(Account.id == device_of(app, who).last_account_id))


def query_step(app, step_id):
    with app.app_context():
        step = db.session.get(HeldStep, step_id)
        db.session.expunge(step)
        return step


def parcel_state(app, tracking_id):
    with app.app_context():
        parcel = db.session.scalar(select(Parcel).where(Parcel.tracking_id == tracking_id))
        return parcel.state, [(e.action.value, e.command_id, e.occurred_at, e.device_id, e.account_id)
                              for e in parcel.events]


@pytest.fixture
def revoked(app, associate, colis, clock):
    """The associate's device, with a hand-over scan made at ``made_at`` and queued; then revoked."""
    path, form = hand_over_step(app, associate)
    token, device = associate.replay_token(), device_of(app, associate)
    colis.post(f"/admin/appareils/{device.id}/revoquer", {"reason": "volé"})
    made_at = (clock.now() - timedelta(minutes=20)).replace(microsecond=0)
    return {"device": device, "path": path, "form": form, "token": token, "made_at": made_at}


def test_steps_from_a_revoked_device_are_held_once_and_not_applied(app, associate, revoked, count):
    before = parcel_state(app, "CE100001FR")
    key = str(uuid.uuid4())
    first = send_held(app, associate, revoked["path"], revoked["form"], revoked["made_at"], key, revoked["token"])
    again = send_held(app, associate, revoked["path"], revoked["form"], revoked["made_at"], key, revoked["token"])
    assert first == again and count(HeldStep) == 1
    assert parcel_state(app, "CE100001FR") == before
    step = query_step(app, first)
    assert (step.command_id, step.method, step.path, step.occurred_at, step.vouched) == (
        key, "POST", revoked["path"], revoked["made_at"], True)
    assert "tracking_id=CE100001FR" in step.body and step.account_id == account_id(app, associate)


def test_accept_applies_the_step_once_at_the_devices_time_in_the_name_of_its_account(app, associate, colis, revoked):
    key = str(uuid.uuid4())
    step = send_held(app, associate, revoked["path"], revoked["form"], revoked["made_at"], key, revoked["token"])
    device_id = revoked["device"].id
    page = colis.post(f"/admin/appareils/{device_id}/etapes/{step}/accepter", {})
    assert page.status_code == 200 and "Appliquée : Remis : CE100001FR." in text(page)
    state, events = parcel_state(app, "CE100001FR")
    assert state == State.COLLECTED
    assert [e for e in events if e[1] == key] == [
        ("hand_to_customer", key, revoked["made_at"], device_id, account_id(app, associate))]
    assert colis.post(f"/admin/appareils/{device_id}/etapes/{step}/accepter", {}).status_code == 409
    send_held(app, associate, revoked["path"], revoked["form"], revoked["made_at"], key, revoked["token"])
    assert parcel_state(app, "CE100001FR") == (state, events)
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert (entry.action, entry.device_id, entry.actor.username) == (
            AuditAction.HELD_STEP_ACCEPTED, device_id, "admin-colis")
    assert query_step(app, step).status == HeldStatus.APPLIED


def test_accepting_a_parcel_handed_over_meanwhile_says_so_and_moves_it_no_more(app, associate, colis, revoked,
                                                                                browser):
    step = send_held(app, associate, revoked["path"], revoked["form"], revoked["made_at"], token=revoked["token"])
    colleague = browser().login("associe")
    colleague.post(turn_of(app, colleague) + "/scanner", {"tracking_id": "CE100001FR"})  # handed over meanwhile
    before = parcel_state(app, "CE100001FR")
    page = colis.post(f"/admin/appareils/{revoked['device'].id}/etapes/{step}/accepter", {})
    assert page.status_code == 200 and "CE100001FR a déjà été remis" in text(page)
    assert parcel_state(app, "CE100001FR") == before


def test_accepting_a_step_the_server_refuses_shows_the_refusal_and_changes_nothing(app, associate, colis, revoked,
                                                                                  count):
    events = count(ParcelEvent)
    step = send_held(app, associate, revoked["path"], {"tracking_id": "CE999999FR"}, revoked["made_at"],
                     token=revoked["token"])
    page = colis.post(f"/admin/appareils/{revoked['device'].id}/etapes/{step}/accepter", {})
    assert page.status_code == 200 and "acceptée, refusée par le serveur" in text(page)
    refused = query_step(app, step)
    assert refused.status == HeldStatus.FAILED and refused.outcome in text(page) and count(ParcelEvent) == events


def test_refuse_applies_nothing_and_keeps_the_step_with_who_and_when(app, associate, colis, revoked, clock):
    before = parcel_state(app, "CE100001FR")
    step = send_held(app, associate, revoked["path"], revoked["form"], revoked["made_at"], token=revoked["token"])
    page = colis.post(f"/admin/appareils/{revoked['device'].id}/etapes/{step}/refuser", {})
    assert page.status_code == 200 and "Refusée" in text(page)
    assert parcel_state(app, "CE100001FR") == before
    refused = query_step(app, step)
    assert refused.status == HeldStatus.REFUSED and refused.received_at <= refused.decided_at <= clock.now()
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry.action == AuditAction.HELD_STEP_REFUSED and entry.actor.username == "admin-colis"
    assert colis.post(f"/admin/appareils/{revoked['device'].id}/etapes/{step}/accepter", {}).status_code == 409
    assert parcel_state(app, "CE100001FR") == before


def test_without_its_token_a_step_names_only_an_account_that_signed_in_on_the_device(app, associate, colis, revoked,
                                                                                    count):
    mine = query_step(app, send_held(app, associate, revoked["path"], revoked["form"]))
    assert mine.account_id == account_id(app, associate) and not mine.vouched
    with app.app_context():
        operator = db.session.scalar(select(Account.id).where(Account.username == "admin-colis"))
    forged = query_step(app, send_held(app, associate, "/admin/appareils/", {}, account=operator))
    assert forged.account_id is None
    events = count(ParcelEvent)
    page = colis.post(f"/admin/appareils/{revoked['device'].id}/etapes/{forged.id}/accepter", {})
    assert "ne nomme aucun associé ni livreur" in text(page) and count(ParcelEvent) == events
    assert query_step(app, forged.id).status == HeldStatus.FAILED


def test_a_held_step_names_the_associate_who_was_at_the_counter_and_is_applied_as_them(app, browser, demo_data,
                                                                                       colis, clock):
    phone = browser().login("camille")  # both associates signed in on this phone; « associe » last
    phone.client.post("/deconnexion", data={"csrf_token": phone.token})
    phone = phone.login("associe")
    path, form = hand_over_step(app, phone)
    token, device = phone.replay_token(), device_of(app, phone)
    colis.post(f"/admin/appareils/{device.id}/revoquer", {"reason": "volé"})
    with app.app_context():
        camille = db.session.scalar(select(Account.id).where(Account.username == "camille"))
    key = str(uuid.uuid4())
    answer = phone.post(path, form, key=key, headers={**REPLAY, "X-Replay-Token": token,
                                                      "X-Comptoir-Associate": str(camille)})
    assert answer.headers["X-Command-Applied"] == "true"
    step = query_step(app, db_id := held_id(app, key))
    assert (step.account_id, step.vouched) == (camille, True)
    assert colis.post(f"/admin/appareils/{device.id}/etapes/{db_id}/accepter", {}).status_code == 200
    _state, events = parcel_state(app, "CE100001FR")
    assert [e[4] for e in events if e[1] == key] == [camille]


def held_id(app, key):
    with app.app_context():
        return db.session.scalar(select(HeldStep.id).where(HeldStep.command_id == key))
