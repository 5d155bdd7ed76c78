"""participation: who confirmed a pledge, a round's eligibility check and its credentials

Revision ID: 0013_participation
Revises: 0010_email_verification
Create Date: 2026-12-05 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_participation"
down_revision: str | None = "0012_account_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable and left empty on existing rows: who confirmed them was not recorded, so they no longer
    # count in a matching round (only money received by someone other than its contributor does).
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_pledge_confirmed_by_id_user_account"), "user_account", ["confirmed_by_id"], ["id"]
        )
    # Existing rounds keep the check they had: a verified e-mail address.
    with op.batch_alter_table("budget_round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("eligibility", sa.String(length=10), server_default="email", nullable=False))
    op.create_table(
        "eligibility_credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=True),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["budget_round.id"],
            name=op.f("fk_eligibility_credential_round_id_budget_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["user_account.id"], name=op.f("fk_eligibility_credential_holder_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_credential")),
        sa.UniqueConstraint("round_id", "digest", name=op.f("uq_eligibility_credential_round_id_digest")),
        sa.UniqueConstraint("round_id", "holder_id", name=op.f("uq_eligibility_credential_round_id_holder_id")),
    )
    op.create_index(
        op.f("ix_eligibility_credential_round_id"), "eligibility_credential", ["round_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_eligibility_credential_round_id"), table_name="eligibility_credential")
    op.drop_table("eligibility_credential")
    with op.batch_alter_table("budget_round", schema=None) as batch_op:
        batch_op.drop_column("eligibility")
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_pledge_confirmed_by_id_user_account"), type_="foreignkey")
        batch_op.drop_column("confirmed_by_id")
