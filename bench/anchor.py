"""The anchor: a bare Flask app doing the customer scan with three hand-written statements, on the same data.

Look up the parcel within the customer's pickup, insert its event (the command's unique key in it), update
its state, answer a one-line fragment. ``/hello`` answers « hello ». Served by gunicorn as the app is:

    ANCHOR_DATABASE=sqlite:////tmp/x.db gunicorn -w 2 --threads 4 'bench.anchor:app'
"""
import os
import sqlite3
import threading
from datetime import datetime, timezone

from flask import Flask, request
from markupsafe import escape

URL = os.environ.get("ANCHOR_DATABASE", "sqlite:///instance/comptoir.db")
app = Flask(__name__)
local = threading.local()


def _connect():
    if URL.startswith("sqlite"):
        connection = sqlite3.connect(URL.split("sqlite:///", 1)[1], timeout=30, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA busy_timeout=30000")
        return connection, "?"
    import psycopg

    return psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://")), "%s"


def connection():
    """One connection per thread, kept (as a pool would)."""
    if not hasattr(local, "db"):
        local.db, local.mark = _connect()
    return local.db, local.mark


@app.get("/hello")
def hello():
    return "hello"


@app.post("/scan/<int:pickup_id>")
def scan(pickup_id):
    db, m = connection()
    tracking, key = request.form["tracking_id"], request.headers["Idempotency-Key"]
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    cursor = db.cursor()
    cursor.execute(f"SELECT id, state FROM parcels WHERE pickup_id = {m} AND tracking_id = {m}", (pickup_id, tracking))
    parcel_id, state = cursor.fetchone()
    cursor.execute("INSERT INTO parcel_events (parcel_id, action, from_state, to_state, command_id, occurred_at, "
                   f"recorded_at, offline, note) VALUES ({m}, 'hand_to_customer', {m}, 'collected', {m}, {m}, {m}, "
                   f"{m}, '')", (parcel_id, state, key, now, now, False))
    cursor.execute(f"UPDATE parcels SET state = 'collected', version = version + 1 WHERE id = {m}", (parcel_id,))
    db.commit()
    return f'<p class="success" role="status">Remis : {escape(tracking)}</p>'
