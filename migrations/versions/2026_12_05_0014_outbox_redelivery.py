"""outbox redelivery: how many times an event was sent, and when to check its consumers next

Revision ID: 0014_outbox_redelivery
Revises: 0010_email_verification
Create Date: 2026-12-05 17:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_outbox_redelivery"
down_revision: str | None = "0013_participation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Events published before this migration get no check (check_at stays empty): nothing recorded
    # when they were sent, and their consumers had all the time in the world to apply them.
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deliveries", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("check_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_outbox_event_check_at", ["check_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_event_check_at")
        batch_op.drop_column("check_at")
        batch_op.drop_column("deliveries")
