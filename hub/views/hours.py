"""« Horaires d'ouverture »: the weekly ranges and exceptional closures the associate keeps up to date
(customers and carriers read them through hub/shop_page.py).

The week is edited as one form, a row per range. With JavaScript, « add a range » fetches a blank row
and « remove » drops the row in place; without it, both buttons post the form, which comes back with
the row added or removed and nothing saved until « Save the hours ».
"""
from itertools import zip_longest

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..core import clock
from ..core.commands import command
from ..core.models import Closure
from ..ops import shop as ops
from ..rules import deadlines
from ..rules import hours as rules
from ..rules.errors import DomainError
from ..core.web import actor, associate_required, done, in_my_shop_or_404, render

bp = Blueprint("hours", __name__)


def _today(shop):
    return deadlines.local_date(clock.now(), shop.timezone)


def _saved_week(shop):
    """The saved ranges as the form shows them: {weekday: [(opens, closes)]}."""
    week = {day: [] for day in range(7)}
    for r in shop.ranges:
        week[r.weekday].append((rules.hhmm(r.opens), rules.hhmm(r.closes)))
    return week


def _posted_rows():
    form = request.form
    return [(day, opens, closes) for day in range(7)
            for opens, closes in zip_longest(form.getlist(f"opens-{day}"), form.getlist(f"closes-{day}"), fillvalue="")]


def _posted_week(rows):
    week = {day: [] for day in range(7)}
    for day, opens, closes in rows:
        week[day].append((opens, closes))
    return week


def _week_page(week, status=200, **extra):
    return render("hours/edit.html", "hours/_week.html", status=status, week=week, weekdays=rules.WEEKDAYS, **extra)


def _closures_context(shop, **extra):
    today = _today(shop)
    return dict(shop=shop, closures=[c for c in shop.closures if c.ends_on >= today], today=today,
                max_closures=rules.MAX_ACTIVE_CLOSURES, long_days=rules.LONG_CLOSURE_DAYS, **extra)


@bp.get("/horaires/")
@associate_required
def edit():
    """The week's opening ranges and the exceptional closures, editable on a phone."""
    shop = current_user.shop
    return _week_page(_saved_week(shop), **_closures_context(shop, long_closure=bool(request.args.get("longue"))))


@bp.get("/horaires/plage/<int:day>")
@associate_required
def new_range(day):
    """A blank range row for ``day``, added to the form in place."""
    if day not in range(7):
        abort(404)
    return render("hours/_range.html", "hours/_range.html", day=day, opens="", closes="", index="new")


def _edited_week(rows):
    """The week with the row asked for added or removed (the no-JavaScript way); nothing is saved."""
    week = _posted_week(rows)
    day, _sep, index = request.form.get("remove", "").partition("-")
    if day.isdigit() and index.isdigit() and int(day) in week and int(index) < len(week[int(day)]):
        week[int(day)].pop(int(index))
    added = request.form.get("add", "")
    if added.isdigit() and int(added) in week:
        week[int(added)].append(("", ""))
    return week


@bp.post("/horaires/")
@associate_required
@command
def save_week():
    """Save the week's ranges, all or nothing: a problem is named and nothing changes."""
    shop, rows = current_user.shop, _posted_rows()
    if "add" in request.form or "remove" in request.form:
        return _week_page(_edited_week(rows), **_closures_context(shop))
    try:
        _week, moved = ops.set_week(shop, rows, actor())
    except DomainError as err:
        return _week_page(_posted_week(rows), refused=err, refused_as="week_error", **_closures_context(shop))
    return done(url_for("hours.edit"), " ".join([_("Opening hours saved."), _moved_message(moved)]).strip(),
                lambda: _week_page(_saved_week(shop), saved=True, moved=moved, **_closures_context(shop)))


def _closures_page(shop, status=200, **extra):
    return render("hours/edit.html", "hours/_closures.html", status=status, week=_saved_week(shop),
                  weekdays=rules.WEEKDAYS, **_closures_context(shop, **extra))


@bp.post("/horaires/fermetures")
@associate_required
@command
def add_closure():
    """A dated exceptional closure; over 7 days, suggest asking the network to deactivate the shop."""
    shop, form = current_user.shop, request.form
    try:
        closure, moved = ops.add_closure(shop, rules.parse_date(form.get("starts_on")),
                                         rules.parse_date(form.get("ends_on")), form.get("reason", ""), actor(),
                                         _today(shop))
    except DomainError as err:
        return _closures_page(shop, refused=err, refused_as="closure_error", form=form)
    long_closure = rules.is_long(rules.Span(closure.starts_on, closure.ends_on))
    return done(url_for("hours.edit", longue=1 if long_closure else None, _anchor="closures"),
                " ".join([_("Closure added."), _moved_message(moved)]).strip(),
                lambda: _closures_page(shop, added=closure, long_closure=long_closure, moved=moved))


def _moved_message(moved):
    """How many parcels a change of opening days concerns (their last pickup day moved, customers told)."""
    if not moved:
        return ""
    return ngettext("It concerns %(num)d parcel: its last pickup day moves and its customer is told.",
                    "It concerns %(num)d parcels: their last pickup day moves and their customers are told.",
                    len(moved))


@bp.post("/horaires/fermetures/<int:closure_id>/supprimer")
@associate_required
@command
def remove_closure(closure_id):
    """Remove a closure: the shop opens on those days after all."""
    closure = in_my_shop_or_404(Closure, closure_id)
    shop = closure.shop
    moved = ops.remove_closure(closure, actor())
    return done(url_for("hours.edit", _anchor="closures"), " ".join([_("Closure removed."), _moved_message(moved)]).strip(),
                lambda: _closures_page(shop, removed=True, moved=moved))
