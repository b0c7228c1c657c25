"""Accessibility (WCAG 2.2 AA, as the European Accessibility Act asks): axe-core runs on every screen of the
counter, the carrier app, the back office and the public pages, in French and in English, at 360 px and
1280 px, and finds no serious nor critical violation. axe-core is vendored for the tests only
(tests/e2e/vendor/, from its npm package)."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import customer_notice_token, login, show_shop_code

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BAD = ("serious", "critical")
LANGUAGES = {"fr": "fr-FR", "en": "en-GB"}
SIZES = {"360": {"width": 360, "height": 740}, "1280": {"width": 1280, "height": 900}}


def violations(page):
    """The serious and critical violations axe finds on the page as it stands."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated by the browser's devtools protocol, not as a <script>: the page's Content-Security-Policy
        # (scripts from this origin only) stays in force while the screens are audited.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']})"
                           % TAGS)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5], v["nodes"][0]["failureSummary"][:300])
            for v in result["violations"] if v["impact"] in BAD]


class Audit:
    """Visits screens and keeps what axe says about each, and whether the screen is wider than the window
    (a phone would scroll sideways)."""

    def __init__(self, page, server):
        self.page, self.server, self.found = page, server, {}

    def check(self, name):
        self.page.wait_for_load_state()
        found = violations(self.page)
        # Against the window as set, not innerWidth: a phone's layout viewport grows to fit what overflows.
        width, window = self.page.evaluate("document.documentElement.scrollWidth"), self.page.viewport_size["width"]
        if width > window:
            found = [*found, f"{width} px wide in a window of {window} px"]
        if found:
            self.found[f"{name} ({self.page.url})"] = found

    def visit(self, name, path):
        self.page.goto(self.server.url + path)
        self.check(name)


def one(server, sql, *args):
    return server.query(sql, *args)[0][0]


def public_screens(audit, server):
    token = customer_notice_token(server, "Camille Martin")
    shop = one(server, "SELECT id FROM shops WHERE name = ?", "Tabac-Presse du Marché")
    audit.visit("login", "/connexion")
    audit.visit("help", "/aide/")
    audit.visit("support", "/aide/assistance")
    audit.visit("notice", f"/retrait/{token}")
    audit.visit("shop page", f"/points/{shop}")
    audit.visit("not found", "/nulle-part")


def counter_screens(audit, server):
    page = audit.page
    audit.visit("home", "/")
    page.locator("details.menu > summary").click()
    audit.check("menu open")
    parcel = one(server, "SELECT id FROM parcels WHERE tracking_id = 'CE100006FR'")
    pickup = one(server, "SELECT pickup_id FROM parcels WHERE tracking_id = 'CE100001FR'")
    network = one(server, "SELECT id FROM networks WHERE name = 'Colis Express'")
    for name, path in [("choose network", "/livraison/"), ("shop code", f"/livraison/{network}"),
                       ("customer pickup", "/collecte/"), ("carrier collection", "/retours/"),
                       ("expired parcels", "/retours/expires"), ("inventory", "/inventaire/"),
                       ("inventory customer", f"/inventaire/clients/{pickup}"), ("parcel", f"/colis/{parcel}"),
                       ("pickup", f"/retraits/{pickup}"), ("expected", "/attendus/"), ("hours", "/horaires/"),
                       ("capacity", "/capacite/"), ("help", "/aide/"), ("support", "/aide/assistance"),
                       ("to check", "/hors-ligne/a-verifier")]:
        audit.visit(name, path)
    audit.visit("confirm missing", f"/retours/colis/{parcel}/introuvable")
    page.goto(server.url + "/inventaire/")
    page.locator(".customer summary").first.click()
    audit.check("inventory customer open")
    pickup_turn(audit, server)
    deposit_steps(audit, server)
    page.goto(server.url + f"/livraison/{network}")
    page.locator("form[action$='/autre'] button").click()
    audit.check("other carrier intake")


