"""registration college: a wallet round's participant keeps the college placed at registration

Revision ID: 0009_registration_college
Revises: 0008_pledge_terms
Create Date: 2026-11-25 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_registration_college"
down_revision: str | None = "0008_pledge_terms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: rounds without colleges place nobody, and wallet rounds with colleges did not exist
    # before this revision (they were refused), so no existing registration needs a college.
    with op.batch_alter_table("round_registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("college_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_round_registration_college_id_round_college"), "round_college", ["college_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("round_registration", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_round_registration_college_id_round_college"), type_="foreignkey")
        batch_op.drop_column("college_id")
