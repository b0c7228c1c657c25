"""Command-line tasks: demo data, the scheduled expiry (once, or as the worker's loop), translations."""
import os
import subprocess
import time

import click
from flask import Blueprint, current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..core import clock
from . import demo
from ..core.extensions import db
from ..core.models import Shop
from ..ops import accounts
from ..ops.returns import expire_due
from ..rules.errors import DomainError

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


def expire_all(now):
    """Record the expiries due in every shop whose earliest expiry has been reached (an index on the shops
    finds them; each shop's own index finds its parcels), one shop per transaction. Returns how many."""
    due = db.session.scalars(select(Shop.id).where(Shop.active, Shop.next_expiry_at <= now)).all()
    total = 0
    for shop_id in due:
        try:
            total += expire_due(db.session.get(Shop, shop_id), now)
            db.session.commit()
        except (StaleDataError, IntegrityError):
            db.session.rollback()  # the shop's counter recorded them at the same moment
    return total


@bp.cli.command("expire")
def expire_command():
    """Record the expiry of parcels whose hold is over, in every shop, once."""
    click.echo(f"{expire_all(clock.now())} parcel(s) expired.")


@bp.cli.command("worker")
@click.option("--every", default=60, show_default=True, help="Seconds between two passes.")
@click.option("--passes", default=0, help="Stop after this many passes (0: run until stopped).")
def worker_command(every, passes):
    """The scheduled work (the Procfile's worker): expiries recorded within a minute of the end of each hold,
    so the expired-parcel notice and its 2 opening hours start then, whether or not a counter is open."""
    done = 0
    while not passes or done < passes:
        expired = expire_all(clock.now())
        db.session.remove()
        if expired:
            click.echo(f"{expired} parcel(s) expired.")
        done += 1
        if not passes or done < passes:
            time.sleep(every)


@bp.cli.command("logins")
def logins_command():
    """Print the demo logins."""
    for username, role in demo.DEMO_LOGINS:
        click.echo(f"  {username:<9} / {demo.DEMO_PASSWORD}   {role}")


@bp.cli.group("accounts")
def accounts_group():
    """Passwords and deactivations: each ends the account's sign-ins everywhere."""


def _applied(operation, *args):
    """Run an operation and commit it; a refusal is told as the operation says it, and nothing changes."""
    try:
        ended = operation(*args, clock.now())
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(str(err)) from None
    db.session.commit()
    return ended


@accounts_group.command("set-password")
@click.argument("username")
@click.password_option("--password", prompt="New password", help="asked for when not given (hidden)")
def set_password_command(username, password):
    """Give USERNAME a new password; every sign-in of the account ends."""
    ended = _applied(accounts.set_password, _account(username), password)
    click.echo(f"Password of {username} changed; {ended} sign-in(s) ended.")


@accounts_group.command("deactivate")
@click.argument("username")
def deactivate_command(username):
    """USERNAME can no longer sign in; every sign-in of the account ends."""
    ended = _applied(accounts.deactivate, _account(username))
    click.echo(f"{username} deactivated; {ended} sign-in(s) ended.")


def _account(username):
    try:
        return accounts.account_named(username)
    except DomainError as err:
        raise click.ClickException(str(err)) from None


@bp.cli.group("devices")
def devices_group():
    """Devices that have signed in."""


@devices_group.command("revoke")
@click.argument("device_id")
@click.option("--reason", default="", help="why (lost, stolen…), kept with the device")
def revoke_command(device_id, reason):
    """Revoke DEVICE_ID (a lost or stolen phone): every sign-in on it ends, and it never signs in again."""
    try:
        device = accounts.device_named(device_id)
    except DomainError as err:
        raise click.ClickException(str(err)) from None
    ended = _applied(accounts.revoke_device, device, reason)
    click.echo(f"Device {device_id} revoked; {ended} sign-in(s) ended.")


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
