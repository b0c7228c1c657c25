"""The counter with the network cut: one online visit, then the whole workflow offline, then exactly once.

The network is cut with ``context.set_offline(True)``, which cuts the service worker's requests too.
Events are counted in the live server's database file, which is what the server itself reads.
"""
import hashlib
import re
import time
from collections import Counter
from pathlib import Path

from playwright.sync_api import expect

from .conftest import (events, expect_waiting, follow, go_offline, go_online, launch_options, online_visit,
                       parcel_notice_token, read_code_from_the_notice, scanner_burst, wedge)

HANDED = ("CE100001FR", "CE100002FR")  # Camille Martin's parcels in the demo
EXPIRED = "CE100006FR"  # expired in the demo, waiting for the return scan


def open_the_pickup(page, code):
    """« Entrer le code » is open: type the code, and wait for the customer's screen to be ready."""
    field = page.get_by_label("Code de retrait (6 chiffres)")
    field.fill(code)
    field.press("Enter")
    expect(page.get_by_role("heading", name="Camille Martin")).to_be_visible()
    page.wait_for_load_state()
    expect(page.get_by_label("Scanner les colis")).to_be_focused()


def test_chromium_reports_no_installability_errors(live_server, playwright_instance, tmp_path):
    context = playwright_instance.chromium.launch_persistent_context(str(tmp_path / "profile"), locale="fr-FR",
                                                                     **launch_options())
    try:
        page = context.new_page()
        page.goto(live_server.url + "/connexion")
        assert page.evaluate("navigator.serviceWorker.ready.then(r => r.active.scriptURL)").endswith("/sw.js")
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getAppManifest")["errors"] == []
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    finally:
        context.close()


