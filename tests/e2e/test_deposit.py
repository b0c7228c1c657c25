"""« Dépôt d'un client » in Chromium, at a 360 px phone with a keyboard-wedge scanner: the customer's code scanned,
the size confirmed, the label printed, the receipt with its QR code shown and mailed (a real SMTP server receives
it), « Terminé » back to the scan, and the same code again said already deposited."""
import re

from playwright.sync_api import expect

from tests.servers import SmtpServer

from .conftest import follow, login, wedge
from .test_integration import run_worker

CODE, TRACKING_ID = "DEP-RETURNLUNE", "CE800001FR"  # the demo's label-less return of Inès Moreau


def take_the_return(page):
    follow(page, "Dépôt d'un client")
    expect(page.get_by_label("Code de dépôt ou étiquette")).to_be_focused()
    wedge(page, CODE.lower())
    expect(page.locator("#deposit-facts")).to_contain_text("Inès Moreau")
    expect(page.locator("#deposit-facts")).to_contain_text(TRACKING_ID)
    page.get_by_role("button", name=re.compile("taille moyenne")).click()
    expect(page.get_by_role("status")).to_contain_text("Déposé : rangez-le à l'emplacement R-02.")


def test_a_label_less_return_is_taken_labelled_and_receipted(live_server, new_context):
    with SmtpServer() as smtp:
        page = login(new_context().new_page(), live_server, "associe")
        take_the_return(page)

        with page.context.expect_page() as opened:
            page.get_by_role("link", name="Imprimer l'étiquette").click()
        label = opened.value
        label.wait_for_load_state()
        expect(label.locator("#shipping-label")).to_contain_text("Tabac-Presse du Marché")
        assert label.locator(".code128 svg rect").count() > 20
        expect(label.locator(".code128 svg")).to_contain_text(TRACKING_ID)
        label.close()

        expect(page.locator("#deposit-qr svg.segno")).to_be_visible()
        expect(page.locator("#deposit-emailed")).to_have_text("Envoyé par e-mail à ines.moreau@example.fr.")
        expect(page.get_by_role("button", name="Imprimer le reçu")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        run_worker(live_server, smtp)
        [mail] = [m for m in smtp.mailbox.messages if "ines.moreau@example.fr" in m["To"]]
        body = mail.get_body(("plain",)).get_content()
        assert TRACKING_ID in body and "Tabac-Presse du Marché" in body
        customer = new_context().new_page()
        customer.goto(re.search(r"https?://\S+/depot/recu/\S+", body).group(0))
        expect(customer.locator("#receipt")).to_contain_text(TRACKING_ID)
        assert customer.evaluate("document.documentElement.scrollWidth") <= 360

        page.get_by_role("link", name="Terminé").click()
        expect(page.get_by_label("Code de dépôt ou étiquette")).to_be_focused()
        wedge(page, CODE)
        expect(page.get_by_role("alert")).to_contain_text("Déjà déposé le")
        expect(page.locator("#deposit-receipt")).to_contain_text(TRACKING_ID)


def test_a_code_the_network_never_announced_is_explained_on_screen(live_server, new_context):
    page = login(new_context().new_page(), live_server, "associe")
    follow(page, "Dépôt d'un client")
    wedge(page, "DEP-AAAAAAAAAA")
    expect(page.get_by_role("alert")).to_contain_text("Ce code ne correspond à aucun dépôt des réseaux de ce point relais")
    expect(page.get_by_label("Code de dépôt ou étiquette")).to_be_focused()
