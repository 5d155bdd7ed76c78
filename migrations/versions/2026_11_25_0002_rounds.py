"""co-budgeting rounds

Revision ID: 0002_rounds
Revises: 0001_initial
Create Date: 2026-11-25 08:57:17.529052
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0002_rounds"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "budget_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "rule", sa.Enum("greedy", "equal_shares", name="roundrule", native_enum=False, length=20), nullable=False
        ),
        sa.Column("satisfaction", sa.String(length=20), nullable=False),
        sa.Column("completion", sa.String(length=10), nullable=False),
        sa.Column("budget_cents", sa.BigInteger(), nullable=False),
        sa.Column("seed_cents", sa.BigInteger(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("min_choices", sa.Integer(), nullable=False),
        sa.Column("max_choices", sa.Integer(), nullable=True),
        sa.Column("max_ballot_cents", sa.BigInteger(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("scheduled", "closed", "published", name="roundstatus", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"], ["challenge.id"], name=op.f("fk_budget_round_challenge_id_challenge"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_round")),
    )
    with op.batch_alter_table("budget_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_round_challenge_id"), ["challenge_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_budget_round_closes_at"), ["closes_at"], unique=False)

    op.create_table(
        "round_candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("cost_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_round_candidate_project_id_project"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["budget_round.id"], name=op.f("fk_round_candidate_round_id_budget_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_candidate")),
        sa.UniqueConstraint("round_id", "project_id", name=op.f("uq_round_candidate_round_id_project_id")),
    )
    with op.batch_alter_table("round_candidate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_candidate_round_id"), ["round_id"], unique=False)

    op.create_table(
        "round_college",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["budget_round.id"], name=op.f("fk_round_college_round_id_budget_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_college")),
    )
    with op.batch_alter_table("round_college", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_college_round_id"), ["round_id"], unique=False)

    op.create_table(
        "round_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("rule_version", sa.String(length=20), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("voter_count", sa.Integer(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["budget_round.id"], name=op.f("fk_round_result_round_id_budget_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_result")),
        sa.UniqueConstraint("round_id", name=op.f("uq_round_result_round_id")),
    )
    op.create_table(
        "ballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=True),
        sa.Column("college_id", sa.Integer(), nullable=True),
        sa.Column("approvals", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["college_id"], ["round_college.id"], name=op.f("fk_ballot_college_id_round_college")),
        sa.ForeignKeyConstraint(
            ["round_id"], ["budget_round.id"], name=op.f("fk_ballot_round_id_budget_round"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["voter_id"], ["user_account.id"], name=op.f("fk_ballot_voter_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot")),
        sa.UniqueConstraint("round_id", "voter_id", name=op.f("uq_ballot_round_id_voter_id")),
    )
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ballot_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ballot_voter_id"), ["voter_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ballot_voter_id"))
        batch_op.drop_index(batch_op.f("ix_ballot_round_id"))

    op.drop_table("ballot")
    op.drop_table("round_result")
    with op.batch_alter_table("round_college", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_college_round_id"))

    op.drop_table("round_college")
    with op.batch_alter_table("round_candidate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_candidate_round_id"))

    op.drop_table("round_candidate")
    with op.batch_alter_table("budget_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_round_closes_at"))
        batch_op.drop_index(batch_op.f("ix_budget_round_challenge_id"))

    op.drop_table("budget_round")
