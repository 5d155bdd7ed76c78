"""pledge lifecycle

Revision ID: 0004_pledge_lifecycle
Revises: 0003_ledger
Create Date: 2026-11-25 09:45:15.884050
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0004_pledge_lifecycle"
down_revision: str | None = "0003_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Confirmation and release times of pledges; a project's all-or-nothing deadline and funding status.
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("released_at", sa.DateTime(timezone=True), nullable=True))
        # Whether the contributor is named on the transparency pages; existing pledges stay anonymous.
        batch_op.add_column(sa.Column("public_name", sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("funding_deadline", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "funding_status",
                sa.Enum(
                    "open",
                    "minimum_reached",
                    "fully_funded",
                    "cancelled",
                    "completed",
                    name="fundingstatus",
                    native_enum=False,
                    length=20,
                ),
                nullable=False,
                # Existing projects start open; the workers recompute the status from the needs.
                server_default="open",
            )
        )
        batch_op.create_index(batch_op.f("ix_project_funding_deadline"), ["funding_deadline"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_funding_deadline"))
        batch_op.drop_column("funding_status")
        batch_op.drop_column("settled_at")
        batch_op.drop_column("funding_deadline")

    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.drop_column("public_name")
        batch_op.drop_column("released_at")
        batch_op.drop_column("confirmed_at")
