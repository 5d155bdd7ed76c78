"""matching and wallet rounds, delegations

Revision ID: 0007_round_matching
Revises: 0006_expenses
Create Date: 2026-11-25 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_round_matching"
down_revision: str | None = "0006_expenses"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The settings of the matching and wallet rules; existing rounds get the neutral defaults.
    with op.batch_alter_table("budget_round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("project_cap_cents", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("ratio_numerator", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("ratio_denominator", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("person_cap_cents", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("ratio_mode", sa.String(length=12), nullable=False, server_default="first_come"))
        batch_op.add_column(sa.Column("delegation_allowed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("leftover", sa.String(length=10), nullable=False, server_default="pool"))

    op.create_table(
        "match_estimate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("amounts", sa.JSON(), nullable=False),
        sa.Column("contributors", sa.JSON(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"], ["budget_round.id"], name=op.f("fk_match_estimate_round_id_budget_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_estimate")),
        sa.UniqueConstraint("round_id", name=op.f("uq_match_estimate_round_id")),
    )
    op.create_table(
        "round_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["budget_round.id"],
            name=op.f("fk_round_registration_round_id_budget_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_round_registration_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_registration")),
        sa.UniqueConstraint("round_id", "user_id", name=op.f("uq_round_registration_round_id_user_id")),
    )
    with op.batch_alter_table("round_registration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_registration_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_round_registration_user_id"), ["user_id"], unique=False)

    op.create_table(
        "wallet_spending",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_wallet_spending_project_id_project"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["budget_round.id"], name=op.f("fk_wallet_spending_round_id_budget_round"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_wallet_spending_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_spending")),
        sa.UniqueConstraint(
            "round_id", "user_id", "project_id", name=op.f("uq_wallet_spending_round_id_user_id_project_id")
        ),
    )
    with op.batch_alter_table("wallet_spending", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wallet_spending_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_wallet_spending_user_id"), ["user_id"], unique=False)

    op.create_table(
        "delegation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("delegator_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["user_account.id"], name=op.f("fk_delegation_delegate_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["delegator_id"], ["user_account.id"], name=op.f("fk_delegation_delegator_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["budget_round.id"], name=op.f("fk_delegation_round_id_budget_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegation")),
        sa.UniqueConstraint("round_id", "delegator_id", name=op.f("uq_delegation_round_id_delegator_id")),
    )
    with op.batch_alter_table("delegation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delegation_delegate_id"), ["delegate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_delegation_round_id"), ["round_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("delegation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegation_round_id"))
        batch_op.drop_index(batch_op.f("ix_delegation_delegate_id"))
    op.drop_table("delegation")
    with op.batch_alter_table("wallet_spending", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_spending_user_id"))
        batch_op.drop_index(batch_op.f("ix_wallet_spending_round_id"))
    op.drop_table("wallet_spending")
    with op.batch_alter_table("round_registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_registration_user_id"))
        batch_op.drop_index(batch_op.f("ix_round_registration_round_id"))
    op.drop_table("round_registration")
    op.drop_table("match_estimate")
    with op.batch_alter_table("budget_round", schema=None) as batch_op:
        batch_op.drop_column("leftover")
        batch_op.drop_column("delegation_allowed")
        batch_op.drop_column("ratio_mode")
        batch_op.drop_column("person_cap_cents")
        batch_op.drop_column("ratio_denominator")
        batch_op.drop_column("ratio_numerator")
        batch_op.drop_column("project_cap_cents")
