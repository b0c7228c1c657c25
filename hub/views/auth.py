"""Signing in and out, and choosing the language."""
import functools

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from ..core import clock, devices, signins
from ..core.extensions import db, limiter
from ..core.models import Role, SignInEnd
from ..ops import accounts, pins
from ..rules import devices as device_rules, passwords
from ..rules.errors import DomainError
from ..core.web import render, safe_path
from .pins import counter_signed_in

bp = Blueprint("auth", __name__)

HOME_OF = {Role.ASSOCIATE: "counter.home", Role.CARRIER: "carrier.home", Role.OPERATOR: "admin.home"}


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    # Asked only of a device the network does not know by a name yet (its first sign-in).
    device_name = StringField(_l("Name of this device"))


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"))
    confirmation = PasswordField(_l("The same password again"))


def home_url(account):
    return url_for(HOME_OF[account.role])


def _suggestion():
    return devices.suggested_name() or _("Browser")


def _failed_login(response):
    return response.status_code == 401


def _account_key():
    return "login:" + (request.form.get("username") or "").strip().lower()


def _account_and_address_key():
    return f"{_account_key()}@{request.remote_addr or ''}"


def _address_key():
    return "login-from:" + (request.remote_addr or "")


# Failed sign-ins only are counted. Per account and address: a mistyping associate, or a guesser, stops
# there; the other accounts behind the same shop's address (one NAT for the whole shop) go on. Per account
# from anywhere: a guesser who changes address. Per address, much higher: one address trying many accounts.
@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"], key_func=_account_and_address_key, deduct_when=_failed_login)
@limiter.limit("30 per hour", methods=["POST"], key_func=_account_key, deduct_when=_failed_login)
@limiter.limit("100 per hour", methods=["POST"], key_func=_address_key, deduct_when=_failed_login)
def login():
    """Sign in; a wrong password says so without telling which half was wrong."""
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form, known = LoginForm(), devices.known_device()
    page = functools.partial(render, "auth/login.html", "auth/login.html", form=form,
                             ask_name=known is None or not known.name, suggestion=_suggestion())
    if not form.validate_on_submit():
        return page(status=400 if form.is_submitted() else 200)
    try:
        name = device_rules.device_name(form.device_name.data, _suggestion())
    except DomainError as err:
        return page(refused=err)
    account = accounts.authenticate(form.username.data, form.password.data)
    if account is None:
        return page(status=401, error=_("Wrong username or password."))
    session.clear()
    login_user(account)
    device, now = devices.register_device(account, name), clock.now()
    signins.begin(accounts.start_sign_in(account, device.id, now))
    pins.remember(device, account, now)
    counter_signed_in(device, account, now)
    db.session.commit()
    return redirect(safe_path(request.args.get("next"), home_url(account)), 303)


@bp.get("/appareil-retire")
def device_removed():
    """Where a revoked device learns why (hub/core/revoked.py answers it, and every other request of that
    device); any other browser has nothing to read here."""
    return redirect(url_for("auth.login"), 303)


@bp.post("/deconnexion")
def logout():
    """Sign out (a POST with a CSRF token, so no link can sign anyone out): the sign-in ends, so every copy
    of its cookie and the device's replay token open nothing any more."""
    accounts.end_sign_in(signins.current(), SignInEnd.SIGNED_OUT, clock.now())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."))
    return redirect(url_for("auth.login"), 303)


@bp.post("/langue")
def set_language():
    """Switch the interface language, for this browser and, when signed in, for the account."""
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["locale"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(request.referrer or url_for("auth.login"), 303)


def _password_page(token, form, **context):
    return render("auth/set_password.html", "auth/set_password.html", token=token, form=form,
                  min_length=passwords.MIN_LENGTH, **context)


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
def set_password(token):
    """An invitation or reset link: set the account's password once; an expired or used link says so.

    Not a @command: the link itself is used once, and a second submission is told it was used."""
    # The form reads the posted fields only: a JSON body is not a password form.
    form, now = PasswordForm(formdata=request.form), clock.now()
    try:
        link = accounts.link_for(token, now)
    except DomainError as err:
        return _password_page(token, form, refused=err)
    if not form.validate_on_submit():
        return _password_page(token, form, link=link, status=400 if form.is_submitted() else 200)
    try:
        account = accounts.use_link(token, form.password.data, form.confirmation.data, now)
    except DomainError as err:
        db.session.rollback()
        return _password_page(token, form, link=link, refused=err)
    db.session.commit()
    flash(_("Your password is set. Sign in with %(username)s.", username=account.username))
    return redirect(url_for("auth.login"), 303)
