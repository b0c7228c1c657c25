"""« Horaires d'ouverture »: editing the week and the closures, refusals that change nothing, and where the
hours show (the public shop page, the carrier app)."""
import re
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hub.core.extensions import db
from hub.core.models import Closure, Command, NoticeKind, OpeningRange, OutboxMessage, Parcel, ShopEvent
from hub.ops.holds import HELD
from hub.rules.parcels import State
from hub.rules import deadlines

from ..conftest import text

PARIS = ZoneInfo("Europe/Paris")
HTMX = {"HX-Request": "true"}

LUNCH_BREAK = {"opens-1": ["08:30", "14:00"], "closes-1": ["12:00", "18:30"], "opens-5": ["10:00"], "closes-5": ["13:00"]}



@pytest.fixture
def week_of(app):
    """``week_of(shop_id)``: the saved ranges as (weekday, "HH:MM", "HH:MM"), read afresh."""

    def read(shop_id):
        with app.app_context():
            ranges = db.session.scalars(select(OpeningRange).where(OpeningRange.shop_id == shop_id)
                                        .order_by(OpeningRange.weekday, OpeningRange.opens)).all()
            return [(r.weekday, r.opens.strftime("%H:%M"), r.closes.strftime("%H:%M")) for r in ranges]

    return read


@pytest.fixture
def closures_of(app):
    def read(shop_id):
        with app.app_context():
            return [(c.starts_on, c.ends_on, c.reason) for c in
                    db.session.scalars(select(Closure).where(Closure.shop_id == shop_id).order_by(Closure.starts_on))]

    return read


@pytest.fixture
def today(clock):
    return deadlines.local_date(clock.now(), "Europe/Paris")


def set_clock_to(clock, local):
    """Move the server's clock to a local Paris wall-clock time."""
    clock.advance(local.replace(tzinfo=PARIS) - clock.now())


def next_weekday(today, weekday, at):
    day = today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    return datetime.combine(day, at)


# --- The week --------------------------------------------------------------------------------------


def test_the_hours_screen_shows_the_saved_week_as_time_fields(associate):
    page = text(associate.get("/horaires/"))
    assert "<legend>Lundi</legend>" in page and "<legend>Dimanche</legend>" in page
    assert re.findall(r'name="opens-1" value="([^"]*)"', page) == ["09:00", "14:00"]
    assert re.findall(r'name="closes-1" value="([^"]*)"', page) == ["12:30", "19:00"]
    assert 'type="time"' in page
    assert re.findall(r'name="opens-6"', page) == []  # Sunday: closed


def test_a_week_with_a_lunch_break_is_saved(app, associate, shop_of, week_of, count):
    shop = shop_of("associe")
    response = associate.post("/horaires/", LUNCH_BREAK)
    assert response.status_code == 200
    assert "Horaires enregistrés." in text(response) and "<html" not in text(response)
    assert week_of(shop) == [(1, "08:30", "12:00"), (1, "14:00", "18:30"), (5, "10:00", "13:00")]
    assert count(ShopEvent, shop_id=shop, kind="hours") == 1


def test_a_plain_form_save_redirects_to_the_hours_with_a_message(associate, shop_of, week_of):
    response = associate.post("/horaires/", LUNCH_BREAK, htmx=False)
    assert response.status_code == 303 and response.headers["Location"].endswith("/horaires/")
    assert "Horaires enregistrés." in text(associate.get("/horaires/"))
    assert week_of(shop_of("associe"))[0] == (1, "08:30", "12:00")


def test_saving_the_same_command_twice_applies_it_once(associate, shop_of, count):
    key = str(uuid.uuid4())
    first = associate.post("/horaires/", LUNCH_BREAK, key=key)
    again = associate.post("/horaires/", LUNCH_BREAK, key=key)
    assert again.headers.get("Idempotent-Replayed") == "true" and text(again) == text(first)
    assert count(ShopEvent, shop_id=shop_of("associe"), kind="hours") == 1


def test_an_empty_week_closes_every_day(associate, shop_of, week_of):
    assert associate.post("/horaires/", {}).status_code == 200
    assert week_of(shop_of("associe")) == []


