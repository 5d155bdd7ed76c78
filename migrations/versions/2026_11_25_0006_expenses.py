"""project expenses, approvals, audit log

Revision ID: 0006_expenses
Revises: 0005_funders
Create Date: 2026-11-25 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_expenses"
down_revision: str | None = "0005_funders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # How many approvals an expense needs; existing projects keep the default (one lead's).
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approvals_required", sa.Integer(), nullable=False, server_default="1"))

    op.create_table(
        "expense",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("receipt_reference", sa.String(length=200), nullable=False),
        sa.Column("spent_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "approved",
                "paid",
                "rejected",
                "withdrawn",
                name="expensestatus",
                native_enum=False,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=False),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_expense_amount_positive")),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], name=op.f("fk_expense_author_id_user_account")),
        sa.ForeignKeyConstraint(["paid_by_id"], ["user_account.id"], name=op.f("fk_expense_paid_by_id_user_account")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_expense_project_id_project"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expense")),
    )
    with op.batch_alter_table("expense", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expense_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_expense_project_id"), ["project_id"], unique=False)

    op.create_table(
        "expense_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("expense_id", sa.Integer(), nullable=False),
        sa.Column("approver_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approver_id"], ["user_account.id"], name=op.f("fk_expense_approval_approver_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["expense_id"], ["expense.id"], name=op.f("fk_expense_approval_expense_id_expense"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expense_approval")),
        # One approval per person and expense.
        sa.UniqueConstraint("expense_id", "approver_id", name=op.f("uq_expense_approval_expense_id_approver_id")),
    )
    with op.batch_alter_table("expense_approval", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expense_approval_approver_id"), ["approver_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_expense_approval_expense_id"), ["expense_id"], unique=False)

    # The audit log: who did what to which object; rows are never updated nor deleted.
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"], name=op.f("fk_audit_entry_actor_id_user_account")),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_audit_entry_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_project_id"), ["project_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_project_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_actor_id"))
    op.drop_table("audit_entry")

    with op.batch_alter_table("expense_approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expense_approval_expense_id"))
        batch_op.drop_index(batch_op.f("ix_expense_approval_approver_id"))
    op.drop_table("expense_approval")

    with op.batch_alter_table("expense", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expense_project_id"))
        batch_op.drop_index(batch_op.f("ix_expense_author_id"))
    op.drop_table("expense")

    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("approvals_required")