def pickup_turn(audit, server):
    page = audit.page
    code = one(server, "SELECT code FROM pickups WHERE customer_name = 'Camille Martin'")
    page.goto(server.url + "/collecte/")
    page.locator("details.enter-code > summary").click()
    audit.check("enter the code")
    page.locator("input.code-input").fill(code)
    page.locator("input.code-input").press("Enter")
    expect(page.locator("#pickup h1")).to_have_text("Camille Martin")
    audit.check("pickup screen")
    page.locator("[data-scan-field]").fill("CE100003FR")
    page.locator("[data-scan-field]").press("Enter")
    expect(page.locator("#pickup [role=alert]")).to_be_visible()
    audit.check("pickup refused scan")
    page.locator(".parcel-options > summary").first.click()
    audit.check("parcel options")
    page.locator("#pickup-done").click()
    expect(page.locator("#pickup h1")).to_contain_text("Camille Martin")
    audit.check("pickup summary")


def deposit_steps(audit, server):
    """« Dépôt d'un client »: the scan, the drop-off with its sizes and a refusal open, the receipt, the label."""
    page = audit.page
    audit.visit("customer drop-off", "/depot/")
    page.locator("details.enter-code > summary").click()
    audit.check("drop-off enter the code")
    audit.visit("drop-off found", "/depot/DEP-RETURNLUNE")
    page.locator(".refusals .confirm-step > summary").first.click()
    audit.check("drop-off refusal asked")
    page.locator("button[name=size][value=medium]").click()
    expect(page.locator("#deposit-receipt")).to_be_visible()
    audit.check("drop-off receipt")
    page.locator(".stick-label > summary").click()
    audit.check("drop-off stick a label")
    parcel = one(server, "SELECT id FROM parcels WHERE tracking_id = 'CE800001FR'")
    token = one(server, "SELECT receipt_token FROM deposits WHERE code = 'DEP-RETURNLUNE'")
    audit.visit("drop-off label 10x15", f"/depot/etiquette/{parcel}?format=10x15")
    audit.visit("drop-off label A4", f"/depot/etiquette/{parcel}?format=a4")
    audit.visit("public drop-off receipt", f"/depot/recu/{token}")
    audit.visit("inventory with drop-offs", "/inventaire/")


def carrier_screens(audit, server, code):
    page = audit.page
    audit.visit("today's shops", "/livreur/")
    audit.visit("all shops", "/livreur/?tous=1")
    shop = one(server, "SELECT id FROM shops WHERE name = ?", "Tabac-Presse du Marché")
    audit.visit("carrier shop", f"/livreur/points/{shop}")
    page.locator("input[name=code]").fill(code)
    page.locator("button[name=kind][value=dropoff]").click()
    expect(page.locator("#visit")).to_be_visible()
    audit.check("carrier visit")
    page.locator("[data-scan-field]").fill("CE100013FR")
    page.locator("[data-scan-field]").press("Enter")
    expect(page.locator("#visit [role=status]")).to_be_visible()
    audit.check("carrier scanned")


def back_office_screens(audit, server):
    shop = one(server, "SELECT id FROM shops WHERE name = ?", "Tabac-Presse du Marché")
    parcel = one(server, "SELECT id FROM parcels WHERE tracking_id = 'CE100001FR'")
    network = one(server, "SELECT id FROM networks WHERE name = ?", "Colis Express")
    audit.visit("people", f"/admin/reseaux/{network}/personnes")
    for name, path in [("back office", "/admin/"), ("search", "/admin/?q=CE1000"), ("call-backs", "/admin/assistance"),
                       ("admin parcel", f"/admin/colis/{parcel}"), ("admin shop", f"/admin/points/{shop}"),
                       ("outbox", "/admin/avis"), ("send", "/admin/envois"), ("devices", "/admin/appareils/"),
                       ("network settings", f"/admin/reseaux/{network}/reglages"), ("shops", "/admin/points/"),
                       ("new shop", "/admin/points/nouveau"), ("shop settings", f"/admin/points/{shop}/modifier")]:
        audit.visit(name, path)
    device = one(server, "SELECT id FROM devices WHERE shop_id = ? ORDER BY last_seen_at DESC LIMIT 1", shop)
    audit.visit("device", f"/admin/appareils/{device}")


def report(found):
    return "\n".join(f"{screen}: {v}" for screen, items in found.items() for v in items)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_serious_accessibility_violation_on_any_screen(live_server, new_context, language, size):
    locale = LANGUAGES[language]
    phone = size == "360"

    def audit_as(user=None):
        page = new_context(phone=phone, locale=locale, viewport=SIZES[size]).new_page()
        if user:
            login(page, live_server, user) if locale == "fr-FR" else sign_in_english(page, live_server, user)
        return Audit(page, live_server)

    found = {}
    public = audit_as()
    public_screens(public, live_server)
    found.update(public.found)
    counter = audit_as("associe")
    code = show_shop_code(counter.page) if locale == "fr-FR" else show_code_english(counter.page)
    carrier = audit_as("livreur")
    carrier_screens(carrier, live_server, code)
    counter_screens(counter, live_server)
    back_office = audit_as("admin")
    back_office_screens(back_office, live_server)
    for audit in (counter, carrier, back_office):
        found.update(audit.found)
    assert not found, report(found)


