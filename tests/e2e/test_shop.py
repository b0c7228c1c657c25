"""The shop's own screens on a 360 px phone: hours and closures, the call-back request, the inventory,
and « Je suis complet » as the operator sees it."""
import re
from datetime import timedelta

from playwright.sync_api import expect

from .conftest import login


def open_menu(page, item):
    page.get_by_label("Menu").click()
    page.get_by_role("navigation").get_by_role("link", name=item, exact=True).click()


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def give_monday_a_lunch_break_and_saturday_no_afternoon(page):
    monday = page.locator("#day-0")
    expect(monday.locator(".range")).to_have_count(1)
    monday.get_by_role("button", name="Ajouter une plage").click()
    expect(monday.locator(".range")).to_have_count(2)
    for row, (opens, closes) in enumerate((("14:00", "19:00"), ("08:30", "12:00"))):
        monday.locator(".range").nth(row).get_by_label("Ouvre à").fill(opens)
        monday.locator(".range").nth(row).get_by_label("Ferme à").fill(closes)
    saturday = page.locator("#day-5")
    saturday.locator(".range").nth(1).get_by_role("button", name="Supprimer cette plage").click()
    expect(saturday.locator(".range")).to_have_count(1)
    page.get_by_role("button", name="Enregistrer les horaires", exact=True).last.click()


def add_a_closure(page, start, days, reason):
    closures = page.locator("#closures")
    closures.get_by_label("Premier jour de fermeture").fill(start.isoformat())
    closures.get_by_label("Dernier jour de fermeture").fill((start + timedelta(days=days - 1)).isoformat())
    closures.get_by_label("Motif (facultatif)").fill(reason)
    closures.get_by_role("button", name="Ajouter la fermeture").click()
    expect(closures.get_by_role("status")).to_have_text("Fermeture ajoutée.")
    expect(closures.locator(".closure")).to_contain_text(reason)


def test_an_associate_sets_a_lunch_break_and_a_closure_then_the_public_page_shows_them(live_server, new_context):
    page = login(new_context().new_page(), live_server, "associe")
    open_menu(page, "Horaires d'ouverture")
    expect(page.get_by_role("heading", name="Horaires d'ouverture")).to_be_visible()
    assert fits_the_phone(page)
    give_monday_a_lunch_break_and_saturday_no_afternoon(page)
    expect(page.get_by_role("status")).to_have_text("Horaires enregistrés.")
    expect(page.locator("#day-0 input[name='opens-0']")).to_have_count(2)

    # An overlap is refused in French and changes nothing.
    page.locator("#day-2 .range").nth(1).get_by_label("Ouvre à").fill("11:00")
    page.get_by_role("button", name="Enregistrer les horaires", exact=True).last.click()
    expect(page.get_by_role("alert")).to_have_text("Le mercredi, les plages 09:00–12:30 et 11:00–19:00 se chevauchent.")
    add_a_closure(page, live_server.today() + timedelta(days=20), 3, "Congés de printemps")
    assert fits_the_phone(page)

    public = new_context().new_page()
    public.goto(f"{live_server.url}/points/1")
    hours = public.locator("table.hours")
    expect(hours.locator("tr", has_text="Lundi")).to_contain_text("08:30–12:00, 14:00–19:00")
    expect(hours.locator("tr", has_text="Mercredi")).to_contain_text("09:00–12:30, 14:00–19:00")
    expect(hours.locator("tr", has_text="Samedi").locator("td")).to_have_text("09:00–12:30")
    expect(public.locator(".closures")).to_contain_text("Congés de printemps")
    expect(public.locator(".opening")).to_contain_text(re.compile(r"Ouvert maintenant|Fermé"))
    assert fits_the_phone(public)


def test_a_locked_out_associate_asks_for_a_call_back_from_the_login_page_and_the_operator_sees_it(
        live_server, new_context):
    page = new_context().new_page()
    page.goto(live_server.url + "/connexion")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_role("link", name="Contacter l'assistance").click()
    page.get_by_label("Votre nom et votre point relais").fill("Sophie, Tabac-Presse du Marché")
    page.get_by_label("Numéro de téléphone").fill("06 12 34 56 78")
    page.get_by_label("Quel est le problème ? (facultatif)").fill("J'ai oublié mon mot de passe")
    page.get_by_role("button", name="Appelez-moi maintenant").click()
    expect(page.get_by_role("status")).to_have_text("Demande envoyée. L'assistance vous appellera au 06 12 34 56 78.")
    assert fits_the_phone(page)

    operator = login(new_context(phone=False).new_page(), live_server, "admin")
    request = operator.locator(".call-back", has_text="06 12 34 56 78")
    expect(request).to_contain_text("Sophie, Tabac-Presse du Marché")
    expect(request).to_contain_text("Depuis l'écran : /connexion")
    expect(request).to_contain_text("J'ai oublié mon mot de passe")
    request.get_by_role("button", name="Marquer appelé").click()
    expect(operator.locator(".call-back", has_text="06 12 34 56 78").locator(".tag")).to_have_text("appelé")


