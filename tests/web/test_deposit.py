"""« Dépôt d'un client » through the web: the scan, what the network announced, taking at a size or refusing over
the network's limits, the receipt, the label printed or stuck, and every refusal said in French."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from hub.core.extensions import db
from hub.core.models import Deposit, Network, NoticeKind, OutboxMessage
from hub.ops import Actor
from hub.ops import deposits as ops
from hub.rules.parcels import Action, State

from ..conftest import markup, statements, text
from .conftest import applied

RETURN, SENDING = "DEP-RETURNLUNE", "DEP-ENVPREPAYE"  # the demo's label-less return and prepaid sending


@pytest.fixture(autouse=True)
def counter_free(nothing_overdue):
    """No overdue task blocks the counter, whatever the instant the tests run at."""


def deposit_facts(app, code):
    with app.app_context():
        d = db.session.scalar(select(Deposit).where(Deposit.code == code))
        parcel = d.parcel
        return dict(parcel_id=d.parcel_id, refusal=d.refusal, shop_label=d.shop_label, token=d.receipt_token,
                    state=parcel and parcel.state, place=parcel and parcel.shelf_place, size=parcel and parcel.size,
                    events=parcel and [e.action for e in parcel.events])


def announce(app, clock, tracking_id, network="Colis Express", **fields):
    """A drop-off announced by ``network`` now: its code."""
    with app.app_context():
        net = db.session.scalar(select(Network).where(Network.name == network)) or Network(name=network)
        db.session.add(net)
        db.session.flush()
        item = dict(tracking_id=tracking_id, sender_name="Zoé Petit", sender_email="zoe@example.fr", **fields)
        code = ops.announce(net, item, Actor(None, None, clock.now()))[0].code
        db.session.commit()
        return code


def take(associate, code=RETURN, size="medium", key=None, htmx=True):
    return associate.post(f"/depot/{code}/prendre", {"size": size}, key=key, htmx=htmx)


def taken_id(app, code=RETURN):
    return deposit_facts(app, code)["parcel_id"]


# --- Home and the scan screen -----------------------------------------------------------------------------


def test_the_home_offers_the_drop_off_only_where_the_shop_takes_them(browser, associate):
    home = text(associate.get("/"))
    assert "Dépôt d'un client" in home and 'id="action-deposit"' in home and 'class="actions four"' in home
    other = text(browser().login("associe2").get("/"))
    assert 'id="action-deposit"' not in other and "Dépôt d'un client" not in other


def test_the_scan_screen_has_a_focused_scan_field_the_camera_and_enter_the_code(associate):
    page = markup(associate.get("/depot/"))
    field = re.search(r'<input class="scan-input" name="code"[^>]*>', page, re.S).group(0)
    assert "data-scan-field" in field and "autofocus" in field
    assert "data-camera" in page and "Entrer le code" in page
    assert "Scannez le QR code du dépôt sur le téléphone du client" in text(associate.get("/depot/"))


def test_a_plain_get_gives_the_page_and_htmx_the_fragment(associate):
    page, fragment = associate.get("/depot/"), associate.get("/depot/", htmx=True)
    assert "<html" in text(page) and "<html" not in text(fragment)
    assert text(fragment).lstrip().startswith('<section class="card narrow deposit" id="deposit" hx-target="this"')
    assert "HX-Request" in page.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]


def test_a_scanned_code_shows_what_the_network_announced_and_the_sizes(associate):
    page = text(associate.post("/depot/scanner", {"code": " dep returnlune "}))
    for fact in ("Inès Moreau", "retour", "Colis Express · Retour Boutique Lune", "CE800001FR",
                 "aucune : le point relais l'imprime"):
        assert fact in page
    assert re.search(r'value="medium" class="big primary declared">taille moyenne <small>\(annoncée\)', page)
    assert 'value="small" class="big">petite taille' in page and 'value="large" class="big">grande taille' in page
    assert "Trop lourd (plus de 20 kg)" in page and "Trop long (plus de 1 m)" in page


def test_the_label_s_tracking_id_finds_the_drop_off_too(associate):
    page = text(associate.post("/depot/scanner", {"code": "ce800002fr"}))
    assert "Théo Garnier" in page and "envoi prépayé" in page and "sur le colis" in page


def test_the_refusal_buttons_say_the_network_s_own_limits(app, associate):
    with app.app_context():
        network = db.session.scalar(select(Network).where(Network.name == "Colis Express"))
        network.dropoff_max_kg, network.dropoff_max_cm = 25, 150
        db.session.commit()
    page = text(associate.post("/depot/scanner", {"code": RETURN}))
    assert "Trop lourd (plus de 25 kg)" in page and "Trop long (plus de 1,5 m)" in page


# --- Taking it --------------------------------------------------------------------------------------------


def test_taking_puts_it_on_the_r_shelf_and_shows_the_receipt(app, associate):
    answer = take(associate, size="large")
    assert answer.status_code == 200
    facts = deposit_facts(app, RETURN)
    assert (facts["state"], facts["place"], facts["size"].value, facts["events"]) == (
        State.DEPOSITED, "R-02", "large", [Action.DEPOSIT])  # R-01 holds the demo's drop-off of yesterday
    page = text(answer)
    assert "Déposé : rangez-le à l'emplacement R-02." in page
    assert "Reçu de dépôt" in page and "Inès Moreau" in page and "CE800001FR" in page
    assert "Tabac-Presse du Marché, 12 place du Marché, 69001 Lyon" in page and "Sophie Lefèvre" in page
    assert 'class="segno"' in page and "Envoyé par e-mail à ines.moreau@example.fr." in page
    assert "Imprimer le reçu" in page and "Terminé" in page and "/depot/" in page


def test_the_receipt_shows_the_time_in_the_shop_s_time_zone(app, associate, clock):
    take(associate)
    with app.test_request_context():
        from hub.core.i18n import local_datetime
        shown = local_datetime(clock.now(), "Europe/Paris", "short")
    assert shown in text(associate.get(f"/depot/colis/{taken_id(app)}"))


def test_the_receipt_s_qr_code_holds_its_public_link(app, associate):
    import segno
    take(associate)
    token = deposit_facts(app, RETURN)["token"]
    with app.test_request_context():
        from hub.core.links import public_url
        link = public_url("deposit.receipt", token=token)
    expected = segno.make(link, error="m", micro=False).svg_inline(scale=6, border=2, dark="#000")
    assert expected in markup(associate.get(f"/depot/colis/{taken_id(app)}"))
    public = text(associate.client.application.test_client().get(f"/depot/recu/{token}"))
    assert "Reçu de dépôt" in public and "CE800001FR" in public and "Imprimer" in public


def test_the_receipt_e_mail_goes_to_the_outbox(app, associate):
    take(associate)
    with app.app_context():
        [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == NoticeKind.DEPOSIT_RECEIPT)).all()
        assert mail.recipient == "ines.moreau@example.fr" and "(Sophie Lefèvre)" in mail.body


def test_a_plain_form_goes_to_the_receipt_s_page(app, associate):
    answer = take(associate, htmx=False)
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/depot/colis/{taken_id(app)}")
    page = text(associate.get(answer.headers["Location"]))
    assert "Déposé : rangez-le à l'emplacement R-02." in page and "Reçu de dépôt" in page


def test_the_same_command_replayed_takes_it_once(app, associate):
    first = take(associate, key="same-take-0001")
    again = take(associate, key="same-take-0001")
    assert first.status_code == again.status_code == 200
    assert deposit_facts(app, RETURN)["events"] == [Action.DEPOSIT]


def test_a_code_scanned_twice_says_when_and_where_and_shows_the_receipt_again(app, associate, clock):
    take(associate)
    for answer in (associate.post("/depot/scanner", {"code": RETURN}), take(associate, size="small")):
        page = text(answer)
        assert answer.status_code == 409
        assert re.search(r"Déjà déposé le \d\d/\d\d/\d{4} \d\d:\d\d à Tabac-Presse du Marché : voici de nouveau son reçu",
                         page)
        assert "Reçu de dépôt" in page and 'class="segno"' in page
    facts = deposit_facts(app, RETURN)
    assert facts["events"] == [Action.DEPOSIT] and facts["size"].value == "medium"


def test_a_size_that_is_none_of_the_three_changes_nothing(app, associate):
    answer = take(associate, size="huge")
    assert answer.status_code == 422 and "Choisissez la taille du colis, ou la raison du refus." in text(answer)
    assert deposit_facts(app, RETURN)["parcel_id"] is None


def test_a_command_without_its_csrf_token_is_refused(app, associate):
    answer = associate.client.post(f"/depot/{RETURN}/prendre", data={"size": "small"},
                                   headers={"HX-Request": "true", "Idempotency-Key": "no-csrf-0001"})
    assert answer.status_code == 400
    assert deposit_facts(app, RETURN)["parcel_id"] is None


# --- Refusing it ------------------------------------------------------------------------------------------


def test_refusals_ask_first_then_say_what_to_tell_the_customer(app, associate):
    page = markup(associate.post("/depot/scanner", {"code": SENDING}))
    assert page.count('<details class="confirm-step">') == 2 and 'name="over" value="too_heavy"' in page
    answer = associate.post(f"/depot/{SENDING}/refuser", {"over": "too_heavy"})
    assert answer.status_code == 200
    assert "Refusé : le colis pèse plus de 20 kg, le maximum accepté par le réseau. Dites au client" in text(answer)
    assert deposit_facts(app, SENDING)["refusal"].value == "too_heavy"
    again = associate.post("/depot/scanner", {"code": SENDING})
    assert again.status_code == 409 and "Ce colis a été refusé le" in text(again) and "trop lourd" in text(again)


def test_too_long_says_the_network_s_length(app, associate):
    answer = associate.post(f"/depot/{RETURN}/refuser", {"over": "too_long"})
    assert "un côté du colis dépasse 100 cm" in text(answer)
    assert take(associate).status_code == 409 and deposit_facts(app, RETURN)["parcel_id"] is None


def test_a_refusal_reason_that_is_not_one_changes_nothing(app, associate):
    assert associate.post(f"/depot/{RETURN}/refuser", {"over": "ugly"}).status_code == 422
    assert deposit_facts(app, RETURN)["refusal"] is None


# --- Bad input --------------------------------------------------------------------------------------------


def test_an_unknown_code_says_what_to_ask_the_customer(associate):
    answer = associate.post("/depot/scanner", {"code": "DEP-AAAAAAAAAA"})
    assert answer.status_code == 422 and "Ce code ne correspond à aucun dépôt des réseaux de ce point relais" in text(answer)


def test_an_expired_code_says_the_customer_must_make_a_new_one(app, associate, clock):
    code = announce(app, clock, "EXP0001FR")
    with app.app_context():  # its last minute just passed (moving the clock would expire the shop's parcels too)
        db.session.scalar(select(Deposit).where(Deposit.code == code)).expires_at = clock.now() - timedelta(minutes=1)
        db.session.commit()
    answer = associate.post("/depot/scanner", {"code": code})
    assert answer.status_code == 422 and "Ce code de dépôt a expiré le" in text(answer)
    assert "Le client doit en demander un nouveau à Colis Express." in text(answer)
    assert take(associate, code).status_code == 422 and deposit_facts(app, code)["parcel_id"] is None


def test_a_code_of_a_network_the_shop_does_not_serve(app, associate, clock):
    code = announce(app, clock, "AILLEURS01", network="Réseau Lointain")
    answer = associate.post("/depot/scanner", {"code": code})
    assert "Ce dépôt est pour Réseau Lointain, réseau que ce point relais ne dessert pas." in text(answer)
    assert take(associate, code).status_code == 422 and deposit_facts(app, code)["parcel_id"] is None


def test_a_parcel_waiting_for_its_customer_is_a_pickup_not_a_drop_off(associate):
    answer = associate.post("/depot/scanner", {"code": "CE100001FR"})
    assert "c'est un retrait, pas un dépôt" in text(answer) and "Collecte du client" in text(answer)


def test_a_shop_that_does_not_take_drop_offs_says_so(app, browser, clock):
    other = browser().login("associe2")
    assert "Ce point relais ne prend pas les dépôts des clients." in text(other.get("/depot/"))
    answer = other.post("/depot/scanner", {"code": RETURN})
    assert "Ce point relais ne prend pas les dépôts des clients." in text(answer)
    assert take(other).status_code == 422 and deposit_facts(app, RETURN)["parcel_id"] is None


def test_a_drop_off_code_scanned_at_rest_opens_its_screen(associate):
    answer = associate.client.post("/scan", data={"texte": "dep-returnlune"},
                                   headers={"HX-Request": "true", "X-CSRFToken": associate.token})
    assert answer.headers["HX-Redirect"].endswith("/depot/DEP-RETURNLUNE")
    assert "Inès Moreau" in text(associate.get("/depot/DEP-RETURNLUNE"))


# --- The label: printed, or the shop's own stuck on ----------------------------------------------------------


def test_a_label_less_drop_off_offers_to_print_or_stick_a_label(app, associate):
    page = text(take(associate))
    assert "Imprimer l'étiquette" in page and "Coller une étiquette du point relais" in page
    page = text(take(associate, SENDING))
    assert "Imprimer l'étiquette" not in page


@pytest.mark.parametrize("page_format, page_size", [("10x15", "4in 6in"), ("a4", "A4")])
def test_the_label_page_prints_the_code_128_and_the_shop_s_route(app, associate, page_format, page_size):
    take(associate)
    page = text(associate.get(f"/depot/etiquette/{taken_id(app)}?format={page_format}"))
    assert f"@page {{ size: {page_size};" in page
    svg = re.search(r'<div class="code128"[^>]*><svg.*?</svg>', page, re.S).group(0)
    assert svg.count("<rect") > 20 and "CE800001FR" in svg
    for fact in ("Colis Express", "Retour Boutique Lune", "Tabac-Presse du Marché", "69001 Lyon", "R-02", "Inès Moreau"):
        assert fact in page


def test_a_shop_label_stuck_on_is_paired_with_the_parcel(app, associate):
    take(associate)
    parcel_id = taken_id(app)
    answer = associate.post(f"/depot/colis/{parcel_id}/etiquette", {"shop_label": "pr-000123"})
    assert answer.status_code == 200 and "Étiquette PR000123 collée sur le colis" in text(answer)
    assert deposit_facts(app, RETURN)["shop_label"] == "PR000123"


def test_a_shop_label_already_used_is_refused(app, associate):
    take(associate)
    take(associate, SENDING)
    associate.post(f"/depot/colis/{taken_id(app)}/etiquette", {"shop_label": "PR000123"})
    answer = associate.post(f"/depot/colis/{taken_id(app, SENDING)}/etiquette", {"shop_label": "PR000123"})
    assert answer.status_code == 409 and "Le code-barres PR000123 est déjà sur un autre colis." in text(answer)
    assert deposit_facts(app, SENDING)["shop_label"] is None


def test_the_next_customer_s_code_scanned_on_the_receipt_opens_that_drop_off(app, associate):
    take(associate)
    answer = associate.post(f"/depot/colis/{taken_id(app)}/etiquette", {"shop_label": SENDING})
    assert "Théo Garnier" in text(answer) and deposit_facts(app, RETURN)["shop_label"] is None


def test_another_shop_s_drop_off_is_not_found(app, associate, browser, shop_of, parcel_in):
    take(associate)
    other = browser().login("associe2")
    parcel_id = taken_id(app)
    assert other.get(f"/depot/etiquette/{parcel_id}").status_code == 404
    assert other.get(f"/depot/colis/{parcel_id}").status_code == 404
    assert other.post(f"/depot/colis/{parcel_id}/etiquette", {"shop_label": "PR1"}).status_code == 404
    customer_parcel = parcel_in(shop_of("associe"), Action.RECEIVE)
    assert associate.get(f"/depot/etiquette/{customer_parcel}").status_code == 404


# --- The inventory ----------------------------------------------------------------------------------------


def test_the_inventory_lists_the_drop_offs_for_the_carrier_apart(app, associate):
    take(associate)
    page = text(associate.get("/inventaire/"))
    section = re.search(r'<section class="inventory-deposits".*?</section>', page, re.S).group(0)
    assert "À remettre au livreur" in section and "R-02" in section and "CE800001FR" in section
    assert "Inès Moreau" in section
    customers = re.search(r'<div id="inventory-list">.*?</div>\s*<p class="row">', page, re.S).group(0)
    assert "CE800001FR" not in customers and "Inès Moreau" not in customers
    assert re.search(r"<strong>2</strong><span>à remettre au livreur</span>", page)  # with the demo's of yesterday
    assert "CE800001FR" in associate.get("/inventaire/inventaire.csv").get_data(as_text=True)


def test_no_drop_off_no_section(browser):
    assert "inventory-deposits" not in text(browser().login("associe2").get("/inventaire/"))  # Paris has none


def test_the_screens_cost_the_same_however_long_the_shop_s_history(app, associate, shop_of):
    from .test_cost import counted, sweeps

    take(associate)

    def look():
        with statements(app) as run:
            assert associate.post("/depot/scanner", {"code": SENDING}).status_code == 200
            assert associate.get(f"/depot/colis/{taken_id(app)}").status_code == 200
            assert associate.get("/inventaire/").status_code == 200
        return run

    short = look()
    with app.app_context():  # 1,200 drop-offs long gone with the carrier
        db.session.execute(sa.text(
            "INSERT INTO parcels (network_id, tracking_id, shop_id, recipient_name, recipient_email, description, size,"
            " state, recipient_folded, version, outgoing) SELECT 1, 'H' || n, :shop, 'Ancien', '', '', 'small',"
            " 'dispatched', 'ancien', 1, :yes FROM (WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k"
            " WHERE n < 1200) SELECT n FROM k) AS numbers"), {"shop": shop_of("associe"), "yes": True})
        db.session.commit()
    long = look()
    assert len(counted(long)) == len(counted(short)) and sweeps(app, long) == []


# --- What the review of the counter's steps asked for ----------------------------------------------------------


def test_another_shop_hears_when_and_where_but_never_sees_the_receipt(app, associate, browser):
    take(associate)
    elsewhere = browser().login("associe2")  # Paris, a shop of the same network
    for answer in (elsewhere.post("/depot/scanner", {"code": "CE800001FR"}), elsewhere.get(f"/depot/{RETURN}")):
        page = re.search(r'<section class="card narrow deposit" id="deposit".*?</section>', text(answer), re.S).group(0)
        assert answer.status_code == 409
        assert re.search(r"Déjà déposé le \d\d/\d\d/\d{4} \d\d:\d\d à Tabac-Presse du Marché\.", page)
        assert "Reçu de dépôt" not in page and "Inès Moreau" not in page and "/depot/recu/" not in page


def test_a_take_made_offline_before_the_code_expired_is_taken_when_it_arrives_after(app, associate, clock):
    from .test_offline import replay

    code = announce(app, clock, "EXP0002FR")
    with app.app_context():  # the code expired a minute ago; the associate took the parcel five minutes ago
        db.session.scalar(select(Deposit).where(Deposit.code == code)).expires_at = clock.now() - timedelta(minutes=1)
        db.session.commit()
    associate.client.replay_token = associate.replay_token()
    answer = replay(associate.client, f"/depot/{code}/prendre", {"size": "small"},
                    occurred_at=clock.now() - timedelta(minutes=5))
    assert applied(answer), text(answer)
    facts = deposit_facts(app, code)
    assert facts["state"] == State.DEPOSITED and facts["events"] == [Action.DEPOSIT]


def test_a_shop_label_already_used_refuses_the_take_and_makes_no_parcel(app, associate, clock):
    take(associate)
    with app.app_context():
        db.session.scalar(select(Deposit).where(Deposit.code == RETURN)).shop_label = "PR000001"
        db.session.commit()
    code = announce(app, clock, "LBL0001FR")
    answer = associate.post(f"/depot/{code}/prendre", {"size": "small", "shop_label": "PR000001"}, htmx=True)
    assert answer.status_code == 409 and "Le code-barres PR000001 est déjà sur un autre colis" in text(answer)
    assert deposit_facts(app, code)["parcel_id"] is None


def test_the_offline_bundle_carries_each_announced_drop_off_once_and_what_its_label_names(associate):
    bundle = associate.get("/hors-ligne/paquet").get_json()
    assert set(bundle["deposits"]) == {"DEP-RETURNLUNE", "DEP-ENVPREPAYE"}  # the demo's two still to deposit
    assert bundle["depositLabels"] == {"CE800001FR": "DEP-RETURNLUNE", "CE800002FR": "DEP-ENVPREPAYE"}
    assert "Inès Moreau" in bundle["deposits"]["DEP-RETURNLUNE"]["screen"]
