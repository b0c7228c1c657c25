"""Demo data: a network, two shops in France, parcels in every state, and the demo logins."""
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ..core.extensions import db
from ..core.models import Account, Deposit, Network, OpeningRange, Parcel, Pickup, Role, Shop, Size
from ..ops import Actor, api_keys, deposits, holds, record
from ..rules import codes, deadlines
from ..rules.deposits import DepositKind
from ..rules.dropoff import shelf_letter
from ..rules.parcels import COLLECTABLE, Action

DEMO_PASSWORD = "demo1234"
# Colis Express's key to the API in the demo (published with the logins; production never makes it).
DEMO_API_KEY = "cpt_demo0colis_exp-demo-key-not-secret"
# Each demo associate of the Lyon shop has a personal PIN to take its shared counter over.
DEMO_PINS = {"associe": "1357", "camille": "2468"}
DEMO_LOGINS = (("associe", f"associate, PIN {DEMO_PINS['associe']}"),
               ("camille", f"second associate of the same shop, PIN {DEMO_PINS['camille']}"),
               ("associe2", "associate of another shop"), ("livreur", "carrier"),
               ("admin", "operator of both networks"), ("admin-colis", "operator of Colis Express"),
               ("admin-vert", "operator of Relais Vert"))

# Tuesday to Saturday 9:00–12:30 and 14:00–19:00, Monday afternoon only.
HOURS = [(0, time(14), time(19))] + [
    (day, opens, closes) for day in range(1, 6) for opens, closes in ((time(9), time(12, 30)), (time(14), time(19)))
]

CUSTOMERS = [
    ("Camille Martin", "camille.martin@example.fr"),
    ("Léa Bernard", "lea.bernard@example.fr"),
    ("Hugo Dubois", "hugo.dubois@example.fr"),
    ("Chloé Thomas", "chloe.thomas@example.fr"),
    ("Lucas Robert", "lucas.robert@example.fr"),
    ("Manon Richard", "manon.richard@example.fr"),
    ("Nathan Petit", "nathan.petit@example.fr"),
]

# (customer index, description, size, actions after drop-off, days ago dropped; None = still expected)
PARCELS = [
    (0, "Chaussures de running", Size.MEDIUM, [], 1),
    (0, "Livre de cuisine", Size.SMALL, [], 1),
    (1, "Lampe de bureau", Size.LARGE, [], 2),
    (2, "Coque de téléphone", Size.SMALL, [], 3),
    (3, "Jouet en bois", Size.MEDIUM, [Action.MARK_NOT_FOUND], 2),
    (4, "Cafetière", Size.LARGE, [Action.EXPIRE], 8),
    (4, "Filtres à café", Size.SMALL, [Action.EXPIRE, Action.STAGE_FOR_RETURN], 9),
    (5, "Pull en laine", Size.MEDIUM, [Action.HAND_TO_CUSTOMER], 4),
    (6, "Casque audio", Size.MEDIUM, [Action.EXPIRE, Action.STAGE_FOR_RETURN, Action.HAND_TO_CARRIER], 12),
    (1, "Vase fragile", Size.MEDIUM, [Action.REFUSE_DAMAGED], None),
    (2, "Carnet de notes", Size.SMALL, [Action.EXPIRE, Action.MARK_MISSING], 10),
    (3, "Tapis de yoga", Size.LARGE, [Action.REJECT], 3),
]
# Drop-off codes the demo's customers show (DEP-… as in hub/rules/deposits.py, easy to type when practising).
DEPOSITS = [
    ("DEP-RETURNLUNE", dict(kind=DepositKind.RETURN, tracking_id="CE800001FR", service="Retour Boutique Lune",
                            sender_name="Inès Moreau", sender_email="ines.moreau@example.fr", size=Size.MEDIUM,
                            label_needed=True)),
    ("DEP-ENVPREPAYE", dict(kind=DepositKind.SENDING, tracking_id="CE800002FR", service="Envoi prépayé Colis Express",
                            sender_name="Théo Garnier", sender_email="theo.garnier@example.fr", size=Size.SMALL,
                            label_needed=False)),
    ("DEP-HVMZKD8WQ3", dict(kind=DepositKind.RETURN, tracking_id="CE800003FR", service="Retour Maison Paume",
                            sender_name="Lina Chevalier", sender_email="", size=Size.LARGE, label_needed=False)),
    ("DEP-7T4XRPNC2J", dict(kind=DepositKind.SENDING, tracking_id="CE800004FR", service="Envoi prépayé Colis Express",
                            sender_name="Yanis Fabre", sender_email="", size=Size.SMALL, label_needed=False)),
]
EXPECTED_TODAY = [(5, "Bougie parfumée", Size.SMALL), (6, "Sac à dos", Size.LARGE), (0, "Gourde isotherme", Size.SMALL)]