def test_after_one_online_visit_the_app_opens_on_the_home_screen_offline(live_server, new_context):
    page = online_visit(new_context().new_page(), live_server)
    go_offline(page)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name="Collecte du client")).to_be_visible()
    expect(page.locator("#offline-banner")).to_contain_text("Pas de réseau")
    page.reload()
    expect(page.get_by_role("link", name="Livraison par le livreur")).to_be_visible()
    page.goto(live_server.url + "/aide/jamais-vue")
    expect(page.get_by_role("heading", name="Indisponible hors ligne")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_shop_code_shows_and_rotates_offline(live_server, new_context):
    page = online_visit(new_context().new_page(), live_server)
    go_offline(page)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Livraison par le livreur").click()
    page.get_by_role("link", name="Colis Express").click()
    digits = page.locator("[data-code-digits]")
    expect(digits).to_have_text(re.compile(r"^\d{3} \d{3}$"))
    expect(page.locator("[data-qr] svg")).to_be_visible()
    first = digits.inner_text()
    page.clock.fast_forward("00:30")
    expect(digits).not_to_have_text(first)


def test_a_customer_pickup_completes_offline_and_its_scans_reach_the_server_once(live_server, new_context):
    page = online_visit(new_context().new_page(), live_server)
    code = read_code_from_the_notice(live_server, new_context, "Camille Martin")
    go_offline(page)
    follow(page, "Collecte du client")
    page.get_by_text("Entrer le code", exact=True).click()
    field = page.get_by_label("Code de retrait (6 chiffres)")
    field.fill("000000" if code != "000000" else "111111")
    field.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Ce code n'est pas valable")
    open_the_pickup(page, code)

    wedge(page, HANDED[0])
    expect(page.locator("#pickup [role=status]")).to_contain_text(f"Remis : {HANDED[0]}")
    expect(page.locator(".pickup-parcel", has_text=HANDED[0])).to_contain_text("en attente d'envoi")
    wedge(page, "CE100003FR")  # Léa Bernard's: refused on the device, nothing queued
    expect(page.get_by_role("alert")).to_contain_text("n'est pas un colis de ce client")

    page.reload()  # the device reloaded offline: the screen and what waits come back
    page.wait_for_load_state()
    expect(page.locator(".pickup-parcel", has_text=HANDED[0])).to_contain_text("en attente d'envoi")
    wedge(page, HANDED[1])
    expect(page.locator("#pickup [role=status]")).to_contain_text(f"Remis : {HANDED[1]}")
    page.get_by_role("button", name="Terminé").click()
    expect(page.get_by_role("heading", name="Terminé — Camille Martin")).to_be_visible()
    expect(page.get_by_role("heading", name="Remis (2)")).to_be_visible()
    expect(page.locator("#pickup li .shelf")).to_have_count(2)  # the shelf badges, as online
    expect(page.locator("#offline-banner")).to_contain_text("3 opérations en attente d'envoi")
    assert events(live_server, HANDED[0], "hand_to_customer") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    go_online(page)
    expect_waiting(page, 0)
    for tracking_id in HANDED:
        assert [offline for offline, _ in events(live_server, tracking_id, "hand_to_customer")] == [1]
    page.goto(live_server.url + "/collecte/")
    wedge(page, code)
    expect(page.get_by_role("alert")).to_contain_text("Ce code n'est pas valable")  # « Terminé » freed it


def test_expired_parcels_are_scanned_for_return_offline(live_server, new_context):
    page = online_visit(new_context().new_page(), live_server)
    go_offline(page)
    page.locator("#task-returns").click()
    expect(page.locator("#expired")).to_contain_text(EXPIRED)
    wedge(page, EXPIRED)
    expect(page.locator("#expired [role=status]")).to_contain_text(f"{EXPIRED} est prêt pour le livreur")
    expect(page.locator(f"#expired li:has-text('{EXPIRED}')")).to_contain_text("en attente d'envoi")
    wedge(page, "XX999999FR")
    expect(page.get_by_role("alert")).to_contain_text("ne fait pas partie des colis expirés")
    expect(page.locator("#offline-banner")).to_contain_text("1 opération en attente d'envoi")
    go_online(page)
    expect_waiting(page, 0)
    assert [offline for offline, _ in events(live_server, EXPIRED, "stage_for_return")] == [1]
    row = page.locator(f"#expired li:has-text('{EXPIRED}')")  # the screen says the step reached the server
    expect(row).to_contain_text("prêt pour le livreur")
    expect(row).not_to_contain_text("en attente d'envoi")


def test_the_inventory_shows_offline_as_last_synchronised(live_server, new_context):
    page = online_visit(new_context().new_page(), live_server)
    go_offline(page)
    page.goto(live_server.url + "/inventaire/")
    expect(page.get_by_role("heading", name="Inventaire")).to_be_visible()
    expect(page.locator("#inventory")).to_contain_text("Camille Martin")
    expect(page.locator("#offline-banner")).to_contain_text("Dernière synchronisation")


def queue_three_scans_offline(page, server, code):
    go_offline(page)
    page.goto(server.url + "/retours/expires")
    wedge(page, EXPIRED)
    expect(page.locator("#expired [role=status]")).to_contain_text("prêt pour le livreur")
    page.goto(server.url + "/collecte/")
    page.get_by_text("Entrer le code", exact=True).click()
    open_the_pickup(page, code)
    for tracking_id in HANDED:
        wedge(page, tracking_id)
        expect(page.locator("#pickup [role=status]")).to_contain_text(f"Remis : {tracking_id}")
    expect_waiting(page, 3)


def test_replayed_three_times_cut_and_restarted_midway_the_server_keeps_one_event_per_scan(live_server, new_context):
    page = online_visit(new_context().new_page(), live_server)
    code = read_code_from_the_notice(live_server, new_context, "Camille Martin")
    queue_three_scans_offline(page, live_server, code)
    replays, cut = [], {"answered": False, "over": False, "stopping": False, "stopped": False}

    def cut_after_the_server_answers(route):
        """The first replay reaches the server, then the network drops before the device hears back; the next
        step sent once that is over finds the server dying. The worker sends steps of different parcels at once
        and their handlers interleave, so each role goes by what has happened, not by arrival order."""
        replays.append((route.request.url, route.request.headers, route.request.post_data))
        if not cut["answered"]:
            cut["answered"] = True
            route.fetch()
            route.abort("internetdisconnected")
            cut["over"] = True
            return
        if cut["over"] and not cut["stopping"]:
            cut["stopping"] = True
            live_server.stop()  # the server dies in the middle of the replay
            cut["stopped"] = True
        route.continue_()

    scans = re.compile(r"/(retours/expires/scan|collecte/.+/scanner)$")
    page.context.route(scans, cut_after_the_server_answers)
    go_online(page)
    for _ in range(3):  # three triggers at once: one replay runs at a time
        page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'replay'})")
    deadline = time.monotonic() + 20
    while not cut["stopped"]:  # the device retries by itself after the cut (static/worker/replay.js)
        assert time.monotonic() < deadline, "the device never sent again after the cut"
        page.wait_for_timeout(50)
    expect(page.locator("html")).not_to_have_attribute("data-offline-queued", "0")  # the unanswered steps wait
    restart(live_server)
    page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'replay'})")
    expect_waiting(page, 0)
    page.context.unroute(scans)
    assert len(replays) >= 5

    # The same queue once more, twice, as a device that never heard back would send it.
    for _ in range(2):
        for url, headers, body in replays:
            answer = page.evaluate("([url, headers, body]) => fetch(url, {method: 'POST', headers, body})"
                                   ".then(r => [r.status, r.headers.get('X-Command-Applied')])", [url, headers, body])
            assert answer == [204, "true"]  # applied, once: the answer stored the first time, with no screen
    assert [o for o, _ in events(live_server, EXPIRED, "stage_for_return")] == [1]
    for tracking_id in HANDED:
        assert [o for o, _ in events(live_server, tracking_id, "hand_to_customer")] == [1]


