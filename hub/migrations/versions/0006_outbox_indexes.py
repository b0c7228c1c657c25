"""The back office's notices, newest first, read through an index rather than sorted whole

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.create_index("ix_outbox_created", ["created_at", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("ix_outbox_created")
