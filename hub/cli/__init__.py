"""Command-line tasks: demo data, the nightly expiry, translations."""
import os
import subprocess

import click
from flask import Blueprint, current_app
from sqlalchemy import select

from ..core import clock
from . import demo
from ..core.extensions import db
from ..core.models import ApiKey, Network
from ..ops import api_keys
from ..worker import poll, queue, schedule

bp = Blueprint("cli", __name__, cli_group=None)


@bp.cli.command("demo")
def demo_command():
    """Create the demo network on an empty database (never in production)."""
    if not current_app.config["DEMO_DATA"]:
        raise click.ClickException("demo data is only created in development and testing")
    if not demo.is_empty():
        click.echo("Database already has data: demo not created.")
        return
    clock.begin()
    demo.create(clock.now())
    db.session.commit()
    click.echo("Demo data created.")


@bp.cli.command("expire")
def expire_command():
    """Record the expiry of parcels whose 7 days are over, in every shop (run it from cron at night)."""
    total = schedule.expire_all(clock.now())
    db.session.commit()
    click.echo(f"{total} parcel(s) expired.")


@bp.cli.command("worker")
@click.option("--once", is_flag=True, help="One round of what is due, then stop (with Redis: until the queue is empty).")
def worker_command(once):
    """Send the customer notices and the webhook calls, and run the scheduled jobs (reminders, expiry)."""
    if current_app.config["REDIS_URL"]:
        queue.run(burst=once)
    else:
        done = poll(once=once)
        if once:
            click.echo(f"{done} thing(s) done.")


@bp.cli.command("logins")
def logins_command():
    """Print the demo logins, and Colis Express's demo key to the API."""
    for username, role in demo.DEMO_LOGINS:
        click.echo(f"  {username:<9} / {demo.DEMO_PASSWORD}   {role}")
    click.echo(f"  API key of Colis Express: {demo.DEMO_API_KEY}")


@bp.cli.group("apikeys")
def apikeys():
    """The networks' keys to the API: create, list, revoke."""


def _network(name):
    network = db.session.scalar(select(Network).where(Network.name == name))
    if network is None:
        raise click.ClickException(f"no network named {name!r}")
    return network


@apikeys.command("create")
@click.argument("network_name")
@click.option("--name", default="", help="What the key is for (shown in the back office).")
def apikeys_create(network_name, name):
    """Make a key for NETWORK_NAME; the key is printed alone on the last line, and never again."""
    row, key = api_keys.create(_network(network_name), name, clock.now())
    db.session.commit()
    click.echo(f"Key {row.prefix} for {row.network.name} (shown once, keep it safe):")
    click.echo(key)


@apikeys.command("list")
def apikeys_list():
    """Every key: its prefix, network, name, and whether it is revoked."""
    for row in db.session.scalars(select(ApiKey).order_by(ApiKey.id)):
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        click.echo(f"{row.prefix}  {row.network.name:<20} {row.name:<20} {state}")


@apikeys.command("revoke")
@click.argument("prefix")
def apikeys_revoke(prefix):
    """Revoke the key whose prefix is PREFIX: it opens nothing any more."""
    row = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if row is None:
        raise click.ClickException(f"no key with prefix {prefix!r}")
    api_keys.revoke(row, clock.now())
    db.session.commit()
    click.echo(f"Key {prefix} revoked.")


@bp.cli.group("translate")
def translate():
    """Extract, update and compile the message catalogues."""


def _pybabel(*args):
    subprocess.run(["pybabel", *args], check=True, cwd=os.path.dirname(current_app.root_path))


@translate.command("update")
def update():
    """Extract the messages and merge them into every catalogue."""
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "N_", "--no-location", "--sort-output", "--no-wrap",
             "-o", "messages.pot", ".")
    _pybabel("update", "-i", "messages.pot", "-d", "translations", "--no-fuzzy-matching", "--ignore-obsolete",
             "--no-wrap")
    os.remove(os.path.join(os.path.dirname(current_app.root_path), "messages.pot"))


@translate.command("compile")
def compile_():
    """Compile the catalogues (.po → .mo)."""
    _pybabel("compile", "-d", "translations")