REFUSALS = [
    ({"opens-2": ["09:00", "11:00"], "closes-2": ["12:00", "14:00"]},
     "Le mercredi, les plages 09:00–12:00 et 11:00–14:00 se chevauchent."),
    ({"opens-0": ["18:00"], "closes-0": ["09:00"]}, "Le lundi, la plage 18:00–09:00 se termine avant de commencer."),
    ({"opens-0": ["09:00"], "closes-0": ["09:00"]}, "Le lundi, la plage 09:00–09:00 se termine avant de commencer."),
    ({"opens-3": ["09:00"], "closes-3": [""]}, "Le jeudi, une plage doit avoir une heure d'ouverture et une heure de fermeture."),
    ({"opens-4": ["25:00"], "closes-4": ["26:00"]}, "« 25:00 » n'est pas une heure. Écrivez-la comme 09:30."),
    ({"opens-6": [f"{h:02d}:00" for h in range(7)], "closes-6": [f"{h:02d}:30" for h in range(7)]},
     "Le dimanche, il peut y avoir au plus 6 plages."),
]


@pytest.mark.parametrize("form, message", REFUSALS)
def test_a_bad_week_is_refused_in_french_and_nothing_changes(associate, shop_of, week_of, count, form, message):
    shop = shop_of("associe")
    before = week_of(shop)
    key = str(uuid.uuid4())
    response = associate.post("/horaires/", dict(LUNCH_BREAK, **form), key=key)
    assert response.status_code == 422
    assert message in text(response) and 'role="alert"' in text(response)
    assert week_of(shop) == before
    assert count(ShopEvent, shop_id=shop) == 0 and count(Command, id=key) == 0


def test_a_refused_week_comes_back_as_typed_so_it_can_be_corrected(associate):
    body = text(associate.post("/horaires/", {"opens-0": ["18:00"], "closes-0": ["09:00"]}))
    assert re.findall(r'name="opens-0" value="([^"]*)"', body) == ["18:00"]


def test_a_blank_range_row_is_fetched_to_add_a_range(associate):
    body = text(associate.get("/horaires/plage/3", headers=HTMX))
    assert 'name="opens-3" value=""' in body and 'name="closes-3" value=""' in body
    assert associate.get("/horaires/plage/7").status_code == 404


def test_without_javascript_add_gives_a_blank_row_and_saves_nothing(associate, shop_of, week_of):
    before = week_of(shop_of("associe"))
    body = text(associate.post("/horaires/", dict(LUNCH_BREAK, add="5"), htmx=False))
    assert re.findall(r'name="opens-5" value="([^"]*)"', body) == ["10:00", ""]
    assert re.findall(r'name="opens-1" value="([^"]*)"', body) == ["08:30", "14:00"]
    assert week_of(shop_of("associe")) == before


def test_without_javascript_remove_drops_that_row_and_saves_nothing(associate, shop_of, week_of):
    before = week_of(shop_of("associe"))
    body = text(associate.post("/horaires/", dict(LUNCH_BREAK, remove="1-0"), htmx=False))
    assert re.findall(r'name="opens-1" value="([^"]*)"', body) == ["14:00"]
    assert week_of(shop_of("associe")) == before


def test_saving_my_hours_never_touches_another_shops(associate, shop_of, week_of):
    other = shop_of("associe2")
    before = week_of(other)
    associate.post("/horaires/", LUNCH_BREAK)
    assert week_of(other) == before


@pytest.mark.parametrize("username", ["livreur", "admin"])
def test_only_an_associate_saves_hours(browser, demo_data, shop_of, week_of, username):
    before = week_of(shop_of("associe"))
    assert browser().login(username).post("/horaires/", LUNCH_BREAK).status_code == 403
    assert week_of(shop_of("associe")) == before


# --- Closures --------------------------------------------------------------------------------------


def add(browser, start, end, reason="", **kwargs):
    return browser.post("/horaires/fermetures", {"starts_on": start.isoformat(), "ends_on": end.isoformat(),
                                                 "reason": reason}, **kwargs)


