"""The installable, offline-capable counter: the manifest and service worker (worker.py), the offline bundle
(bundle.py), the page for a screen never stored, and « À vérifier ».

The server renders every screen, online and offline: the service worker only stores what the server
rendered and serves it back when the network is gone (docs/offline.md says what works offline, how the
queue replays and how the replays authenticate).
"""
from flask import Blueprint, redirect, render_template, url_for

from ..core.models import Role
from ..core.web import role_required
from . import bundle, worker

bp = Blueprint("offline", __name__)
bp.add_url_rule("/manifest.webmanifest", view_func=worker.manifest)
bp.add_url_rule("/hors-ligne/paquet", view_func=bundle.bundle)

associate_or_carrier = role_required(Role.ASSOCIATE, Role.CARRIER)


@bp.get("/hors-ligne")
def fallback():
    """The page shown for a screen the device has never stored."""
    return render_template("offline/fallback.html")


@bp.get("/hors-ligne/a-verifier")
@associate_or_carrier
def conflicts():
    """« À vérifier »: the scans the server refused when the device sent them (the device keeps the list)."""
    return render_template("offline/conflicts.html")


def favicon():
    """Browsers ask /favicon.ico of every site: the app's icon, rather than a 404 on every page. Its address
    names the icon's revision, so the redirect itself is not kept for good."""
    return redirect(url_for("static", filename="icons/icon-192.png"), 302)


def register(app):
    app.add_url_rule("/sw.js", "service_worker", worker.service_worker)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    app.url_defaults(worker.revisioned_static)
