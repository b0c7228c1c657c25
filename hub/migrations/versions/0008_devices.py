"""Devices get a name, their app's version and queue at their last sync, who revoked them; steps held from a
revoked device

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

HELD_STATUS = sa.Enum("held", "applied", "failed", "refused", name="heldstatus", native_enum=False, length=12)


def upgrade():
    with op.batch_alter_table("devices") as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(60), server_default="", nullable=False))
        batch_op.add_column(sa.Column("app_version", sa.String(40), server_default="", nullable=False))
        batch_op.add_column(sa.Column("queue_length", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("revoked_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_devices_revoked_by_id_accounts", "accounts", ["revoked_by_id"], ["id"])
        batch_op.create_index("ix_devices_shop_seen", ["shop_id", "last_seen_at"])
    op.create_table(
        "held_steps",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("device_id", sa.String(36), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("command_id", sa.String(64), nullable=False, unique=True),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("content_type", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=True),
        sa.Column("vouched", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", HELD_STATUS, nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=True),
        sa.Column("outcome", sa.String(500), nullable=False),
    )
    op.create_index("ix_held_steps_device", "held_steps", ["device_id", "id"])


def downgrade():
    op.drop_index("ix_held_steps_device", table_name="held_steps")
    op.drop_table("held_steps")
    with op.batch_alter_table("devices") as batch_op:
        batch_op.drop_index("ix_devices_shop_seen")
        batch_op.drop_constraint("fk_devices_revoked_by_id_accounts", type_="foreignkey")
        batch_op.drop_column("revoked_by_id")
        batch_op.drop_column("queue_length")
        batch_op.drop_column("app_version")
        batch_op.drop_column("name")
