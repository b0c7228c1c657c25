"""The audit log records changes to shops, devices and networks as well as to accounts

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.alter_column("account_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("action", existing_type=sa.String(16), type_=sa.String(24))
        batch_op.add_column(sa.Column("shop_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("device_id", sa.String(36), nullable=True))
        batch_op.add_column(sa.Column("subject", sa.String(200), server_default="", nullable=False))
        batch_op.create_foreign_key("fk_audit_entries_shop_id_shops", "shops", ["shop_id"], ["id"])


def downgrade():
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.drop_constraint("fk_audit_entries_shop_id_shops", type_="foreignkey")
        batch_op.drop_column("subject")
        batch_op.drop_column("device_id")
        batch_op.drop_column("shop_id")
        batch_op.alter_column("action", existing_type=sa.String(24), type_=sa.String(16))
        batch_op.alter_column("account_id", existing_type=sa.Integer(), nullable=False)