def is_empty():
    return db.session.scalar(select(Account).limit(1)) is None


def _shop(name, street, postcode, city, networks):
    shop = Shop(name=name, street=street, postcode=postcode, city=city, timezone="Europe/Paris",
                totp_secret=codes.new_shop_secret(), networks=networks)
    shop.ranges = [OpeningRange(weekday=d, opens=o, closes=c) for d, o, c in HOURS]
    db.session.add(shop)
    return shop


@lru_cache(maxsize=1)
def _demo_password_hash():
    """Every demo account shares the published demo password: hash it once, hashing is slow on purpose."""
    return generate_password_hash(DEMO_PASSWORD)


@lru_cache(maxsize=4)
def _demo_pin_hash(pin):
    return generate_password_hash(pin)


def _account(username, name, role, **links):
    account = Account(username=username, display_name=name, role=role, locale=None, **links)
    account.password_hash = _demo_password_hash()
    if username in DEMO_PINS:  # known on no device yet: each device learns them at a password sign-in
        account.pin_hash = _demo_pin_hash(DEMO_PINS[username])
    db.session.add(account)
    return account


def _open_moment(instant, tz, after=None):
    """The last moment at or before ``instant`` when the demo shop is open (not after ``after``'s next
    minute): the demo's events happen at the counter's hours, never on a Sunday nor at night."""
    local = instant.astimezone(ZoneInfo(tz))
    for back in range(8):
        day = local.date() - timedelta(days=back)
        moments = [datetime.combine(day, closes, local.tzinfo) - timedelta(minutes=20) if back else
                   min(local, datetime.combine(day, closes, local.tzinfo) - timedelta(minutes=20))
                   for weekday, opens, closes in HOURS
                   if weekday == day.weekday() and (back or opens <= local.time())]
        if moments:
            moment = max(moments).astimezone(instant.tzinfo)
            return max(moment, after + timedelta(minutes=1)) if after else moment
    return instant


def _next_open_moment(instant, tz):
    """The first moment at or after ``instant`` when the demo shop is open (20 minutes into a range)."""
    local = instant.astimezone(ZoneInfo(tz))
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        starts = [datetime.combine(day, opens, local.tzinfo) + timedelta(minutes=20) for weekday, opens, closes in HOURS
                  if weekday == day.weekday() and datetime.combine(day, closes, local.tzinfo) > local]
        if starts:
            return max(min(starts), local).astimezone(instant.tzinfo)
    return instant


def _dropped(shop, now, days_ago, actions):
    """When a demo parcel was dropped off: ``days_ago``, or earlier for one that has expired since, so that
    the counter noticed its expiry (at an opening hour) early enough for its later steps to follow before now."""
    dropped = _open_moment(now - timedelta(days=days_ago, hours=3), shop.timezone)
    while Action.EXPIRE in actions and \
            _next_open_moment(holds.hold_of(shop, dropped)[1], shop.timezone) > now - timedelta(hours=len(actions)):
        dropped = _open_moment(dropped - timedelta(days=1), shop.timezone)
    return dropped


def _steps(parcel, actions, now, tz):
    """(action, when) of a demo parcel's steps after drop-off, in order, at the shop's opening hours."""
    when = parcel.dropped_at
    for step, action in enumerate(actions, start=1):
        if action == Action.EXPIRE:
            when = _next_open_moment(parcel.expires_at, tz)
        else:
            when = _open_moment(when + (now - when) * step / (len(actions) + 1), tz, after=when)
        yield action, when


def _pickup(shop, customer, taken, now):
    code = codes.new_pickup_code(taken)
    taken.add(code)
    pickup = Pickup(shop=shop, customer_name=customer[0], customer_email=customer[1], code=code,
                    token=codes.new_token(), created_at=now)
    db.session.add(pickup)
    return pickup