def worker_version(page):
    """The version of the worker that controls the page (it changes with every precached file)."""
    return page.evaluate("""new Promise(resolve => {
        const channel = new MessageChannel();
        channel.port1.onmessage = event => resolve(event.data.version);
        navigator.serviceWorker.controller.postMessage({type: 'state'}, [channel.port2]); })""")


def restart(server):
    server.stop()
    server.log = open(server.log.name, "a")
    server.start()


def test_a_refused_replay_is_kept_in_to_check_until_acknowledged(live_server, new_context):
    page = online_visit(new_context().new_page(), live_server)
    go_offline(page)
    page.goto(live_server.url + "/retours/expires")
    wedge(page, EXPIRED)
    expect_waiting(page, 1)
    other = online_visit(new_context().new_page(), live_server)  # another counter of the shop, online
    other.goto(live_server.url + "/retours/expires")
    other.locator(f"#expired li:has-text('{EXPIRED}')").get_by_role("link", name="Impossible à trouver").click()
    other.get_by_role("alertdialog").get_by_role("button", name="OK").click()
    expect(other.locator("#expired [role=status]")).to_contain_text("déclaré manquant")

    go_online(page)
    expect_waiting(page, 0)
    expect(page.locator(f"#expired li:has-text('{EXPIRED}')")).to_contain_text("refusé par le serveur")
    banner = page.locator("#offline-banner")
    expect(banner.get_by_role("link", name="1 à vérifier")).to_be_visible()
    banner.get_by_role("link", name="1 à vérifier").click()
    item = page.locator(".conflict")
    expect(item).to_contain_text(f"Scanné pour le retour : {EXPIRED}")
    expect(item).to_contain_text("Réponse du serveur")
    item.get_by_role("button", name="J'ai vérifié").click()
    expect(page.get_by_text("Rien à vérifier.")).to_be_visible()
    assert events(live_server, EXPIRED, "stage_for_return") == []


