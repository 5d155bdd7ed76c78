"""A call for commons, its indicators and its followers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.accounts.models import Organization
from commons.db import Base, UTCDateTime, str_enum, utcnow
from commons.territories.models import Territory


class ChallengeStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


# Open licences a call may require for its deliverables (SPDX identifiers).
LICENCES: dict[str, str] = {
    "CC-BY-4.0": "Creative Commons Attribution 4.0",
    "CC-BY-SA-4.0": "Creative Commons Attribution – Partage dans les mêmes conditions 4.0",
    "CC0-1.0": "Creative Commons Zero (domaine public)",
    "ODbL-1.0": "Open Database License 1.0",
    "etalab-2.0": "Licence Ouverte Etalab 2.0",
    "GPL-3.0-or-later": "GNU GPL v3 ou ultérieure",
    "AGPL-3.0-or-later": "GNU AGPL v3 ou ultérieure",
    "LGPL-3.0-or-later": "GNU LGPL v3 ou ultérieure",
    "MIT": "Licence MIT",
    "Apache-2.0": "Apache 2.0",
    "CERN-OHL-S-2.0": "CERN Open Hardware Licence (fort) 2.0",
}


class Challenge(Base):
    __tablename__ = "challenge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text)
    cost_ceiling_cents: Mapped[int | None] = mapped_column(BigInteger)
    externalities: Mapped[str] = mapped_column(Text, default="")
    licence: Mapped[str] = mapped_column(String(40))
    commons_governance: Mapped[str] = mapped_column(Text, default="")
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id"))
    pool_cents: Mapped[int | None] = mapped_column(BigInteger)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[ChallengeStatus] = mapped_column(
        str_enum(ChallengeStatus, 10),
        default=ChallengeStatus.DRAFT,
        index=True,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Read model, maintained by the workers from pledge and project events.
    pledged_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    pledged_minutes: Mapped[int] = mapped_column(BigInteger, default=0)
    project_count: Mapped[int] = mapped_column(Integer, default=0)

    organization: Mapped[Organization] = relationship(lazy="joined")
    territory: Mapped[Territory | None] = relationship(lazy="joined")
    indicators: Mapped[list[Indicator]] = relationship(
        lazy="selectin", order_by="Indicator.position", cascade="all, delete-orphan"
    )

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "status": self.status.value}


class Indicator(Base):
    """A shared evaluation criterion defined with the call (e.g. "trajets partagés", "trajets/mois")."""

    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(Integer, default=0)


class ChallengeFollower(Base):
    """Someone told of new projects on a call."""

    __tablename__ = "challenge_follower"
    __table_args__ = (UniqueConstraint("challenge_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
