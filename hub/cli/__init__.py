"""Command-line tasks: demo data, the scheduled expiry (once, or as the worker's loop), translations."""
import os
import subprocess

import click
from flask import Blueprint, current_app
from sqlalchemy import select

from ..core import clock
from . import demo
from ..core.extensions import db
from ..core.links import public_url
from ..core.models import ApiKey, LinkKind, Network, Role, Shop
from ..ops import accounts, api_keys
from ..ops import shop as shop_ops
from ..rules.errors import DomainError
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
    """Record the expiries due in every shop, once (the worker does it every minute)."""
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
        click.echo(f"  {username:<11} / {demo.DEMO_PASSWORD}   {role}")
    click.echo(f"  API key of Colis Express: {demo.DEMO_API_KEY}")
    click.echo("  Drop-off codes to practise « Dépôt d'un client »: " + ", ".join(code for code, _ in demo.DEPOSITS[:2]))


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


@bp.cli.group("networks")
def networks_group():
    """The networks whose parcels the shops receive."""


@networks_group.command("create")
@click.argument("name")
def networks_create(name):
    """Create the network NAME."""
    try:
        network = shop_ops.create_network(name)
    except DomainError as err:
        raise _refused(err) from None
    db.session.commit()
    click.echo(f"Network {network.name} created (id {network.id}).")


@bp.cli.group("shops")
def shops_group():
    """The shops (pickup points)."""


@shops_group.command("create")
@click.argument("name")
@click.option("--street", required=True)
@click.option("--postcode", required=True)
@click.option("--city", required=True)
@click.option("--timezone", required=True, help="IANA name, like Europe/Paris.")
@click.option("--capacity", default="20", show_default=True, help="How many parcels it agreed to hold (5 to 1,000).")
@click.option("--network", "network_names", multiple=True, required=True, help="A network it serves (again for more).")
def shops_create(name, street, postcode, city, timezone, capacity, network_names):
    """Create the shop NAME; prints its id (for `accounts create --shop`). Its hours are set at the counter."""
    networks = [_network(n) for n in network_names]
    try:
        shop = shop_ops.create_shop(networks, name=name, street=street, postcode=postcode, city=city,
                                    timezone=timezone, capacity=capacity)
    except DomainError as err:
        raise _refused(err) from None
    db.session.commit()
    click.echo(f"Shop {shop.name} created (id {shop.id}), serving {', '.join(n.name for n in shop.networks)}.")


@bp.cli.group("accounts")
def accounts_group():
    """Accounts: create (with a one-time link to set the password), reset links, passwords, deactivations."""


def _refused(err):
    db.session.rollback()
    return click.ClickException(str(err))


def _print_link(account, kind):
    """Issue a one-time link for ``account``, commit, and print it alone on the last line."""
    row, token = accounts.issue_link(account, kind, clock.now())
    db.session.commit()
    until = f"{row.expires_at:%Y-%m-%d %H:%M} UTC"
    click.echo(f"{kind.title.capitalize()} link for {account.username}, valid until {until}:")
    click.echo(public_url("auth.set_password", token=token))


@accounts_group.command("create-operator")
@click.argument("email")
@click.option("--network", "network_names", multiple=True, help="A network the operator runs (again for more).")
@click.option("--name", default="", help="The name shown in the back office (the e-mail address by default).")
def create_operator_command(email, network_names, name):
    """Create an operator whose username is EMAIL; prints a link to set the password (48 hours)."""
    networks = [_network(n) for n in network_names]
    try:
        account = accounts.create_account(email, name or email, Role.OPERATOR, email=email, networks=networks)
    except DomainError as err:
        raise _refused(err) from None
    _print_link(account, LinkKind.INVITATION)


@accounts_group.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["associate", "carrier"]), required=True)
@click.option("--name", required=True, help="The person's name.")
@click.option("--email", default="", help="Their e-mail address.")
@click.option("--shop", "shop_id", type=int, help="The shop of an associate (its id).")
@click.option("--network", "network_name", default="", help="The network of a carrier.")
def create_command(username, role, name, email, shop_id, network_name):
    """Create an associate of a shop or a carrier of a network; prints a link to set the password (48 hours)."""
    shop = db.session.get(Shop, shop_id) if shop_id else None
    if role == "associate" and shop is None:
        raise click.ClickException("an associate needs --shop with the id of an existing shop")
    if role == "carrier" and not network_name:
        raise click.ClickException("a carrier needs --network")
    network = _network(network_name) if role == "carrier" else None
    try:
        account = accounts.create_account(username, name, Role(role), email=email, shop=shop, network=network)
    except DomainError as err:
        raise _refused(err) from None
    _print_link(account, LinkKind.INVITATION)


@accounts_group.command("reset-link")
@click.argument("username")
def reset_link_command(username):
    """Print a link that sets a new password for USERNAME (1 hour); the old one works until then."""
    _print_link(_account(username), LinkKind.RESET)


def _applied(operation, *args):
    """Run an operation and commit it; a refusal is told as the operation says it, and nothing changes."""
    try:
        ended = operation(*args, clock.now())
    except DomainError as err:
        raise _refused(err) from None
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
