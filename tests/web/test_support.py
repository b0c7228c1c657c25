"""Help « ? » and « Contacter l'assistance »: the call-back request with its shop, time and screen, the phone
number check, the rate limit, the associate's view of their requests, and the operator's queue."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.core.extensions import db
from hub.core.models import Command, SupportRequest

from ..conftest import text

HTMX = {"HX-Request": "true"}
PHONE_REFUSED = "Ce numéro de téléphone n'est pas valable. Exemple : 06 12 34 56 78."



@pytest.fixture
def requests_made(app):
    """Every call-back request as a dict, oldest first, read afresh."""

    def read():
        with app.app_context():
            rows = db.session.scalars(select(SupportRequest).order_by(SupportRequest.id)).all()
            return [dict(id=r.id, phone=r.phone, shop_id=r.shop_id, account_id=r.account_id, name=r.name,
                         screen=r.screen, message=r.message, status=r.status, created_at=r.created_at) for r in rows]

    return read


def ask(browser, phone="06 12 34 56 78", **fields):
    return browser.post("/aide/assistance", dict(phone=phone, **fields))


# --- Help page -------------------------------------------------------------------------------------


def test_the_login_page_leads_to_help_without_an_account(browser, demo_data):
    login = text(browser().get("/connexion"))
    assert re.search(r'<a href="/aide/#faq-login">Mot de passe oublié \?</a>', login)
    help_page = browser().get("/aide/", headers={"Referer": "http://localhost/connexion"})
    assert help_page.status_code == 200
    assert 'href="/aide/assistance?depuis=/connexion"' in text(help_page)
    assert browser().get("/aide/assistance").status_code == 200


def test_the_help_page_has_the_faq_tips_a_filter_and_the_shelf_places(browser, demo_data):
    page = text(browser().get("/aide/"))
    assert "Foire aux questions" in page and "Dois-je vérifier l'identité du client ?" in page
    assert 'id="help-filter"' in page and "help.js" in page
    assert "A = lundi, B = mardi, C = mercredi, D = jeudi, E = vendredi, F = samedi, G = dimanche" in page
    for tip in ("Inventaire et « Synchroniser »", "Horaires d'ouverture et fermetures", "« Je suis complet »"):
        assert tip in page
    assert page.count("<details") >= 14


def test_the_filter_field_is_hidden_until_its_script_runs(browser, demo_data):
    page = text(browser().get("/aide/"))
    assert re.search(r'<p class="help-filter" hidden>', page)
    script = browser().get("/static/help.js")
    assert script.status_code == 200 and "help-filter" in script.get_data(as_text=True)
    script.close()


@pytest.mark.parametrize("referrer, screen", [
    ("http://localhost/inventaire/?q=l%C3%A9a", "/inventaire/"),
    ("http://localhost/horaires/", "/horaires/"),
    ("https://evil.example/phish", None),
    ("http://localhost/aide/", None),
    ("", None),
])
def test_the_contact_link_carries_the_path_of_the_screen_help_was_opened_from(associate, referrer, screen):
    page = text(associate.get("/aide/", headers={"Referer": referrer} if referrer else {}))
    link = re.search(r'href="(/aide/assistance[^"]*)"', page).group(1)
    assert link == "/aide/assistance" + (f"?depuis={screen}" if screen else "")


@pytest.mark.parametrize("given, kept", [("/inventaire/", "/inventaire/"),
                                         ("http://localhost/horaires/?x=1", "/horaires/"),
                                         ("https://evil.example/x", ""), ("javascript:alert(1)", "")])
def test_the_contact_form_keeps_only_a_path_of_this_site(associate, given, kept):
    page = text(associate.get("/aide/assistance", query_string={"depuis": given}))
    assert f'name="screen" value="{kept}"' in page


# --- The call-back request --------------------------------------------------------------------------


def test_a_signed_in_associate_asks_for_a_call_back_with_shop_time_and_screen(associate, shop_of, requests_made,
                                                                               clock):
    before = clock.now()
    response = ask(associate, screen="http://localhost/inventaire/?q=x", message="Le scanner ne marche plus")
    assert response.status_code == 200
    assert "Demande envoyée. L'assistance vous appellera au 06 12 34 56 78." in text(response)
    [made] = requests_made()
    assert made["phone"] == "+33612345678" and made["shop_id"] == shop_of("associe")
    assert made["screen"] == "/inventaire/" and made["message"] == "Le scanner ne marche plus"
    assert made["status"] == "new" and before - timedelta(seconds=5) <= made["created_at"] <= clock.now()


def test_a_locked_out_associate_asks_from_the_login_page_without_an_account(browser, demo_data, requests_made):
    anonymous = browser()
    response = ask(anonymous, name="Sophie, Tabac-Presse du Marché", screen="/connexion")
    assert response.status_code == 200
    [made] = requests_made()
    assert made["shop_id"] is None and made["account_id"] is None
    assert made["name"] == "Sophie, Tabac-Presse du Marché" and made["screen"] == "/connexion"


@pytest.mark.parametrize("phone, e164", [("06 12 34 56 78", "+33612345678"), ("0612345678", "+33612345678"),
                                         ("+33 6 12 34 56 78", "+33612345678"), ("01.23.45.67.89", "+33123456789"),
                                         ("0033 4 78 12 34 56", "+33478123456")])
def test_french_numbers_are_accepted_in_the_ways_people_write_them(associate, requests_made, phone, e164):
    assert ask(associate, phone=phone).status_code == 200
    assert requests_made()[0]["phone"] == e164


@pytest.mark.parametrize("phone", ["", "123", "06 12 34", "pas de numéro", "00 00 00 00 00", "+1 555 0100"])
def test_a_number_that_is_not_a_phone_is_refused_and_nothing_is_recorded(associate, requests_made, count, phone):
    response = associate.post("/aide/assistance", {"phone": phone}, key="bad-phone-" + str(len(phone)))
    assert response.status_code == 422 and PHONE_REFUSED in text(response)
    assert requests_made() == [] and count(Command, id="bad-phone-" + str(len(phone))) == 0


def test_a_refused_number_comes_back_as_typed(associate):
    assert 'value="06 12 34"' in text(ask(associate, phone="06 12 34"))


def test_the_same_request_sent_twice_is_recorded_once(associate, requests_made):
    first = associate.post("/aide/assistance", {"phone": "0612345678"}, key="call-me-once")
    again = associate.post("/aide/assistance", {"phone": "0612345678"}, key="call-me-once")
    assert first.status_code == again.status_code == 200 and len(requests_made()) == 1


def test_call_back_requests_are_rate_limited(browser, demo_data, requests_made):
    anonymous = browser()
    for n in range(5):
        assert ask(anonymous, phone=f"06 12 34 56 7{n}").status_code == 200
    response = ask(anonymous, phone="06 12 34 56 79")
    assert response.status_code == 429
    assert len(requests_made()) == 5


def test_a_mistyped_number_does_not_count_against_the_limit(browser, demo_data, requests_made):
    anonymous = browser()
    for _ in range(5):
        assert ask(anonymous, phone="123").status_code == 422
    assert ask(anonymous).status_code == 200 and len(requests_made()) == 1


def test_the_limit_page_says_how_long_to_wait(browser, demo_data):
    anonymous = browser()
    for _ in range(5):
        ask(anonymous)
    refused = ask(anonymous)
    assert refused.status_code == 429 and "Attendez jusqu'à 60 minutes" in text(refused)


# --- The associate sees their requests' status ------------------------------------------------------


def test_the_associate_sees_the_status_of_their_requests(associate, browser, requests_made):
    ask(associate)
    page = text(associate.get("/aide/assistance"))
    assert "Vos demandes" in page and "en attente d'appel" in page
    operator = browser().login("admin")
    operator.post(f"/admin/assistance/{requests_made()[0]['id']}", {"status": "called"})
    assert "appelé" in text(associate.get("/aide/assistance"))


def test_an_associate_never_sees_another_associates_requests(associate, browser, requests_made):
    ask(associate, phone="06 99 88 77 66")
    other = text(browser().login("associe2").get("/aide/assistance"))
    assert "06 99 88 77 66" not in other and "Vos demandes" not in other


# --- The operator's queue ----------------------------------------------------------------------------


def test_the_operator_sees_a_new_request_with_its_shop_screen_and_number(associate, browser, requests_made):
    ask(associate, screen="/horaires/", message="Je ne peux pas ajouter de fermeture")
    page = text(browser().login("admin").get("/admin/"))
    queue = page[page.index('id="call-backs"'):page.index('id="shops"')]
    assert "06 12 34 56 78" in queue and 'href="tel:+33612345678"' in queue
    assert "Tabac-Presse du Marché" in queue and "Depuis l'écran : /horaires/" in queue
    assert "Je ne peux pas ajouter de fermeture" in queue and "nouveau" in queue


def test_the_operator_moves_a_request_from_new_to_called_to_closed(associate, browser, requests_made):
    ask(associate)
    operator, req = browser().login("admin"), requests_made()[0]["id"]
    called = operator.post(f"/admin/assistance/{req}", {"status": "called"})
    assert called.status_code == 200 and "appelé" in text(called) and "<html" not in text(called)
    assert requests_made()[0]["status"] == "called"
    operator.post(f"/admin/assistance/{req}", {"status": "closed"})
    assert requests_made()[0]["status"] == "closed"
    assert f'id="call-back-{req}"' not in text(operator.get("/admin/"))
    assert f'id="call-back-{req}"' in text(operator.get("/admin/assistance?statut=closed"))
    operator.post(f"/admin/assistance/{req}", {"status": "new"})
    assert requests_made()[0]["status"] == "new"


def test_an_unknown_status_is_refused(associate, browser, requests_made):
    ask(associate)
    response = browser().login("admin").post(f"/admin/assistance/{requests_made()[0]['id']}", {"status": "lost"})
    assert response.status_code == 422 and requests_made()[0]["status"] == "new"


def test_an_unknown_status_filter_answers_404(browser, demo_data):
    assert browser().login("admin").get("/admin/assistance?statut=lost").status_code == 404


def test_an_associate_cannot_move_a_request(associate, requests_made):
    ask(associate)
    assert associate.post(f"/admin/assistance/{requests_made()[0]['id']}", {"status": "closed"}).status_code == 403
    assert requests_made()[0]["status"] == "new"
