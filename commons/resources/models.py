"""Own revenue: the services a project sells, declared by its leads, line by line."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.accounts.models import User
from commons.db import Base, UTCDateTime, utcnow


class RevenueLine(Base):
    """A declared revenue: an amount earned selling a service over a period (e.g. "2026", "T1 2026").

    Declared by a lead, not checked by the platform: the funding mix shows it as such.
    """

    __tablename__ = "revenue_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(60))
    declared_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    declared_by: Mapped[User] = relationship(lazy="joined")
