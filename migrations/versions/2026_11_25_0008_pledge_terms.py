"""pledge terms: stretch goals, pledges on behalf of an organization, local currencies

Revision ID: 0008_pledge_terms
Revises: 0007_round_matching
Create Date: 2026-11-25 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_pledge_terms"
down_revision: str | None = "0007_round_matching"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        # The organization a pledge is made for (None: in the contributor's own name).
        batch_op.add_column(sa.Column("on_behalf_of_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_pledge_on_behalf_of_id"), ["on_behalf_of_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_pledge_on_behalf_of_id_organization"), "organization", ["on_behalf_of_id"], ["id"]
        )
        # The currency of a money pledge: existing pledges were in euros.
        batch_op.add_column(sa.Column("currency", sa.String(length=10), nullable=False, server_default="EUR"))

    with op.batch_alter_table("project", schema=None) as batch_op:
        # Stretch goals: existing projects keep refusing pledges beyond a need's maximum.
        batch_op.add_column(sa.Column("stretch_goals", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("stretch_goals")

    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.drop_column("currency")
        batch_op.drop_constraint(batch_op.f("fk_pledge_on_behalf_of_id_organization"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_pledge_on_behalf_of_id"))
        batch_op.drop_column("on_behalf_of_id")
