"""Configuration from environment variables, one class per way of running."""
import os

DEFAULT_SECRET = "dev-only-not-secret"


def _database_url(default):
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs say postgres://; SQLAlchemy wants a driver name.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET)
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite:///" + os.path.abspath("instance/comptoir.db"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ["fr", "en"]
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: a counter stays open all day
    WTF_CSRF_CHECK_DEFAULT = False  # hub.core.replay checks it, on every form and HTMX request
    DEMO_DATA = False
    MOVABLE_CLOCK = False  # only the testing configuration may move the server's clock
    SUPPORT_PHONE = os.environ.get("SUPPORT_PHONE", "01 23 45 67 89")
    # Names the deployed release (a commit id, say): a new one changes the service worker, so the
    # counters are offered the update even when no precached file changed.
    RELEASE = os.environ.get("COMPTOIR_RELEASE", "")
    # Answers are compressed (Flask-Compress: Brotli, else gzip). A static file's compressed bytes are kept
    # (hub.core.web.CompressedStatic): it changes only with a deploy, and its address names its revision.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                          "application/manifest+json", "image/svg+xml", "application/wasm", "text/plain"]
    COMPRESS_MIN_SIZE = 300
    # How many proxies stand in front of the app (1 behind a platform router); 0 serves directly.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))


class DevelopmentConfig(Config):
    DEMO_DATA = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = os.environ.get("SECRET_KEY", "testing-secret")
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite:///" + os.path.abspath("instance/testing.db"))
    DEMO_DATA = True
    MOVABLE_CLOCK = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load(name=None):
    """The configuration class named by ``name`` or ``COMPTOIR_ENV`` (production by default)."""
    name = name or os.environ.get("COMPTOIR_ENV", "production")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"COMPTOIR_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
