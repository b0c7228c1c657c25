"""Several associates on one counter device: personal PINs, the associates known on each device, who is at
the counter of a sign-in, and the shop's idle minutes

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.add_column(sa.Column("pin_hash", sa.String(256), nullable=True))
        batch_op.add_column(sa.Column("pin_failures", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("devices") as batch_op:
        batch_op.add_column(sa.Column("pin_secret", sa.String(64), nullable=True))
    with op.batch_alter_table("sign_ins") as batch_op:
        batch_op.add_column(sa.Column("acting_account_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_sign_ins_acting_account_id_accounts", "accounts", ["acting_account_id"], ["id"])
    with op.batch_alter_table("shops") as batch_op:
        batch_op.add_column(sa.Column("idle_minutes", sa.Integer(), server_default="10", nullable=False))
    op.create_table(
        "device_associates",
        sa.Column("device_id", sa.String(36), sa.ForeignKey("devices.id"), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), primary_key=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pin_key", sa.String(64), nullable=True),
    )
    op.create_index("ix_device_associates_account_id", "device_associates", ["account_id"])


def downgrade():
    op.drop_index("ix_device_associates_account_id", table_name="device_associates")
    op.drop_table("device_associates")
    with op.batch_alter_table("shops") as batch_op:
        batch_op.drop_column("idle_minutes")
    with op.batch_alter_table("sign_ins") as batch_op:
        batch_op.drop_constraint("fk_sign_ins_acting_account_id_accounts", type_="foreignkey")
        batch_op.drop_column("acting_account_id")
    with op.batch_alter_table("devices") as batch_op:
        batch_op.drop_column("pin_secret")
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.drop_column("pin_failures")
        batch_op.drop_column("pin_hash")
