"""Operations called directly, inside one application context: no HTTP, no view in between.

Each test works on a small world of its own (a shop, its network, an associate, a carrier); the test
command runs these tests again on PostgreSQL."""
from dataclasses import dataclass
from datetime import time
from pathlib import Path

import pytest

from hub.core import clock
from hub.core.extensions import db
from hub.core.models import Account, Network, OpeningRange, Parcel, Role, Shop, Size
from hub.ops import Actor
from hub.rules import codes


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.db)


@dataclass
class World:
    shop: Shop
    network: Network
    associate: Account
    carrier: Account

    def actor(self, account=None, **fields):
        """Who acts, now (``fields`` as Actor takes them: occurred_at, offline, device_id…)."""
        account = account or self.associate
        return Actor(account.id, fields.pop("device_id", "device-1"), clock.now(), **fields)

    def parcel(self, tracking_id, recipient="Camille Martin", email="camille@example.fr", **fields):
        fields.setdefault("shop", self.shop)
        fields.setdefault("size", Size.SMALL)
        parcel = Parcel(network=self.network, tracking_id=tracking_id, recipient_name=recipient,
                        recipient_email=email, **fields)
        db.session.add(parcel)
        db.session.flush()
        return parcel


@pytest.fixture
def world(app):
    """A shop open every day 08:00–20:00, its network, an associate and the network's carrier."""
    with app.test_request_context():
        network = Network(name="Réseau Test")
        shop = Shop(name="Boutique Test", street="1 rue du Test", postcode="75001", city="Paris",
                    totp_secret=codes.new_shop_secret(), networks=[network], timezone="Europe/Paris")
        shop.ranges = [OpeningRange(weekday=d, opens=time(8), closes=time(20)) for d in range(7)]
        associate = Account(username="vendeuse", display_name="Vendeuse", role=Role.ASSOCIATE, shop=shop,
                            password_hash="-")
        carrier = Account(username="chauffeur", display_name="Chauffeur", role=Role.CARRIER, network=network,
                          password_hash="-")
        db.session.add_all([network, shop, associate, carrier])
        db.session.flush()
        yield World(shop, network, associate, carrier)
        db.session.rollback()
