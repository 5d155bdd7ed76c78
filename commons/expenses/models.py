"""An expense reported against a project's money, and the approvals it received."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.accounts.models import User
from commons.db import Base, UTCDateTime, str_enum, utcnow

PURPOSE_MAX_LENGTH = 500
RECEIPT_MAX_LENGTH = 200


class ExpenseStatus(enum.StrEnum):
    """submitted → approved → paid; rejected by a lead or withdrawn by its author while not paid."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    PAID = "paid"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def is_final(self) -> bool:
        return self in (ExpenseStatus.PAID, ExpenseStatus.REJECTED, ExpenseStatus.WITHDRAWN)

    @property
    def label(self) -> str:
        """The French word shown on pages."""
        return _LABELS[self]


_LABELS = {
    ExpenseStatus.SUBMITTED: "en attente d'approbation",
    ExpenseStatus.APPROVED: "approuvée",
    ExpenseStatus.PAID: "payée",
    ExpenseStatus.REJECTED: "refusée",
    ExpenseStatus.WITHDRAWN: "retirée",
}


class Expense(Base):
    """Money a project spent or will spend, paid from its ledger account once approved."""

    __tablename__ = "expense"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    purpose: Mapped[str] = mapped_column(String(PURPOSE_MAX_LENGTH))
    # An invoice number, a receipt's file name: how to find the proof.
    receipt_reference: Mapped[str] = mapped_column(String(RECEIPT_MAX_LENGTH))
    # The day the money was (or will be) spent, as on the receipt.
    spent_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ExpenseStatus] = mapped_column(str_enum(ExpenseStatus, 10), default=ExpenseStatus.SUBMITTED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Rejected or withdrawn.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str] = mapped_column(Text, default="")

    author: Mapped[User] = relationship(lazy="joined", foreign_keys=[author_id])
    paid_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[paid_by_id])
    approvals: Mapped[list[ExpenseApproval]] = relationship(
        lazy="selectin", order_by="ExpenseApproval.id", cascade="all, delete-orphan"
    )


class ExpenseApproval(Base):
    """One person's approval of one expense (at most one each: the unique constraint)."""

    __tablename__ = "expense_approval"
    __table_args__ = (UniqueConstraint("expense_id", "approver_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    expense_id: Mapped[int] = mapped_column(ForeignKey("expense.id", ondelete="CASCADE"), index=True)
    approver_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    approver: Mapped[User] = relationship(lazy="joined")