def sign_in_english(page, server, user):
    page.goto(server.url + "/connexion")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill("demo1234")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def show_code_english(page):
    page.get_by_role("link", name="Delivery by the carrier").click()
    page.get_by_role("link", name="Colis Express").click()
    return page.locator("[data-code-digits]").inner_text().replace(" ", "")


# The focus ring of the element with the focus: its width, and its contrast against what lies behind the
# element and against white (WCAG 2.4.7 focus visible, 1.4.11 non-text contrast).
FOCUS_RING = """() => {
  const el = document.activeElement;
  function luminance(colour) {
    const [r, g, b] = colour.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function ratio(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }
  function behind(node) {
    for (let n = node.parentElement; n; n = n.parentElement) {
      const c = getComputedStyle(n).backgroundColor;
      if (c !== "transparent" && !/, 0\\)$/.test(c)) return c;
    }
    return "rgb(255, 255, 255)";
  }
  const s = getComputedStyle(el);
  return {what: el.tagName + " " + (el.getAttribute("aria-label") || el.textContent).trim().slice(0, 40),
          width: parseFloat(s.outlineWidth) || 0, style: s.outlineStyle, topbar: !!el.closest(".topbar > a, .topbar > details > summary"),
          behind: ratio(s.outlineColor, behind(el)), white: ratio(s.outlineColor, "rgb(255, 255, 255)")};
}"""


def focus_rings(page, presses=40):
    """Tab through the page: the ring of each control the focus reaches."""
    rings = {}
    for _ in range(presses):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if ring["what"].startswith("BODY"):
            break
        rings.setdefault(ring["what"], ring)
    return list(rings.values())


def test_the_focus_is_visible_on_every_control(live_server, new_context):
    page = new_context(phone=False).new_page()
    login(page, live_server, "associe")
    reached = []
    for path in ["/", "/collecte/", "/retours/", "/horaires/", "/depot/"]:
        page.goto(live_server.url + path)
        reached += focus_rings(page)
    admin = new_context(phone=False).new_page()
    login(admin, live_server, "admin")
    admin.goto(live_server.url + "/admin/colis/" + str(one(live_server, "SELECT id FROM parcels LIMIT 1")))
    reached += focus_rings(admin)
    names = " | ".join(r["what"] for r in reached)
    assert "SUMMARY Entrer le code" in names and "DIV" in names, names  # the code's summary, the scrolling history
    faint = [r for r in reached if r["style"] == "none" or r["width"] < 2 or r["behind"] < 3
             or (not r["topbar"] and r["white"] < 3)]
    assert not faint, faint


def test_at_360_px_the_shop_name_is_whole_and_lone_links_are_big_enough_to_tap(live_server, new_context):
    page = new_context().new_page()
    page.goto(live_server.url + "/connexion")
    box = page.get_by_role("link", name="Mot de passe oublié ?").bounding_box()
    assert box["height"] >= 24, box
    login(page, live_server, "associe")
    brand = page.locator(".topbar .brand")
    expect(brand).to_have_text("Tabac-Presse du Marché")
    assert brand.evaluate("b => b.scrollWidth <= b.clientWidth && getComputedStyle(b).textOverflow !== 'ellipsis'")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_at_1280_px_the_chart_labels_stay_at_reading_size(live_server, new_context):
    page = login(new_context(phone=False, viewport=SIZES["1280"]).new_page(), live_server, "admin")
    page.goto(live_server.url + "/admin/points/" + str(one(live_server, "SELECT id FROM shops LIMIT 1")))
    tick = page.locator("#received-chart text.tick").first
    assert tick.bounding_box()["height"] <= 26, tick.bounding_box()  # 13 px drawn at 1.5 times at most


def test_the_pickup_notice_prints_on_one_a4_page(live_server, new_context):
    page = new_context(phone=False).new_page()
    page.goto(f"{live_server.url}/retrait/{customer_notice_token(live_server, 'Camille Martin')}")
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
