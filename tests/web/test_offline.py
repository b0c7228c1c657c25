"""The installable app and the offline queue, through the web: manifest, service worker, bundle, replays."""
import base64
import gzip
import hashlib
import hmac
import json
import re
import shutil
import struct
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.core.extensions import db
from hub.core.models import Account, Parcel, ParcelEvent, Pickup, Shop, Visit
from hub.rules.parcels import Action, State

from ..conftest import text
from .conftest import applied

ROOT = Path(__file__).resolve().parents[2]
EXPIRED = "CE100006FR"  # expired in the demo, waiting for the return scan


def worker_config(response):
    return json.loads(re.search(r"self\.COMPTOIR = (\{.*\});", response.get_data(as_text=True)).group(1))


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_the_manifest_names_the_app_in_french_standalone_with_the_theme_colour(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert (manifest["name"], manifest["lang"], manifest["display"]) == ("Comptoir", "fr", "standalone")
    assert (manifest["start_url"], manifest["scope"], manifest["theme_color"]) == ("/", "/", "#0b4f3c")
    assert manifest["description"] == "Le comptoir de votre point relais."


def test_the_manifest_icons_are_pngs_of_192_and_512_pixels_one_maskable(client):
    icons = client.get("/manifest.webmanifest").get_json(force=True)["icons"]
    sizes = {(icon["sizes"], icon["purpose"]) for icon in icons}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in icons:
        width, height = png_size(ROOT / icon["src"].lstrip("/").split("?")[0])
        assert f"{width}x{height}" == icon["sizes"]
        with client.get(icon["src"]) as response:
            assert response.status_code == 200


def test_every_page_links_the_manifest_the_apple_icon_and_the_worker(associate):
    page = associate.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'rel="apple-touch-icon"' in page and '<meta name="comptoir-worker" content="/sw.js">' in page
    assert 'id="offline-banner"' in page and 'name="comptoir-account"' in page


def test_the_service_worker_is_served_from_the_root_never_cached_and_loads_workbox_from_static(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    assert re.search(r'importScripts\("/static/vendor/workbox-7\.4\.1/workbox-sw\.js\?v=\w+"\)', body)
    assert "modulePathPrefix: self.COMPTOIR.workbox" in body
    assert worker_config(response)["workbox"] == "/static/vendor/workbox-7.4.1"
    for name in ("core", "precaching", "routing", "strategies"):
        assert (ROOT / f"static/vendor/workbox-7.4.1/workbox-{name}.prod.js").exists()


def test_the_shell_is_precached_each_file_under_the_address_the_pages_use_which_names_its_content(client, associate):
    precache = {entry["url"]: entry["revision"] for entry in worker_config(client.get("/sw.js"))["precache"]}
    page = associate.get("/").get_data(as_text=True)
    for name in ("app.css", "app.js", "offline.js", "shopcode.js", "vendor/htmx-2.0.11.min.js",
                 "vendor/qrcode-generator-2.0.4.js", "icons/icon-192.png", "icons/maskable-512.png"):
        content = (ROOT / "static" / name).read_bytes()
        url = f"/static/{name}?v={hashlib.sha256(content).hexdigest()[:16]}"
        assert url in precache and precache[url] is None  # Workbox fetches it as it is, the browser's cache may answer
    assert all(url in precache for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', page))
    assert "/hors-ligne" in precache
    assert not any("workbox" in url for url in precache)


def test_a_static_file_under_its_revision_is_kept_a_year_sets_no_cookie_and_travels_compressed(client):
    url = next(e["url"] for e in worker_config(client.get("/sw.js"))["precache"] if "/app.css" in e["url"])
    response = client.get(url, headers={"Accept-Encoding": "br"})
    assert response.headers["Cache-Control"] == "public, max-age=31536000" and "Set-Cookie" not in response.headers
    assert response.headers["Content-Encoding"] == "br" and response.headers["Vary"] == "Accept-Encoding"
    with client.get("/static/app.css?v=0000000000000000") as stale:
        assert "max-age=31536000" not in stale.headers.get("Cache-Control", "")


def test_the_workers_copy_of_a_screen_unchanged_costs_a_304_whatever_its_csrf_tokens(associate):
    first = associate.get("/")
    assert first.headers["Cache-Control"] == "no-store" and first.headers["ETag"].startswith('W/"')
    again = associate.get("/", headers={"If-None-Match": first.headers["ETag"], "X-Comptoir-Copy": "1"})
    assert again.status_code == 304 and again.get_data() == b""


def test_a_page_shown_again_comes_whole_with_fresh_command_ids(associate):
    first = associate.get("/")
    again = associate.get("/", headers={"If-None-Match": first.headers["ETag"]})
    ids = re.compile(r'name="command_id" value="([^"]+)"')
    assert again.status_code == 200 and not set(ids.findall(first.get_data(as_text=True))) & set(
        ids.findall(again.get_data(as_text=True)))


def test_the_service_workers_bytes_are_the_same_in_every_language(client, associate):
    french = client.get("/sw.js", headers={"Accept-Language": "fr"}).get_data()
    associate.client.post("/langue", data={"lang": "en", "csrf_token": associate.token})
    assert associate.get("/sw.js").get_data() == french == client.get("/sw.js", headers={"Accept-Language": "en"}).get_data()


@pytest.fixture
def static_copy(app, tmp_path):
    """A copy of static/ that the app serves, for a test to change."""
    app.static_folder = str(tmp_path / "static")
    shutil.copytree(ROOT / "static", app.static_folder)
    return Path(app.static_folder)


def test_a_changed_file_changes_the_service_workers_bytes(client, static_copy):
    before = client.get("/sw.js").get_data()
    with open(static_copy / "app.css", "a") as css:
        css.write("\n.new-rule { color: red; }\n")
    assert client.get("/sw.js").get_data() != before


def test_the_worker_imports_every_module_of_static_worker_each_revisioned_by_its_content(client):
    body = client.get("/sw.js").get_data(as_text=True)
    imported = re.findall(r'importScripts\("(/static/worker/[^"?]+)\?v=(\w+)"\);', body)
    modules = sorted(f"/static/worker/{f.name}" for f in (ROOT / "static/worker").iterdir())
    assert sorted(url for url, _ in imported) == modules
    for url, revision in imported:
        assert revision == hashlib.sha256((ROOT / url.lstrip("/")).read_bytes()).hexdigest()[:16]


def test_the_worker_modules_are_not_precached_the_browser_keeps_them_with_the_worker(client):
    precache = worker_config(client.get("/sw.js"))["precache"]
    assert not any(entry["url"].startswith("/static/worker/") for entry in precache)


def test_a_changed_worker_module_is_a_new_worker_version(client, static_copy):
    before = worker_config(client.get("/sw.js"))["version"]
    with open(static_copy / "worker" / "replay.js", "a") as module:
        module.write("\n// changed\n")
    assert worker_config(client.get("/sw.js"))["version"] != before


def test_the_offline_page_is_public_and_says_the_screen_is_not_on_the_device(client):
    response = client.get("/hors-ligne")
    assert response.status_code == 200
    assert "Indisponible hors ligne" in text(response)


def test_the_bundle_needs_a_signed_in_account(client, demo_data):
    assert client.get("/hors-ligne/paquet").status_code == 302


def bundle_of(browser_):
    return browser_.get("/hors-ligne/paquet").get_json()


def digest(bundle, entry):
    key = base64.b64decode(bundle["key"])
    return hmac.new(key, f"{bundle['shop']}:{entry}".encode(), hashlib.sha256).hexdigest()


def active_pickups(app, username="associe"):
    with app.app_context():
        shop_id = db.session.scalar(select(Account.shop_id).where(Account.username == username))
        return [(p.code, p.token, p.customer_name) for p in
                db.session.scalars(select(Pickup).where(Pickup.shop_id == shop_id, Pickup.active))]


def test_the_bundle_keeps_each_active_pickup_screen_under_keyed_hashes_never_the_codes(app, associate):
    response = associate.get("/hors-ligne/paquet")
    assert response.headers["Cache-Control"] == "no-store"
    bundle, raw = response.get_json(), response.get_data(as_text=True)
    pickups = active_pickups(app)
    assert len(bundle["turns"]) == len(pickups) > 0
    for code, token, customer in pickups:
        assert code not in raw and token not in raw
        url = bundle["codes"][digest(bundle, code)]
        assert bundle["codes"][digest(bundle, token)] == url
        turn = bundle["turns"][url]
        page = bundle["shell"].replace(bundle["slot"]["title"], turn["title"]).replace(bundle["slot"]["screen"],
                                                                                    turn["screen"])
        assert f"<h1>{customer}</h1>" in page.replace("&#39;", "'") and 'id="pickup"' in page
        assert f"<title>{turn['title']} · Comptoir</title>" in page and "@@comptoir" not in page


def test_the_bundle_sends_the_page_around_the_pickup_screens_once(app, associate, make_parcel, shop_of):
    for n in range(30):
        make_parcel(shop_of("associe"), recipient=f"Client {n}", pickup_code=f"{700000 + n}", state=State.AT_STORE)
    bundle = associate.get("/hors-ligne/paquet").get_json()
    parts = [bundle["shell"]] + [turn["screen"] for turn in bundle["turns"].values()]
    assert sum(part.count('id="offline-banner"') for part in parts) == 1
    assert sum(turn["screen"].count('<section class="card" id="pickup"') for turn in bundle["turns"].values()) \
        == len(bundle["turns"]) >= 30


def test_each_bundle_has_its_own_key(associate):
    assert bundle_of(associate)["key"] != bundle_of(associate)["key"]


def test_the_bundle_lists_the_expired_parcels_and_the_screens_to_keep(associate):
    bundle = bundle_of(associate)
    assert bundle["returns"][EXPIRED]["expiresAt"] is None
    assert {"/", "/collecte/", "/retours/expires", "/inventaire/", "/hors-ligne/a-verifier"} <= set(bundle["pages"])
    assert bundle["start"]["wrongTyped"].count("Ce code n&#39;est pas valable") == 1
    warned = bundle["start"]["warned"]
    assert "Encore 3 codes erronés possibles" in warned["typed"]["3"] and "Encore 1 code erroné" in warned["scanned"]["1"]
    assert 'open' in warned["typed"]["2"].split('class="enter-code"')[1][:10]
    assert bundle["guard"] == {"limit": 10, "window": 900}


def test_the_bundle_travels_gzipped_when_the_browser_accepts_it(associate):
    response = associate.get("/hors-ligne/paquet", headers={"Accept-Encoding": "gzip, deflate"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.get_data()))["account"] == bundle_of(associate)["account"]


def test_a_carrier_bundle_holds_no_pickup(browser, demo_data):
    bundle = bundle_of(browser().login("livreur"))
    assert bundle["role"] == "carrier" and "turns" not in bundle and "codes" not in bundle


def test_a_carrier_bundle_opens_a_visit_at_each_of_todays_shops_offline(app, browser, demo_data):
    bundle = bundle_of(browser().login("livreur"))
    with app.app_context():
        shops = {shop.name: shop.id for shop in db.session.scalars(select(Shop))}
        secrets = [shop.totp_secret for shop in db.session.scalars(select(Shop))]
    market, station = shops["Tabac-Presse du Marché"], shops["Épicerie de la Gare"]
    assert {f"/livreur/points/{market}", f"/livreur/points/{station}"} <= set(bundle["pages"])
    assert set(bundle["visits"]) == {str(market), str(station)}
    assert set(bundle["visits"][str(market)]) == {"dropoff", "return"}  # returns wait there
    assert set(bundle["visits"][str(station)]) == {"dropoff"}
    screen = bundle["visits"][str(station)]["dropoff"]
    assert "Scannez les colis" in screen and "CE200001FR" in screen  # what is expected there
    assert "/livreur/visites/VISIT-KEY-4242/scan" in screen  # the device names the visit
    assert not any(secret in json.dumps(bundle) for secret in secrets)  # the code is checked on the server only
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Visit)) == 0  # nothing was opened


# --- Replays ---------------------------------------------------------------------------------------------

def replay(client, path, data, key=None, occurred_at=None, account=None, site="same-origin", **headers):
    """The offline queue sending a step again: no CSRF token (the page's may have died with its session),
    the device's replay token (``device_only`` keeps it as the worker does)."""
    headers = {"X-Offline-Replay": "1", "Idempotency-Key": key or str(uuid.uuid4()), "HX-Request": "true",
               "X-Replay-Token": getattr(client, "replay_token", ""), **headers}
    if site:
        headers["Sec-Fetch-Site"] = site
    if occurred_at:
        headers["X-Occurred-At"] = occurred_at.isoformat()
    if account:
        headers["X-Offline-Account"] = str(account)
    return client.post(path, data=data, headers=headers)


def device_only(app, signed_in):
    """The same browser after it dropped its session cookie: the device's cookie is left, and its worker
    keeps the replay token the last sync handed it."""
    client = app.test_client()
    client.replay_token = signed_in.replay_token()
    client.set_cookie("comptoir_device", signed_in.client.get_cookie("comptoir_device").value)
    return client


def stage_events(app, tracking_id=EXPIRED):
    with app.app_context():
        return db.session.scalars(select(ParcelEvent).join(Parcel).where(
            Parcel.tracking_id == tracking_id, ParcelEvent.action == Action.STAGE_FOR_RETURN)).all()


def associate_id(app, username="associe"):
    with app.app_context():
        return db.session.scalar(select(Account.id).where(Account.username == username))


def test_a_replay_after_the_session_ended_is_signed_in_by_the_device_token_and_dated_by_the_device(app, associate, clock):
    with app.app_context():  # made offline after the parcel expired (a step is never dated before the previous)
        expired = db.session.scalar(select(Parcel.state_since).where(Parcel.tracking_id == EXPIRED))
    made_at = (expired + (clock.now() - expired) / 2).replace(microsecond=0)
    response = replay(device_only(app, associate), "/retours/expires/scan", {"tracking_id": EXPIRED},
                      occurred_at=made_at, account=associate_id(app))
    assert applied(response)
    (event,) = stage_events(app)
    assert event.offline and event.occurred_at == made_at and event.account_id == associate_id(app)


def test_the_same_replay_three_times_records_one_event(app, associate):
    client, key = device_only(app, associate), str(uuid.uuid4())
    answers = [replay(client, "/retours/expires/scan", {"tracking_id": EXPIRED}, key=key) for _ in range(3)]
    assert [a.headers.get("X-Command-Applied") for a in answers] == ["true"] * 3
    assert [a.headers.get("Idempotent-Replayed") for a in answers] == [None, "true", "true"]
    assert len(stage_events(app)) == 1


@pytest.mark.parametrize("site", ["cross-site", "same-site", None])
def test_a_replay_from_another_site_is_not_signed_in_and_changes_nothing(app, associate, site):
    response = replay(device_only(app, associate), "/retours/expires/scan", {"tracking_id": EXPIRED}, site=site)
    assert response.status_code == 401
    assert stage_events(app) == []


def test_the_device_token_opens_no_page_and_no_ordinary_form(app, associate):
    client = device_only(app, associate)
    assert client.get("/").status_code == 302
    plain = client.post("/retours/expires/scan", data={"tracking_id": EXPIRED},
                        headers={"Idempotency-Key": str(uuid.uuid4()), "Sec-Fetch-Site": "same-origin"})
    assert plain.status_code in (302, 400)
    assert stage_events(app) == []


def test_signing_out_revokes_the_device_token(app, associate):
    client = device_only(app, associate)
    associate.client.post("/deconnexion", data={"csrf_token": associate.token})
    assert replay(client, "/retours/expires/scan", {"tracking_id": EXPIRED}).status_code == 401
    assert stage_events(app) == []


def test_another_account_signing_in_on_the_device_revokes_the_token(app, associate, make_account):
    client = device_only(app, associate)
    with app.app_context():
        shop_id = db.session.scalar(select(Account.shop_id).where(Account.username == "associe"))
    make_account("collegue", shop_id=shop_id)
    associate.client.post("/deconnexion", data={"csrf_token": associate.token})
    associate.login("collegue")
    response = replay(client, "/retours/expires/scan", {"tracking_id": EXPIRED})
    assert response.status_code == 401


def test_a_replay_made_under_another_account_is_refused_while_another_is_signed_in(app, browser, demo_data,
                                                                                  make_account):
    with app.app_context():
        shop_id = db.session.scalar(select(Account.shop_id).where(Account.username == "associe"))
    make_account("collegue", shop_id=shop_id)
    colleague = browser().login("collegue")
    response = replay(colleague.client, "/retours/expires/scan", {"tracking_id": EXPIRED},
                      account=associate_id(app), **{"X-CSRFToken": colleague.token})
    assert response.status_code == 403
    assert "autre compte" in text(response)
    assert stage_events(app) == []


def test_a_replay_the_server_refuses_is_not_marked_applied(app, associate):
    response = replay(device_only(app, associate), "/retours/expires/scan", {"tracking_id": "CE100001FR"})
    assert response.status_code == 409 and "X-Command-Applied" not in response.headers
    assert 'role="alert"' in text(response)


def test_a_replay_goes_through_even_when_an_overdue_task_blocks_the_counter(app, associate, clock):
    clock.advance(timedelta(days=3))  # the expired parcel's 2 opening hours are long over
    assert associate.get("/collecte/").status_code == 303
    response = replay(device_only(app, associate), "/retours/expires/scan", {"tracking_id": EXPIRED})
    assert response.headers["X-Command-Applied"] == "true"


def test_a_pickup_screen_from_the_bundle_still_takes_scans_replayed_a_day_later(app, associate, clock):
    bundle = bundle_of(associate)
    code, _token, _customer = next(p for p in active_pickups(app) if p[2] == "Camille Martin")
    url = bundle["codes"][digest(bundle, code)]
    scanned_at = clock.now() + timedelta(hours=20)
    clock.advance(timedelta(days=1))
    response = replay(device_only(app, associate), url + "/scanner", {"tracking_id": "CE100001FR"},
                      occurred_at=scanned_at)
    assert applied(response)
    with app.app_context():
        (event,) = db.session.scalars(select(ParcelEvent).join(Parcel).where(
            Parcel.tracking_id == "CE100001FR", ParcelEvent.action == Action.HAND_TO_CUSTOMER)).all()
        assert event.offline and event.occurred_at == scanned_at


def test_an_online_pickup_screen_still_expires_after_four_hours(app, associate, clock, nothing_overdue):
    code, _token, _customer = next(p for p in active_pickups(app) if p[2] == "Camille Martin")
    url = associate.post("/collecte/", {"entry": code}).headers["HX-Redirect"]
    clock.advance(timedelta(hours=5))
    assert associate.post(url + "/scanner", {"tracking_id": "CE100001FR"}).status_code == 409


def test_the_to_check_page_is_for_associates_and_carriers(app, associate, browser):
    assert "À vérifier" in text(associate.get("/hors-ligne/a-verifier"))
    assert browser().login("livreur").get("/hors-ligne/a-verifier").status_code == 200
    assert browser().login("admin").get("/hors-ligne/a-verifier").status_code == 403


def test_the_offline_answers_are_rendered_in_french_on_every_counter_page(associate):
    page = text(associate.get("/collecte/"))
    assert "Enregistré sur l'appareil : envoyé au retour du réseau." in page
    assert "{count} opérations en attente d'envoi" in page and "{count} opération en attente d'envoi" in page
    assert "Mise à jour prête" in page



def test_the_bundle_is_fetched_at_most_sixty_times_an_hour_per_account(app, associate, browser):
    for _ in range(60):
        assert associate.get("/hors-ligne/paquet").status_code == 200
    assert associate.get("/hors-ligne/paquet").status_code == 429
    assert browser().login("associe2").get("/hors-ligne/paquet").status_code == 200
