"""sign-ins kept on the server; devices can be revoked; one active pickup per customer and one parcel per
shelf place, kept by the database

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


# The parcels that hold their shelf place (hub/core/models/parcels.py SHELF_PLACE_TAKEN, as it was written here).
SHELF_PLACE_TAKEN = "shelf_place IS NOT NULL AND state IN ('at_store', 'expired', 'not_found', 'to_return')"

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revoke_reason", sa.String(length=200), nullable=False, server_default=""))
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.alter_column("revoke_reason", server_default=None)
    op.create_table(
        "sign_ins",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.Enum("signed_out", "password_changed", "deactivated", "device_revoked", "replaced",
                                        "idle", name="signinend", native_enum=False, length=20), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sign_ins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_ins_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sign_ins_device_id"), ["device_id"], unique=False)

    with op.batch_alter_table("pickups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_key", sa.String(length=210), nullable=False, server_default=""))
    op.execute("UPDATE pickups SET customer_key = CASE WHEN customer_email <> '' THEN 'email:' || lower(customer_email) "
               "ELSE 'name:' || lower(customer_name) END")
    with op.batch_alter_table("pickups", schema=None) as batch_op:
        batch_op.alter_column("customer_key", server_default=None)
        batch_op.create_index("uq_active_pickup_customer", ["shop_id", "customer_key"], unique=True,
                              sqlite_where=sa.text("active"), postgresql_where=sa.text("active"))
    with op.batch_alter_table("parcels", schema=None) as batch_op:
        batch_op.create_index("uq_shelf_place_in_shop", ["shop_id", "shelf_place"], unique=True,
                              sqlite_where=sa.text(SHELF_PLACE_TAKEN), postgresql_where=sa.text(SHELF_PLACE_TAKEN))


def downgrade():
    with op.batch_alter_table("parcels", schema=None) as batch_op:
        batch_op.drop_index("uq_shelf_place_in_shop")
    with op.batch_alter_table("pickups", schema=None) as batch_op:
        batch_op.drop_index("uq_active_pickup_customer")
        batch_op.drop_column("customer_key")
    with op.batch_alter_table("sign_ins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_ins_device_id"))
        batch_op.drop_index(batch_op.f("ix_sign_ins_account_id"))
    op.drop_table("sign_ins")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_column("revoke_reason")
        batch_op.drop_column("revoked_at")
