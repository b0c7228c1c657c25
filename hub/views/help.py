"""Help « ? »: tips, the FAQ, and the support call-back, reachable without an account."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..core import clock
from ..core.commands import command
from ..core.extensions import db, limiter
from ..core.models import Role, SupportRequest
from ..rules.errors import DomainError
from ..ops.support import national, request_call_back
from ..core.web import render

bp = Blueprint("help", __name__, url_prefix="/aide")


def _my_requests():
    if not current_user.is_authenticated:
        return []
    return db.session.scalars(
        select(SupportRequest).where(SupportRequest.account_id == current_user.id)
        .order_by(SupportRequest.created_at.desc()).limit(5)
    ).all()


def screen_of(url):
    """The path of the screen a request came from (« /inventaire/ »), never a whole URL.

    A referrer from another site, or from the help pages themselves, says nothing useful.
    """
    parts = urlsplit(url or "")
    if parts.netloc and parts.netloc != request.host:
        return ""
    path = parts.path if parts.path.startswith("/") else ""
    return "" if path.startswith(url_for("help.index")) else path[:120]


@bp.get("/")
def index():
    """Tips for each workflow and the FAQ."""
    phone = current_app.config["SUPPORT_PHONE"].replace(" ", "\u00a0")  # never broken across two lines
    return render("help/index.html", "help/index.html", support_phone=phone,
                  screen=screen_of(request.referrer))


@bp.get("/assistance")
def contact():
    """The call-back form, with the associate's previous requests and their status."""
    return render("help/contact.html", "help/_contact_form.html", requests=_my_requests(),
                  screen=screen_of(request.args.get("depuis") or request.referrer), national=national,
                  message=request.args.get("message", "")[:2000])


@bp.post("/assistance")
@limiter.limit("5 per hour", key_func=lambda: "callback:" + (request.remote_addr or ""),
               deduct_when=lambda response: response.status_code < 400)  # a mistyped number costs nothing
@command
def call_me():
    """« Appelez-moi maintenant »: record the call-back request."""
    shop_id = current_user.shop_id if current_user.is_authenticated and current_user.role == Role.ASSOCIATE else None
    try:
        req = request_call_back(
            request.form.get("phone", ""),
            clock.now(),
            shop_id=shop_id,
            account_id=current_user.id if current_user.is_authenticated else None,
            name=request.form.get("name", ""),
            screen=screen_of(request.form.get("screen", "")),
            message=request.form.get("message", ""),
        )
    except DomainError as err:
        return render("help/contact.html", "help/_contact_form.html", refused=err,
                      requests=_my_requests(), screen=request.form.get("screen", ""), national=national,
                      phone=request.form.get("phone", ""))
    return render("help/contact.html", "help/_contact_form.html", done=req, requests=_my_requests(),
                  national=national)
