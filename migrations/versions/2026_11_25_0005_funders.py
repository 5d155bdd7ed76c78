"""funders of a call, pool contributions, payouts

Revision ID: 0005_funders
Revises: 0004_pledge_lifecycle
Create Date: 2026-11-25 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0005_funders"
down_revision: str | None = "0004_pledge_lifecycle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    funder = op.create_table(
        "funder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("max_share_percent", sa.Integer(), nullable=True),
        sa.Column("max_cents", sa.BigInteger(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"], ["challenge.id"], name=op.f("fk_funder_challenge_id_challenge"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"], name=op.f("fk_funder_organization_id_organization")
        ),
        sa.ForeignKeyConstraint(
            ["received_by_id"], ["user_account.id"], name=op.f("fk_funder_received_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funder")),
        sa.UniqueConstraint("challenge_id", "organization_id", name=op.f("uq_funder_challenge_id_organization_id")),
    )
    op.create_index(op.f("ix_funder_challenge_id"), "funder", ["challenge_id"], unique=False)
    op.create_index(op.f("ix_funder_organization_id"), "funder", ["organization_id"], unique=False)

    op.create_table(
        "payout_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("divisible", sa.Boolean(), nullable=False),
        sa.Column("asked_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenge.id"],
            name=op.f("fk_payout_grant_challenge_id_challenge"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_payout_grant_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_grant")),
        sa.UniqueConstraint("key", name=op.f("uq_payout_grant_key")),
    )
    op.create_index(op.f("ix_payout_grant_challenge_id"), "payout_grant", ["challenge_id"], unique=False)
    op.create_index(op.f("ix_payout_grant_project_id"), "payout_grant", ["project_id"], unique=False)

    op.create_table(
        "payout_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("funder_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("cents", sa.BigInteger(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["funder_id"], ["funder.id"], name=op.f("fk_payout_share_funder_id_funder")),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["payout_grant.id"], name=op.f("fk_payout_share_grant_id_payout_grant"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_payout_share_project_id_project")),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["ledger_transfer.id"], name=op.f("fk_payout_share_transfer_id_ledger_transfer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_share")),
        sa.UniqueConstraint("grant_id", "funder_id", name=op.f("uq_payout_share_grant_id_funder_id")),
    )
    op.create_index(op.f("ix_payout_share_funder_id"), "payout_share", ["funder_id"], unique=False)
    op.create_index(op.f("ix_payout_share_grant_id"), "payout_share", ["grant_id"], unique=False)
    op.create_index(op.f("ix_payout_share_project_id"), "payout_share", ["project_id"], unique=False)

    op.create_table(
        "revenue_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=60), nullable=False),
        sa.Column("declared_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["declared_by_id"], ["user_account.id"], name=op.f("fk_revenue_line_declared_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_revenue_line_project_id_project"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revenue_line")),
    )
    op.create_index(op.f("ix_revenue_line_project_id"), "revenue_line", ["project_id"], unique=False)

    # Compatibility: a call's pool_cents was the authority's own budget. The authority becomes the
    # call's first funder for that amount, unrestricted and not yet received (nothing was in the
    # ledger for it), so existing calls keep their pool and the authority marks it received when the
    # money is there.
    challenge = sa.table(
        "challenge", sa.column("id", sa.Integer()), sa.column("organization_id", sa.Integer()), sa.column("pool_cents")
    )
    pools = op.get_bind().execute(
        sa.select(challenge.c.id, challenge.c.organization_id, challenge.c.pool_cents).where(challenge.c.pool_cents > 0)
    )
    now = datetime.now(UTC)
    rows = [
        {
            "challenge_id": challenge_id,
            "organization_id": organization_id,
            "amount_cents": pool_cents,
            "kinds": [],
            "themes": [],
            "created_at": now,
        }
        for challenge_id, organization_id, pool_cents in pools
    ]
    if rows:
        op.bulk_insert(funder, rows)


def downgrade() -> None:
    op.drop_index(op.f("ix_revenue_line_project_id"), table_name="revenue_line")
    op.drop_table("revenue_line")
    op.drop_index(op.f("ix_payout_share_project_id"), table_name="payout_share")
    op.drop_index(op.f("ix_payout_share_grant_id"), table_name="payout_share")
    op.drop_index(op.f("ix_payout_share_funder_id"), table_name="payout_share")
    op.drop_table("payout_share")
    op.drop_index(op.f("ix_payout_grant_project_id"), table_name="payout_grant")
    op.drop_index(op.f("ix_payout_grant_challenge_id"), table_name="payout_grant")
    op.drop_table("payout_grant")
    op.drop_index(op.f("ix_funder_organization_id"), table_name="funder")
    op.drop_index(op.f("ix_funder_challenge_id"), table_name="funder")
    op.drop_table("funder")