def test_scans_queued_offline_are_sent_after_the_session_ended_on_the_device_token(live_server, new_context):
    page = online_visit(new_context().new_page(), live_server)
    go_offline(page)
    page.goto(live_server.url + "/retours/expires")
    wedge(page, EXPIRED)
    expect_waiting(page, 1)
    page.context.clear_cookies(name="session")  # the browser dropped the session while offline
    go_online(page)
    expect_waiting(page, 0)
    assert [o for o, _ in events(live_server, EXPIRED, "stage_for_return")] == [1]


def test_signing_out_waits_for_the_queue_then_wipes_the_devices_screens(live_server, new_context):
    page = online_visit(new_context().new_page(), live_server)
    go_offline(page)
    page.goto(live_server.url + "/retours/expires")
    wedge(page, EXPIRED)
    expect_waiting(page, 1)
    page.get_by_label("Menu").click()
    page.get_by_role("button", name="Déconnexion").click()
    expect(page.get_by_role("alert")).to_contain_text("ne sont pas encore envoyées")
    go_online(page)
    expect_waiting(page, 0)
    page.get_by_label("Menu").click()
    page.get_by_role("button", name="Déconnexion").click()
    expect(page).to_have_url(re.compile(r"/connexion$"))
    go_offline(page)
    page.goto(live_server.url + "/inventaire/")
    expect(page.get_by_role("heading", name="Indisponible hors ligne")).to_be_visible()


UPDATE_INSTALLED = """navigator.serviceWorker.getRegistration().then(r => r.update().then(() => new Promise(done => {
    if (r.waiting) return done();
    const worker = r.installing;
    worker.addEventListener("statechange", () => { if (worker.state === "installed") done(); });
})))"""


def has_waiting_worker(page):
    return page.evaluate("navigator.serviceWorker.getRegistration().then(r => !!r.waiting)")


def test_an_update_waits_for_a_resting_screen_and_the_associates_yes(live_server, new_context):
    page = online_visit(new_context().new_page(), live_server)
    version = worker_version(page)
    page.goto(live_server.url + "/collecte/")
    live_server.env["COMPTOIR_RELEASE"] = "next"  # a deploy
    restart(live_server)
    page.evaluate(UPDATE_INSTALLED)
    page.reload()
    expect(page.locator("#update-banner")).to_be_hidden()  # in the middle of a workflow: not now
    assert worker_version(page) == version and has_waiting_worker(page)
    page.goto(live_server.url + "/")
    expect(page.locator("#update-banner")).to_be_visible()
    expect(page.locator("#update-banner")).to_contain_text("Mise à jour prête")
    page.get_by_role("button", name="Mettre à jour").click()
    page.wait_for_load_state()
    expect(page.locator("#update-banner")).to_be_hidden()
    assert worker_version(page) != version


def test_offline_the_counter_warns_how_many_wrong_codes_are_left_from_the_seventh(live_server, new_context):
    page = online_visit(new_context().new_page(), live_server)
    go_offline(page)
    follow(page, "Collecte du client")
    page.get_by_text("Entrer le code", exact=True).click()
    for n in range(7):
        field = page.get_by_label("Code de retrait (6 chiffres)")
        field.fill(f"99999{n}")
        field.press("Enter")
        expect(field).to_have_value("")  # the screen came back, its field empty
        expect(page.get_by_role("alert")).to_contain_text("Ce code n'est pas valable")
    expect(page.locator("#pickup-start")).to_contain_text("Encore 3 codes erronés possibles avant une pause de 15 minutes")


def test_a_rejection_confirmed_offline_reaches_the_server_as_one_event(live_server, new_context):
    page = online_visit(new_context().new_page(), live_server)
    code = read_code_from_the_notice(live_server, new_context, "Camille Martin")
    go_offline(page)
    follow(page, "Collecte du client")
    page.get_by_text("Entrer le code", exact=True).click()
    open_the_pickup(page, code)
    card = page.locator(".pickup-parcel", has_text=HANDED[1])
    card.locator(".parcel-options > summary").click()
    card.get_by_text("Rejeter", exact=True).click()
    card.get_by_role("button", name="Oui, le rejeter").click()
    expect(page.locator("#pickup [role=status]")).to_contain_text(f"{HANDED[1]} rejeté")
    expect(card).to_contain_text("en attente d'envoi")
    go_online(page)
    expect_waiting(page, 0)
    assert [offline for offline, _ in events(live_server, HANDED[1], "reject")] == [1]


