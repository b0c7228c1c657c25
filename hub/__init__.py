"""Comptoir: the counter app of a parcel pickup point."""
import os
import secrets

from flask import Flask, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from .core import config as config_module
from .core import logs, problems
from .core.extensions import babel, compress, csrf, db, limiter, login_manager, migrate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATIC_KEPT = 365 * 24 * 3600


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, left out of static files' answers: no cookie, no ``Vary: Cookie``, so
    the browser's one copy of a file serves the page and the service worker's precache alike."""

    def save_session(self, app, session, response):
        if request.endpoint != "static":
            super().save_session(app, session, response)


class Comptoir(Flask):
    session_interface = SessionInterface()

    def log_exception(self, exc_info):
        """Flask's own line names the path, where notice tokens and pickup tickets travel: ours does not."""
        logs.error(exc_info)

    def get_send_file_max_age(self, filename):
        """A static file asked for under its revision (``?v=``, hub/offline/worker.py) never changes: kept a
        year; without one, checked each time."""
        from .offline.worker import current_revision

        return STATIC_KEPT if request.args.get("v") == current_revision(filename) else None


def create_app(config_name=None, instance_path=None, **overrides):
    """Build the app for ``config_name`` (or COMPTOIR_ENV), with optional setting overrides."""
    app = Comptoir(
        __name__,
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
        instance_path=instance_path or os.path.join(ROOT, "instance"),
    )
    app.config.from_object(config_module.load(config_name))
    app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config["SECRET_KEY"] = _secret_key(app)
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # Behind a router (the Procfile's platform, nginx): the client's address and scheme come from
        # X-Forwarded-*; without this every customer shares the router's address in the rate limits.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    _init_extensions(app)
    _register_blueprints(app)
    _register_errors(app)
    return app


def _secret_key(app):
    """The key that signs sessions and tokens. Given, it is used (never the tests' published one outside the
    tests). Otherwise production refuses to start (servers that share a database must share their key), and
    development makes a random one, kept in instance/secret_key so sign-ins outlive a restart."""
    given = app.config.get("SECRET_KEY")
    if given and (given != config_module.TESTING_SECRET or app.testing):
        return given
    if not app.config["DEMO_DATA"] or app.testing:
        raise RuntimeError("Set SECRET_KEY: production refuses to start without a secret key of its own.")
    return _kept_secret(os.path.join(app.instance_path, config_module.SECRET_FILE))


def _kept_secret(path):
    try:  # created once, readable by its owner alone; a second process starting at once reads the first's
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path) as f:
            return f.read().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32))
    with open(path) as f:
        return f.read().strip()


def _init_extensions(app):
    from .core import devices, headers, i18n, replay, revoked, web

    logs.register(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "hub", "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    app.config.setdefault("COMPRESS_CACHE_BACKEND", web.CompressedStatic)
    app.config.setdefault("COMPRESS_CACHE_KEY", web.static_cache_key)
    compress.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   default_translation_directories=os.path.join(ROOT, "translations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    devices.register(app)
    replay.register(app)
    revoked.register(app)
    i18n.register(app)
    web.register(app)
    headers.register(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _register_blueprints(app):
    from .views import admin, auth, blocking, capacity, carrier, counter, dropoff, expected, help, hours
    from . import cli
    from .core import clock
    from .views import devices as device_views, integrations, inventory, network, notice, people, pickup, pins
    from .views import deposit, returns, scan, shop_page
    from . import api, offline

    for module in (auth, counter, dropoff, notice, carrier, admin, help, cli, inventory, expected, hours, capacity,
                   shop_page, pickup, returns, scan, offline, integrations, people, device_views, network, pins,
                   deposit):
        app.register_blueprint(module.bp)
    offline.register(app)
    api.register(app)
    if app.config["MOVABLE_CLOCK"]:
        app.register_blueprint(clock.bp)
    pins.register(app)  # before the overdue-task block: a counter left unused first asks who is at it
    blocking.register(app)


def _too_many(error):
    """A rate limit: say how long the wait is at most, in minutes."""
    from .core.web import limit_wait

    seconds, minutes = limit_wait(error)
    if problems.wanted():
        return problems.response(429, _("Too many requests: wait %(seconds)d seconds.", seconds=seconds),
                                 headers={"Retry-After": str(seconds)})
    return render_template("error.html", error=error, wait_minutes=minutes), 429


def _register_errors(app):
    from flask_wtf.csrf import CSRFError

    def page(template, status):
        def handler(error):
            if status >= 500:
                db.session.rollback()  # what failed halfway is not committed, nor read back by the page
            if problems.wanted():  # a path of the API that no view answers, or a failure in one
                return problems.response(status, getattr(error, "description", None))
            return render_template(template, error=error), status

        return handler

    for status in (400, 403, 404, 405, 409, 413, 422, 500, 503):
        app.register_error_handler(status, page("error.html", status))
    app.register_error_handler(429, _too_many)
    app.register_error_handler(CSRFError, page("error.html", 400))