def create(now):
    """Fill an empty database with the demo network (flushes; the caller commits)."""
    network = Network(name="Colis Express")
    other_network = Network(name="Relais Vert")
    shop = _shop("Tabac-Presse du Marché", "12 place du Marché", "69001", "Lyon", [network, other_network])
    other = _shop("Épicerie de la Gare", "3 rue de la Gare", "75010", "Paris", [network])
    db.session.flush()
    associate = _account("associe", "Sophie Lefèvre", Role.ASSOCIATE, shop=shop)
    _account("camille", "Camille Roux", Role.ASSOCIATE, shop=shop)
    _account("associe2", "Karim Benali", Role.ASSOCIATE, shop=other)
    _account("livreur", "Julien Moreau", Role.CARRIER, network=network)
    _account("admin", "Service réseau", Role.OPERATOR, operated_networks=[network, other_network])
    _account("admin-colis", "Service Colis Express", Role.OPERATOR, operated_networks=[network])
    _account("admin-vert", "Service Relais Vert", Role.OPERATOR, operated_networks=[other_network])
    api_keys.create(network, "demo", now, key=DEMO_API_KEY)
    db.session.flush()

    taken, pickups = set(), {}
    for n, (who, description, size, actions, days_ago) in enumerate(PARCELS, start=1):
        parcel = Parcel(network=network, tracking_id=f"CE{100000 + n:06d}FR", shop=shop,
                        recipient_name=CUSTOMERS[who][0], recipient_email=CUSTOMERS[who][1],
                        description=description, size=size, expected_on=deadlines.local_date(now, shop.timezone))
        db.session.add(parcel)
        dropped = _dropped(shop, now, days_ago or 0, actions)
        if days_ago is None:
            record(parcel, actions[0], Actor(associate.id, None, now, dropped))
            continue
        record(parcel, Action.RECEIVE, Actor(associate.id, None, now, dropped))
        parcel.dropped_at = dropped
        parcel.shelf_place = f"{shelf_letter(holds.hold(parcel))}-{n:02d}"
        if who not in pickups:
            pickups[who] = _pickup(shop, CUSTOMERS[who], taken, dropped)
        parcel.pickup = pickups[who]
        for action, when in _steps(parcel, actions, now, shop.timezone):
            record(parcel, action, Actor(associate.id, None, now, when))
    for n, (who, description, size) in enumerate(EXPECTED_TODAY, start=len(PARCELS) + 1):
        db.session.add(Parcel(network=network, tracking_id=f"CE{100000 + n:06d}FR", shop=shop,
                              recipient_name=CUSTOMERS[who][0], recipient_email=CUSTOMERS[who][1],
                              description=description, size=size,
                              expected_on=deadlines.local_date(now, shop.timezone)))
    cancelled = Parcel(network=network, tracking_id="CE100016FR", shop=shop, recipient_name=CUSTOMERS[2][0],
                       recipient_email=CUSTOMERS[2][1], description="Parapluie", size=Size.SMALL,
                       expected_on=deadlines.local_date(now, shop.timezone))
    db.session.add(cancelled)
    record(cancelled, Action.CANCEL, Actor(None, None, now, now - timedelta(hours=1)))  # the network changed its mind
    db.session.add(Parcel(network=network, tracking_id="CE200001FR", shop=other, recipient_name="Paul Girard",
                          description="Écharpe", size=Size.SMALL,
                          expected_on=deadlines.local_date(now, other.timezone)))
    db.session.flush()
    for pickup in pickups.values():
        pickup.active = any(p.state in COLLECTABLE for p in pickup.parcels)
    _deposits(network, shop, now, associate)
    db.session.flush()
    return shop


def _deposits(network, shop, now, associate):
    """Drop-off codes to practise « Dépôt d'un client » with (a label-less return and a prepaid sending), and
    two drop-offs of yesterday: one waits for the carrier, the carrier took the other."""
    shop.offers_customer_dropoff = True
    made = [Deposit(network=network, code=code, shop_id=shop.id, created_at=now - timedelta(days=7),
                    expires_at=now + timedelta(days=30), **fields) for code, fields in DEPOSITS]
    db.session.add_all(made)
    db.session.flush()
    yesterday = _open_moment(now - timedelta(days=1), shop.timezone)
    for deposit in made[2:]:
        deposits.take(shop, deposit, deposit.size, Actor(associate.id, None, now, yesterday))
    record(made[-1].parcel, Action.DISPATCH, Actor(None, None, now, yesterday + timedelta(minutes=10)))