def test_offline_a_scan_on_the_home_screen_opens_the_pickup_or_says_why_not(live_server, new_context):
    page = online_visit(new_context(phone=False).new_page(), live_server)
    go_offline(page)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name="Collecte du client")).to_be_visible()
    scanner_burst(page, "3760123456789")
    expect(page.locator("#scan-answer")).to_contain_text("Scan non reconnu sur cet appareil")
    expect(page.locator("#announcer")).to_contain_text("Scan non reconnu sur cet appareil")
    scanner_burst(page, HANDED[0])
    expect(page.locator("#scan-answer")).to_contain_text(f"{HANDED[0]} attend son client")
    scanner_burst(page, parcel_notice_token(live_server, HANDED[0]))
    expect(page.get_by_role("heading", name="Camille Martin")).to_be_visible()


HTMX_REVISION = hashlib.sha256((Path(__file__).parents[2] / "static/vendor/htmx-2.0.11.min.js").read_bytes()).hexdigest()[:16]


def test_the_first_visit_downloads_each_static_file_once_the_worker_taking_them_from_the_browsers_cache(
        live_server, new_context):
    page = new_context().new_page()
    online_visit(page, live_server)
    page.wait_for_load_state("networkidle")
    live_server.log.flush()
    with open(live_server.log.name) as log:
        sent = Counter(re.findall(r'"GET (/static/\S+) HTTP/1\.1" 200', log.read()))
    assert sent["/static/vendor/htmx-2.0.11.min.js?v=" + HTMX_REVISION] == 1
    assert [path for path, n in sent.items() if n > 1] == []


KEEP_ONLY_THE_INVENTORYS_FRAGMENT = """async () => {
  const cache = await caches.open('comptoir-pages');
  const inventory = async () => (await cache.keys()).map(r => r.url).filter(u => new URL(u).pathname === '/inventaire/');
  for (const url of await inventory()) await cache.delete(url);
  await fetch('/inventaire/', {headers: {'HX-Request': 'true'}});
  for (let i = 0; i < 100 && !(await inventory()).length; i++) await new Promise(r => setTimeout(r, 50));
  return inventory();
}"""


def test_a_page_opened_offline_is_never_answered_with_a_fragments_copy(live_server, new_context):
    page = online_visit(new_context().new_page(), live_server)
    # The device holds the inventory only as a fragment a swap brought, under its own key.
    [kept] = page.evaluate(KEEP_ONLY_THE_INVENTORYS_FRAGMENT)
    assert "__hx=1" in kept
    go_offline(page)
    for query in ("?vue=etageres", "?__hx=1"):  # the same path, another query; the fragment's own key
        page.goto(live_server.url + "/inventaire/" + query)
        expect(page.locator("#offline-fallback")).to_be_visible()  # a whole page: this one is not on the device
        expect(page.locator("header.topbar")).to_have_count(1)


def test_a_pickup_screen_the_device_builds_offline_carries_the_servers_policy(live_server, new_context):
    page = online_visit(new_context().new_page(), live_server)
    screen = page.evaluate("""caches.open('comptoir-pages').then((cache) => cache.keys()).then((keys) =>
      keys.map((r) => r.url).find((u) => /^\\/collecte\\/[^/]+$/.test(new URL(u).pathname)))""")
    go_offline(page)
    response = page.goto(screen)  # put together by the worker from the bundle's parts at the last sync
    expect(page.locator("html[data-offline-copy]")).to_have_count(1)
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self' 'wasm-unsafe-eval'" in policy
