"""Configuration from environment variables, one class per way of running."""
import os

# Published with the code, so it signs nothing but the tests' cookies (create_app refuses it elsewhere).
TESTING_SECRET = "testing-only-not-secret"
SECRET_FILE = "secret_key"


def _database_url(default):
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs say postgres://; SQLAlchemy wants a driver name.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    # Given, or (development) a random one kept in instance/secret_key; production refuses to start without.
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite:///" + os.path.abspath("instance/comptoir.db"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ["fr", "en"]
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # No form of the app comes near this: a larger body is refused (413) before it is read.
    MAX_CONTENT_LENGTH = 1024 * 1024
    HSTS_SECONDS = 0  # Strict-Transport-Security: production only, where the app is served over https
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
    COMPRESS_BR_LEVEL = 5  # pages and fragments: 5 % smaller than Flask-Compress's 4, for 0.06 ms more a page
    # How many proxies stand in front of the app (1 behind a platform router); 0 serves directly.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # The API for the network's systems (hub/api).
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600 per minute")
    API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_BYTES", str(256 * 1024)))
    # The address customers reach the app at, for the links in their notices (https://comptoir.example).
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "")
    # Customer notices: e-mail through SMTP, text messages through one HTTP provider (hub/worker/transports.py).
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_TLS = os.environ.get("SMTP_TLS", "starttls")  # starttls, ssl or none
    MAIL_FROM = os.environ.get("MAIL_FROM", "Comptoir <avis@comptoir.example>")
    SMS_URL = os.environ.get("SMS_URL", "")
    SMS_TOKEN = os.environ.get("SMS_TOKEN", "")
    SMS_SENDER = os.environ.get("SMS_SENDER", "Comptoir")
    # Background work: the database outbox by default, Redis (RQ) when REDIS_URL is set.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    WORKER_POLL_SECONDS = float(os.environ.get("WORKER_POLL_SECONDS", "5"))


class DevelopmentConfig(Config):
    DEMO_DATA = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = os.environ.get("SECRET_KEY", TESTING_SECRET)
    REDIS_URL = ""  # the tests that use Redis say so themselves
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite:///" + os.path.abspath("instance/testing.db"))
    DEMO_DATA = True
    MOVABLE_CLOCK = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    HSTS_SECONDS = 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0
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
