"""Flask extensions, created unbound and initialised by the app factory."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Csrf(CSRFProtect):
    """CSRF protection, waived only for an offline replay its device token vouches for (hub/replay.py)."""

    def protect(self, apply_exemptions=False):
        from .replay import replay_account

        if apply_exemptions and replay_account() is not None:
            return None
        return super().protect(apply_exemptions)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = Csrf()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
