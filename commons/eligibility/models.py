"""A census identifier or an invitation code of one round, stored only as its HMAC, and whom it binds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from commons.db import Base, UTCDateTime, utcnow


class EligibilityCredential(Base):
    """One identifier of the census, or one invitation code, of a round.

    ``holder_id`` is set once, when a person claims it: one credential for one person (the first
    unique constraint), one person at most one credential per round (the second), so a second
    account of the same person cannot reuse it.
    """

    __tablename__ = "eligibility_credential"
    __table_args__ = (UniqueConstraint("round_id", "digest"), UniqueConstraint("round_id", "holder_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_round.id", ondelete="CASCADE"), index=True)
    # "census" or "codes", as the round's eligibility when it was created.
    kind: Mapped[str] = mapped_column(String(10))
    digest: Mapped[str] = mapped_column(String(64))
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    bound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
