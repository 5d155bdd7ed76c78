"""totals as of: when a project's read-model totals were last computed, so refreshes coalesce

Revision ID: 0015_totals_as_of
Revises: 0010_email_verification
Create Date: 2026-12-05 17:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_totals_as_of"
down_revision: str | None = "0014_outbox_redelivery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Empty on existing projects: their next refresh recomputes, as before.
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totals_as_of", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("totals_as_of")