def test_a_closure_is_added_and_listed(associate, shop_of, closures_of, today, count):
    start = today + timedelta(days=10)
    response = add(associate, start, start + timedelta(days=1), "Inventaire annuel")
    body = text(response)
    assert response.status_code == 200 and "Fermeture ajoutée." in body and "Inventaire annuel" in body
    assert closures_of(shop_of("associe")) == [(start, start + timedelta(days=1), "Inventaire annuel")]
    assert count(ShopEvent, shop_id=shop_of("associe"), kind="closure_added") == 1
    assert "plus de 7 jours" not in body.split("</ul>")[0]


def test_a_closure_typed_the_french_way_is_understood(associate, shop_of, closures_of, today):
    start = today + timedelta(days=3)
    associate.post("/horaires/fermetures", {"starts_on": start.strftime("%d/%m/%Y"), "ends_on": start.strftime("%d/%m/%Y")})
    assert closures_of(shop_of("associe"))[0][:2] == (start, start)


def test_a_closure_over_seven_days_is_kept_but_suggests_deactivating_the_shop(associate, shop_of, closures_of, today):
    response = add(associate, today + timedelta(days=1), today + timedelta(days=8))
    assert response.status_code == 200
    assert "demandez à votre réseau de désactiver le point relais pendant votre absence" in text(response)
    assert len(closures_of(shop_of("associe"))) == 1


def test_the_plain_form_closure_redirects_and_still_warns_of_a_long_one(associate, today):
    response = add(associate, today + timedelta(days=1), today + timedelta(days=20), htmx=False)
    assert response.status_code == 303
    page = text(associate.get(response.headers["Location"]))
    assert "Fermeture ajoutée." in page and "pendant votre absence" in page


@pytest.mark.parametrize("start, end, message", [
    (5, 4, "avant de commencer"),
    (-5, -2, "Cette fermeture est déjà passée"),
    (0, 400, "Une fermeture ne peut pas durer plus de 366 jours"),
    (12, 13, "Cette fermeture chevauche celle du"),
])
def test_a_bad_closure_is_refused_in_french_and_nothing_changes(associate, shop_of, closures_of, today, count,
                                                                 start, end, message):
    shop = shop_of("associe")
    add(associate, today + timedelta(days=10), today + timedelta(days=12))
    before = closures_of(shop)
    response = add(associate, today + timedelta(days=start), today + timedelta(days=end))
    assert response.status_code == 422 and message in text(response)
    assert closures_of(shop) == before
    assert count(ShopEvent, shop_id=shop, kind="closure_added") == 1


@pytest.mark.parametrize("field", ["starts_on", "ends_on"])
@pytest.mark.parametrize("value, message", [("", "Indiquez le premier et le dernier jour de la fermeture."),
                                            ("bientôt", "« bientôt » n'est pas une date."),
                                            ("2026-02-30", "« 2026-02-30 » n'est pas une date.")])
def test_a_closure_date_that_is_not_a_date_is_refused(associate, shop_of, closures_of, today, field, value, message):
    form = {"starts_on": today.isoformat(), "ends_on": today.isoformat(), field: value}
    response = associate.post("/horaires/fermetures", form)
    assert response.status_code == 422 and message in text(response)
    assert closures_of(shop_of("associe")) == []


def test_thirty_closures_is_the_most_and_the_thirty_first_is_refused(app, associate, shop_of, closures_of, today):
    shop = shop_of("associe")
    with app.app_context():
        for n in range(30):
            day = today + timedelta(days=2 * n + 1)
            db.session.add(Closure(shop_id=shop, starts_on=day, ends_on=day))
        db.session.commit()
    response = add(associate, today + timedelta(days=200), today + timedelta(days=200))
    assert response.status_code == 422
    assert "30 fermetures exceptionnelles au plus peuvent être prévues" in text(response)
    assert len(closures_of(shop)) == 30


