"""Scanning like a real counter: the camera (Chromium's fake camera fed with labels we make), a
keyboard-wedge scanner, the camera refused, and a decoder that loads only when the camera opens."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import follow, launch_options, login, scanner_burst, wait_until
from .labels import code128_label, frame_of, qr_label, write_y4m

DECODER = re.compile(r"barcode-detector|zxing|/static/camera\.js")  # the camera's code, ours and the decoder


def pickup_of(server, customer):
    """The notice token and the tracking IDs waiting under a demo customer's pickup."""
    rows = server.query(
        "SELECT pickups.token, parcels.tracking_id FROM pickups JOIN parcels ON parcels.pickup_id = pickups.id "
        "WHERE pickups.customer_name = ? AND pickups.active AND parcels.state = 'at_store' "
        "ORDER BY parcels.tracking_id", customer)
    return rows[0][0], [r[1] for r in rows]


@pytest.fixture
def camera_browser(playwright_instance, tmp_path):
    """``camera_browser(scenes)``: a Chromium whose camera films ``scenes`` (a video made here) in a loop."""
    browsers = []

    def launch(scenes):
        video = write_y4m(tmp_path / "camera.y4m", scenes)
        options = launch_options()
        options["args"] += ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                            f"--use-file-for-fake-video-capture={video}"]
        browser = playwright_instance.chromium.launch(**options)
        browsers.append(browser)
        return browser

    yield launch
    for browser in browsers:
        browser.close()


def phone(browser, server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, permissions=["camera"])
    context.set_default_timeout(20_000)
    return context.new_page()


def test_a_customer_pickup_is_done_with_the_camera_alone(live_server, camera_browser):
    token, parcels = pickup_of(live_server, "Camille Martin")
    assert len(parcels) == 2
    scenes = [frame_of(qr_label(token))] + [frame_of(code128_label(t), angle=4) for t in parcels]
    page = login(phone(camera_browser(scenes), live_server), live_server, "associe")
    follow(page, "Collecte du client")
    page.wait_for_load_state()  # the camera button works once the page has loaded (static/scan.js)
    page.get_by_role("button", name="Scanner avec la caméra").click()
    expect(page.get_by_role("dialog", name="Caméra")).to_be_visible()
    for tracking_id in parcels:
        expect(page.locator(f"#pickup li:has-text('{tracking_id}')")).to_contain_text("remis", timeout=30_000)
    page.get_by_role("button", name="Saisir à la main").click()
    expect(page.get_by_role("dialog", name="Caméra")).to_have_count(0)
    assert page.evaluate("document.documentElement.dataset.lastFeedback") in ("ok", "refused")
    page.locator("#pickup-done").click()
    expect(page.get_by_text("Camille Martin")).to_be_visible()


def test_the_camera_is_released_when_its_view_closes(live_server, camera_browser):
    page = login(phone(camera_browser([frame_of(code128_label("XX000000FR"))]), live_server), live_server, "associe")
    follow(page, "Collecte du client")
    page.wait_for_load_state()  # the camera button works once the page has loaded (static/scan.js)
    page.get_by_role("button", name="Scanner avec la caméra").click()
    expect(page.locator(".camera video")).to_be_visible()
    wait_until(page, "document.querySelector('.camera video').srcObject !== null")
    page.evaluate("window.__track = document.querySelector('.camera video').srcObject.getVideoTracks()[0]")
    page.get_by_role("button", name="Saisir à la main").click()
    assert page.evaluate("window.__track.readyState") == "ended"
    expect(page.locator("[data-scan-field]")).to_be_focused()


def test_without_a_camera_the_associate_gets_a_french_message_and_types_instead(live_server, new_context):
    page = login(new_context().new_page(), live_server, "associe")
    follow(page, "Collecte du client")
    page.wait_for_load_state()  # the camera button works once the page has loaded (static/scan.js)
    page.get_by_role("button", name="Scanner avec la caméra").click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile("Aucune caméra|La caméra n'est pas autorisée"))
    page.get_by_role("button", name="Saisir à la main").click()
    expect(page.locator("[data-scan-field]")).to_be_focused()


