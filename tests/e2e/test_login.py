from playwright.sync_api import expect

from .conftest import login


def test_an_associate_signs_in_and_sees_the_french_home_screen(live_server, new_context):
    page = new_context().new_page()
    login(page, live_server, "associe")
    expect(page.get_by_role("link", name="Livraison par le livreur")).to_be_visible()
    expect(page.get_by_role("link", name="Collecte du client")).to_be_visible()
    expect(page.get_by_role("link", name="Collecte du livreur")).to_be_visible()
    expect(page.get_by_title("Aide")).to_be_visible()
    # Nothing spills sideways on a 360 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_wrong_password_is_refused_in_french(live_server, new_context):
    page = new_context().new_page()
    login(page, live_server, "associe", password="pas-le-bon")
    expect(page.get_by_role("alert")).to_have_text("Nom d'utilisateur ou mot de passe incorrect.")
