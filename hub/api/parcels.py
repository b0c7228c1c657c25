"""Parcels out: one parcel's state and history, and the feed of every event of the network's parcels."""
from flask import g
from sqlalchemy import select

from ..core.extensions import db
from ..core.models import Parcel, ParcelEvent
from ..ops import documents
from ..ops import shipments as ops
from .area import blueprint
from .schemas import EventsPageOut, EventsQuery, ParcelHistoryOut

bp = blueprint("parcels", url_prefix="", description="Parcels and the events of their lives.")


@bp.route("/parcels/<tracking_id>", methods=["GET"])
@bp.response(200, ParcelHistoryOut)
def show(tracking_id):
    """A parcel of the network: its state and every event of its life, oldest first."""
    parcel = ops.parcel_of(g.network, tracking_id)
    return dict(documents.parcel_doc(parcel), events=[documents.event_doc(e, parcel) for e in parcel.events])


@bp.route("/events", methods=["GET"])
@bp.arguments(EventsQuery, location="query")
@bp.response(200, EventsPageOut)
def feed(query):
    """Every event of the network's parcels after the cursor, oldest first: poll with ``after=<next>``."""
    rows = db.session.execute(
        select(ParcelEvent, Parcel).join(Parcel, Parcel.id == ParcelEvent.parcel_id)
        .where(Parcel.network_id == g.network.id, ParcelEvent.id > query["after"])
        .order_by(ParcelEvent.id).limit(query["limit"])
    ).all()
    events = [documents.event_doc(event, parcel) for event, parcel in rows]
    return {"events": events, "next": events[-1]["id"] if events else query["after"]}