def test_the_help_filter_keeps_only_the_matching_answers(live_server, new_context):
    page = new_context().new_page()
    page.goto(live_server.url + "/aide/")
    answers = page.locator("#help details")
    total = answers.count()
    page.get_by_label("Rechercher dans l'aide").fill("endommage")
    expect(page.locator("#help details:visible")).to_have_count(2)
    expect(page.locator("#help details:visible").first).to_contain_text("endommagé")
    page.get_by_label("Rechercher dans l'aide").fill("emplacement lettre")
    expect(page.locator("#help details:visible")).to_have_count(1)
    expect(page.locator("#help details:visible")).to_contain_text("A = lundi")
    page.get_by_label("Rechercher dans l'aide").fill("")
    expect(page.locator("#help details:visible")).to_have_count(total)


def test_the_inventory_opens_a_customers_parcels_and_searches(live_server, new_context):
    page = login(new_context().new_page(), live_server, "associe")
    open_menu(page, "Inventaire")
    expect(page.get_by_role("heading", name="Inventaire")).to_be_visible()
    expect(page.locator(".count", has_text="à retirer")).to_contain_text("4")
    expect(page.locator("#capacity")).to_contain_text("9 colis en magasin, capacité 20")

    page.get_by_text("Camille Martin").click()
    customer = page.locator(".customer", has_text="Camille Martin")
    expect(customer.locator(".customer-detail")).to_contain_text("CE100001FR")
    expect(customer.locator(".customer-detail")).to_contain_text("Chaussures de running")
    expect(customer.locator(".customer-detail .shelf").first).to_have_text(re.compile(r"^[A-G]-\d{2}$"))
    assert fits_the_phone(page)

    page.get_by_label("Rechercher par nom ou numéro de suivi").fill("CE100006")
    expect(page.locator(".customer .name")).to_have_count(1)
    expect(page.locator(".customer .name")).to_have_text("Lucas Robert")

    page.get_by_role("link", name="Synchroniser").click()
    expect(page.locator("#synced")).to_have_text(re.compile(r"^Synchronisé à \d\d:\d\d$"))
    expect(page.locator(".customer .name")).to_have_count(5)


def test_i_am_full_is_seen_by_the_operator_whose_parcels_are_then_refused(live_server, new_context):
    counter = login(new_context().new_page(), live_server, "associe")
    full = counter.get_by_role("switch", name="Je suis complet")
    expect(full).to_have_attribute("aria-checked", "false")
    full.click()
    expect(counter.get_by_role("switch", name="Je suis complet")).to_have_attribute("aria-checked", "true")
    expect(counter.locator("#capacity")).to_contain_text("Vous avez déclaré le point relais complet")
    assert fits_the_phone(counter)

    operator = login(new_context(phone=False).new_page(), live_server, "admin")
    row = operator.locator(".shop-row", has_text="Tabac-Presse du Marché")
    expect(row).to_contain_text("Complet")
    expect(row).to_contain_text("Déclaré complet par Sophie Lefèvre")

    operator.get_by_role("navigation", name="Back-office").get_by_role("link", name="Envoyer des colis").click()
    operator.get_by_label("Point relais").select_option(label="Tabac-Presse du Marché (Lyon) — complet")
    operator.get_by_label("Numéro de suivi").fill("CE300001FR")
    operator.get_by_label("Nom du destinataire").fill("Inès Roux")
    operator.get_by_role("button", name="Envoyer le colis").click()
    expect(operator.get_by_role("alert")).to_contain_text("Tabac-Presse du Marché s'est déclaré complet")

    counter.get_by_role("switch", name="Je suis complet").click()
    expect(counter.get_by_role("switch", name="Je suis complet")).to_have_attribute("aria-checked", "false")
    operator.get_by_role("button", name="Envoyer le colis").click()
    expect(operator.get_by_role("status")).to_have_text("Le colis CE300001FR est attendu chez Tabac-Presse du Marché.")

    open_menu(counter, "Colis attendus")
    expect(counter.locator("#expected")).to_contain_text("CE300001FR")
