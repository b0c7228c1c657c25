"""Customers' drop-offs: the network's codes, outgoing parcels, and the network's size limits

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PAIRED = "shop_label IS NOT NULL"
# A shelf place holds one parcel the shop holds: a customer's drop-off waiting for the carrier is one of them now.
HELD_BEFORE = "shelf_place IS NOT NULL AND state IN ('at_store', 'expired', 'not_found', 'to_return')"
HELD = "shelf_place IS NOT NULL AND state IN ('at_store', 'deposited', 'expired', 'not_found', 'to_return')"


def _shelf_index(where):
    with op.batch_alter_table("parcels") as batch_op:
        batch_op.drop_index("uq_shelf_place_in_shop")
        batch_op.create_index("uq_shelf_place_in_shop", ["shop_id", "shelf_place"], unique=True,
                              sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade():
    with op.batch_alter_table("networks") as batch_op:
        batch_op.add_column(sa.Column("dropoff_max_kg", sa.Integer(), server_default="20", nullable=False))
        batch_op.add_column(sa.Column("dropoff_max_cm", sa.Integer(), server_default="100", nullable=False))
    with op.batch_alter_table("parcels") as batch_op:
        batch_op.add_column(sa.Column("outgoing", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "deposits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.Enum("return", "sending", name="depositkind", native_enum=False, length=12),
                  nullable=False),
        sa.Column("tracking_id", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=80), nullable=False),
        sa.Column("sender_name", sa.String(length=120), nullable=False),
        sa.Column("sender_email", sa.String(length=200), nullable=False),
        sa.Column("sender_phone", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Enum("small", "medium", "large", name="size", native_enum=False, length=8),
                  nullable=False),
        sa.Column("label_needed", sa.Boolean(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parcel_id", sa.Integer(), nullable=True),
        sa.Column("shop_label", sa.String(length=64), nullable=True),
        sa.Column("receipt_token", sa.String(length=40), nullable=True),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refusal", sa.Enum("too_heavy", "too_long", name="overlimit", native_enum=False, length=12),
                  nullable=True),
        sa.Column("refused_by_id", sa.Integer(), nullable=True),
        sa.Column("refused_at_shop_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"]),
        sa.ForeignKeyConstraint(["parcel_id"], ["parcels.id"]),
        sa.ForeignKeyConstraint(["refused_at_shop_id"], ["shops.id"]),
        sa.ForeignKeyConstraint(["refused_by_id"], ["accounts.id"]),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("parcel_id"),
        sa.UniqueConstraint("receipt_token"),
        sa.UniqueConstraint("network_id", "tracking_id", name="uq_deposit_tracking"),
    )
    op.create_index("uq_deposit_shop_label", "deposits", ["network_id", "shop_label"], unique=True,
                    sqlite_where=sa.text(PAIRED), postgresql_where=sa.text(PAIRED))
    op.create_index("ix_deposits_shop_waiting", "deposits", ["shop_id", "parcel_id", "expires_at"])
    op.create_index("ix_deposits_network_created", "deposits", ["network_id", "created_at"])
    _shelf_index(HELD)


def downgrade():
    _shelf_index(HELD_BEFORE)
    op.drop_index("ix_deposits_network_created", table_name="deposits")
    op.drop_index("ix_deposits_shop_waiting", table_name="deposits")
    op.drop_index("uq_deposit_shop_label", table_name="deposits")
    op.drop_table("deposits")
    with op.batch_alter_table("parcels") as batch_op:
        batch_op.drop_column("outgoing")
    with op.batch_alter_table("networks") as batch_op:
        batch_op.drop_column("dropoff_max_cm")
        batch_op.drop_column("dropoff_max_kg")
