"""How customers and carriers see a shop: the public page /points/<id>, and the template helpers behind
the partials ``shop/_hours.html`` and ``shop/_status.html`` (open now, or when it opens next),
computed in the shop's own time zone."""
from babel.dates import format_date
from flask import Blueprint
from flask_babel import get_locale
from flask_babel import gettext as _

from ..core import clock
from ..core.extensions import db
from ..core.i18n import local_date, local_time
from ..core.models import Shop
from ..ops.queries import opening
from ..rules import deadlines
from ..rules import hours as rules
from ..core.web import render

bp = Blueprint("shop_page", __name__)


@bp.get("/points/<int:shop_id>")
def show(shop_id):
    """The shop's public page: address, hours, closures, open now or when it opens. No sign-in."""
    shop = db.get_or_404(Shop, shop_id)
    return render("shop/public.html", "shop/public.html", shop=shop)


def _day_label(day, today):
    """« aujourd'hui », « demain », « lundi », or « lundi 12 mars » beyond a week."""
    delta = (day - today).days
    if delta == 0:
        return _("today")
    if delta == 1:
        return _("tomorrow")
    return format_date(day, "EEEE" if delta < 7 else "EEEE d MMMM", locale=get_locale())


def _ranges_text(ranges):
    return ", ".join(f"{rules.hhmm(r.opens)}–{rules.hhmm(r.closes)}" for r in ranges)


@bp.app_template_global()
def shop_opening(shop):
    """What the status line of a shop says now: open until when, or when it opens next."""
    state = opening(shop, clock.now())
    opens_on = state.opens_at and deadlines.local_date(state.opens_at, shop.timezone)
    return dict(open=state.open, until=local_time(state.closes_at, shop.timezone),
                opens_day=opens_on and _day_label(opens_on, state.today),
                opens_time=local_time(state.opens_at, shop.timezone), today_hours=_ranges_text(state.today_ranges),
                closed_today=state.closed_today, weekday=state.today.weekday())


@bp.app_template_global()
def shop_week(shop):
    """[(weekday name, [ranges])], Monday first."""
    return [(_(name), [r for r in shop.ranges if r.weekday == day]) for day, name in enumerate(rules.WEEKDAYS)]


@bp.app_template_global()
def closure_dates(closure):
    """« Le lun. 18 janv. 2027 » for one day, « Du lun. 18 janv. au mer. 20 janv. 2027 » for several."""
    def day(d):
        return local_date(d, None, "EEE d MMM y")
    if closure.starts_on == closure.ends_on:
        return _("On %(day)s", day=day(closure.starts_on))
    return _("From %(start)s to %(end)s", start=day(closure.starts_on), end=day(closure.ends_on))


@bp.app_template_global()
def shop_closures(shop, limit=10):
    """The shop's closures that are not over yet, soonest first."""
    today = deadlines.local_date(clock.now(), shop.timezone)
    return [c for c in shop.closures if c.ends_on >= today][:limit]
