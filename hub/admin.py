"""The operator's back office at /admin: shops, call-backs, parcel search with full history."""
from flask import Blueprint, abort, request
from sqlalchemy import select

from .commands import command
from .extensions import db
from .models import Parcel, Shop, SupportRequest
from .queries import shop_load
from .web import operator_required, render

bp = Blueprint("admin", __name__, url_prefix="/admin")

SUPPORT_STATUSES = ("new", "called", "closed")


@bp.get("/")
@operator_required
def home():
    """Shops with their load, the call-back queue, and parcel search."""
    shops = db.session.scalars(select(Shop).order_by(Shop.name)).all()
    requests = db.session.scalars(
        select(SupportRequest).where(SupportRequest.status != "closed").order_by(SupportRequest.created_at)
    ).all()
    query = request.args.get("q", "").strip()
    found = []
    if query:
        found = db.session.scalars(
            select(Parcel).where(Parcel.tracking_id.ilike(f"%{query}%")).order_by(Parcel.tracking_id).limit(50)
        ).all()
    return render("admin/home.html", "admin/home.html", shops=[(s, shop_load(s.id)) for s in shops],
                  requests=requests, query=query, found=found)


@bp.get("/colis/<int:parcel_id>")
@operator_required
def parcel(parcel_id):
    """A parcel's full event history."""
    parcel = db.session.get(Parcel, parcel_id) or abort(404)
    return render("admin/parcel.html", "admin/parcel.html", parcel=parcel)


@bp.post("/assistance/<int:request_id>")
@operator_required
@command
def update_call_back(request_id):
    """Move a call-back request along: new → called → closed."""
    req = db.session.get(SupportRequest, request_id) or abort(404)
    status = request.form.get("status")
    if status not in SUPPORT_STATUSES:
        abort(422)
    req.status = status
    return render("admin/_call_back.html", "admin/_call_back.html", req=req)