def test_pages_without_the_camera_download_none_of_its_code(live_server, new_context):
    page = new_context().new_page()
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    login(page, live_server, "associe")
    follow(page, "Collecte du client")
    page.get_by_role("link", name="Accueil").count()  # the page has settled
    page.goto(live_server.url + "/livraison/")
    assert fetched and not [url for url in fetched if DECODER.search(url)]


def test_a_wedge_burst_is_caught_even_when_the_focus_is_elsewhere(live_server, new_context):
    _, parcels = pickup_of(live_server, "Camille Martin")
    page = login(new_context(phone=False).new_page(), live_server, "associe")
    follow(page, "Collecte du client")
    page.locator("h1").click()  # the focus leaves the scan field
    page.keyboard.type(parcels[0], delay=5)
    page.keyboard.press("Enter")
    # The start screen expects a notice: a parcel label gets its own message, proof the burst was read.
    expect(page.get_by_role("alert")).to_contain_text("étiquette de colis")


def test_a_person_typing_slowly_elsewhere_keeps_their_keys(live_server, new_context):
    page = login(new_context(phone=False).new_page(), live_server, "associe")
    follow(page, "Collecte du client")
    page.get_by_text("Entrer le code", exact=True).click()
    field = page.get_by_label("Code de retrait (6 chiffres)")
    field.press_sequentially("123", delay=120)
    expect(field).to_have_value("123")


def test_a_wedge_scan_on_the_home_screen_always_leads_somewhere(live_server, new_context):
    """Nothing focused, no scan field: a notice opens the pickup, a label its parcel, anything else is said."""
    token, _ = pickup_of(live_server, "Camille Martin")
    page = login(new_context(phone=False).new_page(), live_server, "associe")
    expect(page.get_by_role("link", name="Collecte du client")).to_be_visible()
    assert page.evaluate("document.activeElement === document.body")
    scanner_burst(page, "3760123456789")  # a magazine's barcode, scanned at the wrong moment
    expect(page.locator("#scan-answer [role=alert]")).to_contain_text("Scan non reconnu")
    expect(page.locator("#announcer")).to_contain_text("Scan non reconnu")
    assert page.evaluate("document.documentElement.dataset.lastFeedback") == "refused"
    scanner_burst(page, "CE100006FR")
    expect(page.locator("#what-to-do")).to_contain_text("Expiré : scannez-le dans « Collecte du livreur »")
    scanner_burst(page, token)
    expect(page.get_by_role("heading", name="Camille Martin")).to_be_visible()
    expect(page.get_by_label("Scanner les colis")).to_be_focused()



class HeldRequests:
    """The first request to ``pattern`` held until the test lets it go; the others go through."""

    def __init__(self, context, pattern):
        self.routes = []
        context.route(pattern, self.hold)

    def hold(self, route):
        if self.routes:
            route.continue_()
        else:
            self.routes.append(route)

    def arrived(self, page):
        for _ in range(200):
            if self.routes:
                return
            page.wait_for_timeout(50)
        raise AssertionError("the request never came")


def test_two_taps_while_the_cameras_code_loads_open_one_camera(live_server, new_context):
    """A slow network: the associate taps the camera button again before the camera's script has come."""
    page = login(new_context(service_workers="block").new_page(), live_server, "associe")  # every file from the network
    script = HeldRequests(page.context, re.compile(r"/static/camera\.js"))
    follow(page, "Collecte du client")
    button = page.get_by_role("button", name="Scanner avec la caméra")
    button.click()
    script.arrived(page)
    button.click()
    script.routes[0].continue_()
    wait_until(page, "window.comptoirCamera !== undefined")
    expect(page.locator(".camera [data-camera-message]")).to_contain_text("Aucune caméra")  # none in this browser
    expect(page.locator(".camera")).to_have_count(1)