def test_past_closures_do_not_count_against_the_thirty(app, associate, shop_of, closures_of, today):
    shop = shop_of("associe")
    with app.app_context():
        for n in range(30):
            day = today - timedelta(days=2 * n + 1)
            db.session.add(Closure(shop_id=shop, starts_on=day, ends_on=day))
        db.session.commit()
    assert add(associate, today, today).status_code == 200
    assert len(closures_of(shop)) == 31


def test_a_closure_is_removed(app, associate, shop_of, closures_of, today, count):
    add(associate, today + timedelta(days=2), today + timedelta(days=3))
    with app.app_context():
        closure_id = db.session.scalar(select(Closure.id))
    response = associate.post(f"/horaires/fermetures/{closure_id}/supprimer")
    assert response.status_code == 200 and "Fermeture supprimée." in text(response)
    assert closures_of(shop_of("associe")) == []
    assert count(ShopEvent, kind="closure_removed") == 1


def test_removing_a_closure_asks_first(app, associate, today):
    add(associate, today + timedelta(days=2), today + timedelta(days=3))
    page = text(associate.get("/horaires/"))
    question = page.index("Supprimer cette fermeture ?")
    assert page.rindex('<details class="confirm-step">', 0, question) > page.rindex("</details>", 0, question)
    assert page.index("/supprimer", question) < page.index("</details>", question)  # the command is behind the question


def test_a_one_day_closure_names_its_day_once_and_the_form_says_customers_see_the_reason(app, associate, shop_of, today):
    day = today + timedelta(days=2)
    add(associate, day, day)
    add(associate, day + timedelta(days=3), day + timedelta(days=5))
    page = text(associate.get("/horaires/"))
    public = text(associate.get(f"/points/{shop_of('associe')}"))
    for html in (page, public):
        assert re.search(r"Le \w+\. \d+ \w+\.? \d{4}<", html), html
        assert re.search(r"Du \w+\. \d+ \w+\.? \d{4} au \w+\. \d+ \w+\.? \d{4}", html)
        assert not re.search(r"Du (\S+ \d+ \S+ \d{4}) au \1", html)
    assert "Les clients et les livreurs voient le motif" in page


def test_another_shops_closure_cannot_be_removed(app, associate, shop_of, closures_of, today):
    other = shop_of("associe2")
    with app.app_context():
        closure = Closure(shop_id=other, starts_on=today + timedelta(days=1), ends_on=today + timedelta(days=1))
        db.session.add(closure)
        db.session.commit()
        closure_id = closure.id
    assert associate.post(f"/horaires/fermetures/{closure_id}/supprimer").status_code == 404
    assert len(closures_of(other)) == 1


def test_the_hours_screen_lists_only_my_closures_not_over_yet(app, associate, shop_of, today):
    with app.app_context():
        db.session.add(Closure(shop_id=shop_of("associe"), starts_on=today - timedelta(days=9),
                               ends_on=today - timedelta(days=8), reason="Passée"))
        db.session.add(Closure(shop_id=shop_of("associe2"), starts_on=today, ends_on=today, reason="Chez l'autre"))
        db.session.commit()
    page = text(associate.get("/horaires/"))
    assert "Passée" not in page and "Chez l" not in page and "Aucune fermeture prévue." in page


# --- Where the hours show --------------------------------------------------------------------------


def test_the_public_shop_page_needs_no_sign_in_and_shows_the_week(browser, shop_of):
    response = browser().get(f"/points/{shop_of('associe')}")
    page = text(response)
    assert response.status_code == 200
    assert "Tabac-Presse du Marché" in page and "12 place du Marché" in page and "69001 Lyon" in page
    assert re.search(r"Mardi</th>\s*<td>09:00–12:30, 14:00–19:00</td>", page)
    assert re.search(r"Dimanche</th>\s*<td>Fermé</td>", page)


def test_an_unknown_shop_page_answers_404(browser, demo_data):
    assert browser().get("/points/999999").status_code == 404


