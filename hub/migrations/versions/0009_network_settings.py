"""Networks choose their hold period, new shops' capacity and the « Autre » carrier's rules; a parcel keeps
the hold period it arrived with

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("networks") as batch_op:
        batch_op.add_column(sa.Column("hold_days", sa.Integer(), server_default="7", nullable=False))
        batch_op.add_column(sa.Column("default_capacity", sa.Integer(), server_default="20", nullable=False))
        batch_op.add_column(sa.Column("other_carrier_allowed", sa.Boolean(), server_default=sa.true(),
                                      nullable=False))
        batch_op.add_column(sa.Column("intake_minutes", sa.Integer(), server_default="30", nullable=False))
    with op.batch_alter_table("parcels") as batch_op:
        batch_op.add_column(sa.Column("hold_days", sa.Integer(), nullable=True))
    # Every parcel received so far was held for 7 open days, the one period there was.
    op.execute("UPDATE parcels SET hold_days = 7 WHERE dropped_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table("parcels") as batch_op:
        batch_op.drop_column("hold_days")
    with op.batch_alter_table("networks") as batch_op:
        batch_op.drop_column("intake_minutes")
        batch_op.drop_column("other_carrier_allowed")
        batch_op.drop_column("default_capacity")
        batch_op.drop_column("hold_days")
