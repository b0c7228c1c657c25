"""Language and time: the account's language, else the browser's; times in the shop's time zone."""
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from flask import current_app, g, has_app_context, request, session
from flask_babel import Domain, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from . import clock


def select_locale():
    """The account's choice, else the one picked on the login page, else Accept-Language, else French."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def _tz(tz):
    return ZoneInfo(tz or current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_datetime(dt, tz=None, fmt="medium"):
    """« 26 nov. 2026, 14:05 » in the shop's zone and the user's language."""
    return format_datetime(dt.astimezone(_tz(tz)), fmt, locale=get_locale()) if dt else ""


def local_time(dt, tz=None):
    return format_time(dt.astimezone(_tz(tz)), "HH:mm", locale=get_locale()) if dt else ""


def local_date(value, tz=None, fmt="long"):
    """A date (or the local date of an instant) the user's way: « 3 décembre 2026 »."""
    if value is None:
        return ""
    if hasattr(value, "astimezone") and hasattr(value, "hour"):
        value = value.astimezone(_tz(tz)).date()
    return format_date(value, fmt, locale=get_locale())


def local_when(dt, tz=None):
    """An instant the way people say it at a counter: « aujourd'hui à 11:00 », « demain à 09:00 », « jeu. 3 déc. à 11:00 »."""
    if dt is None:
        return ""
    zone = _tz(tz)
    local, today = dt.astimezone(zone), clock.now().astimezone(zone).date()
    time_text = format_time(local, "HH:mm", locale=get_locale())
    if local.date() == today:
        return _("today at %(time)s", time=time_text)
    if (local.date() - today).days == 1:
        return _("tomorrow at %(time)s", time=time_text)
    return _("%(day)s at %(time)s", day=format_date(local.date(), "EEE d MMM", locale=get_locale()), time=time_text)


def wall_time(value):
    """A wall-clock time of day (opening hours), « 08:30 »."""
    return value.strftime("%H:%M") if value else ""


# French typography: « and » keep their words with a non-breaking space, so that a line never starts with
# an orphaned « » ».
NO_BREAK = (("« ", "«\u00a0"), (" »", "\u00a0»"))


def french_spacing(text):
    for plain, kept in NO_BREAK:
        text = text.replace(plain, kept)
    return text


class Typography(Domain):
    """The catalogue as Flask-Babel loads it, the French one with its spacing done once, when it is loaded.

    A request finds its catalogue once for its language: Flask-Babel would look it up again for every
    string, and a screen has fifty (a tenth of a scan's time went there)."""

    def get_translations(self):
        locale = get_locale()
        held = g.get("_catalogue") if locale is not None and has_app_context() else None
        if held is not None and held[0] is locale:
            return held[1]
        translations = super().get_translations()
        if str(locale) == "fr" and not getattr(translations, "spaced", False):
            translations._catalog = {key: french_spacing(value) if isinstance(value, str) else value
                                     for key, value in translations._catalog.items()}
            translations.spaced = True
        if locale is not None:
            g._catalogue = (locale, translations)  # another language (a refresh, force_locale) looks again
        return translations


def register(app):
    domain = app.extensions["babel"].instance.domain_instance = Typography(domain=app.extensions["babel"].default_domain)
    # The templates' strings go to the catalogue straight (Flask-Babel's own callables look up its domain first).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.add_template_filter(local_datetime)
    app.add_template_filter(local_time)
    app.add_template_filter(local_date)
    app.add_template_filter(wall_time)
    app.add_template_filter(local_when)