@pytest.mark.parametrize("weekday, at, said", [
    (1, time(10), "Ouvert maintenant</span> jusqu'à 12:30"),
    (1, time(13), "Fermé, ouvre aujourd'hui à 14:00"),
    (1, time(20), "Fermé, ouvre demain à 09:00"),
    (6, time(10), "Fermé, ouvre demain à 14:00"),
    (5, time(20), "Fermé, ouvre lundi à 14:00"),
])
def test_the_shop_page_says_open_now_or_when_it_opens_in_the_shops_time(browser, shop_of, clock, today,
                                                                         weekday, at, said):
    set_clock_to(clock, next_weekday(today, weekday, at))
    assert said in text(browser().get(f"/points/{shop_of('associe')}"))


def test_the_shop_page_counts_a_closure_when_saying_when_it_opens(app, browser, shop_of, clock, today):
    tuesday = next_weekday(today, 1, time(8))
    with app.app_context():
        db.session.add(Closure(shop_id=shop_of("associe"), starts_on=tuesday.date(),
                               ends_on=tuesday.date() + timedelta(days=1), reason="Congés"))
        db.session.commit()
    set_clock_to(clock, tuesday)
    page = text(browser().get(f"/points/{shop_of('associe')}"))
    assert "Fermeture exceptionnelle aujourd'hui" in page
    assert "Fermé, ouvre jeudi à 09:00" in page
    assert "Congés" in page


def test_the_shop_page_is_in_the_shops_time_zone_not_the_servers(app, browser, make_shop, clock, today):
    shop = make_shop(name="Comptoir de Nouméa", timezone="Pacific/Noumea")
    with app.app_context():
        db.session.add_all([OpeningRange(shop_id=shop, weekday=d, opens=time(8), closes=time(17)) for d in range(7)])
        db.session.commit()
    noumea_noon = datetime.combine(today + timedelta(days=1), time(12), tzinfo=ZoneInfo("Pacific/Noumea"))
    clock.advance(noumea_noon - clock.now())  # 02:00 in Paris: Lyon is closed, Nouméa is open
    assert "Ouvert maintenant</span> jusqu'à 17:00" in text(browser().get(f"/points/{shop}"))


def test_the_carrier_app_shows_each_shops_hours_today(browser, demo_data, clock, today):
    set_clock_to(clock, next_weekday(today, 1, time(10)))
    page = text(browser().login("livreur").get("/livreur/"))
    assert "Aujourd'hui : 09:00–12:30, 14:00–19:00" in page
    assert "Ouvert maintenant" in page


def test_the_carrier_app_says_a_shop_is_closed_today(browser, demo_data, clock, today):
    set_clock_to(clock, next_weekday(today, 6, time(10)))
    page = text(browser().login("livreur").get("/livreur/"))
    assert "Fermé aujourd'hui" in page and "Fermé, ouvre demain à 14:00" in page


def test_the_saved_hours_show_on_the_public_page(associate, browser, shop_of):
    associate.post("/horaires/", LUNCH_BREAK)
    page = text(browser().get(f"/points/{shop_of('associe')}"))
    assert re.search(r"Mardi</th>\s*<td>08:30–12:00, 14:00–18:30</td>", page)
    assert re.search(r"Lundi</th>\s*<td>Fermé</td>", page)


def test_a_closure_over_parcels_last_days_says_how_many_it_concerns_and_tells_their_customers(app, associate,
                                                                                               shop_of, count):
    with app.app_context():
        held = db.session.scalars(select(Parcel).where(Parcel.shop_id == shop_of("associe"),
                                                       Parcel.state.in_(HELD))).all()  # not found: may be found again
        last = max(p.last_day for p in held if p.state == State.AT_STORE)
        concerned = sum(1 for p in held if p.last_day >= last)
    response = add(associate, last, last)
    assert response.status_code == 200
    assert f"Cela concerne {concerned} colis" in text(response)
    assert count(OutboxMessage, kind=NoticeKind.DEADLINE_MOVED) >= 1
    with app.app_context():
        # The held ones move past the closure; a parcel rejected by its customer goes back, whatever its day.
        moved = db.session.scalars(select(Parcel).where(Parcel.shop_id == shop_of("associe"), Parcel.state.in_(HELD),
                                                        Parcel.last_day >= last)).all()
        assert moved and all(p.last_day > last for p in moved)
