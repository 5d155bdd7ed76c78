"""What an expense looks like at the edges."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from commons.expenses.models import PURPOSE_MAX_LENGTH, RECEIPT_MAX_LENGTH
from commons.schemas import PositiveCents, ShortText

Purpose = Annotated[str, Meta(min_length=1, max_length=PURPOSE_MAX_LENGTH)]
ReceiptReference = Annotated[str, Meta(min_length=1, max_length=RECEIPT_MAX_LENGTH)]


class ExpenseCreate(msgspec.Struct, forbid_unknown_fields=True):
    """An expense reported by a project member; ``spent_on`` is the receipt's day, not in the future."""

    amount_cents: PositiveCents
    purpose: Purpose
    receipt_reference: ReceiptReference
    spent_on: date


class ExpenseReject(msgspec.Struct, forbid_unknown_fields=True):
    reason: ShortText = ""


class ApprovalRead(msgspec.Struct):
    user_id: int
    name: str
    approved_at: datetime


class ExpenseRead(msgspec.Struct):
    """An expense with where it stands: ``approvals_missing`` is what payment still needs."""

    id: int
    project_id: int
    author: dict[str, object]
    amount_cents: int
    purpose: str
    receipt_reference: str
    spent_on: date
    status: str
    created_at: datetime
    approvals: list[ApprovalRead]
    approvals_required: int
    approvals_missing: int
    approved_at: datetime | None
    paid_at: datetime | None
    paid_by: dict[str, object] | None
    rejection_reason: str
