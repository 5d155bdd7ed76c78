"""A call's funders, and the grants paid out of its pool with who paid what.

A funder is an organization contributing an amount to one call's pool, with rules: the kinds of
project-leading organizations it funds, the themes, and caps per project. The call's own authority
is a funder like the others (its row mirrors ``Challenge.pool_cents``, see ``services``).

A contribution enters the pool in the ledger (funder → challenge pool) when it is marked received;
payouts then move money from the pool to projects (challenge pool → project), one ledger transfer
per funder and project, each recorded here as a ``PayoutShare`` of a ``PayoutGrant``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.accounts.models import Organization
from commons.db import Base, UTCDateTime, utcnow
from commons.projects.models import Project


class Funder(Base):
    """One organization's contribution to a call's pool, with its eligibility rules and caps.

    ``kinds`` and ``themes`` empty mean every kind and every theme. ``max_share_percent`` caps what
    it pays a project at that percentage of the project's budget (the sum of its money needs'
    maximum amounts); ``max_cents`` caps it absolutely; both count everything it paid the project.
    """

    __tablename__ = "funder"
    __table_args__ = (UniqueConstraint("challenge_id", "organization_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_share_percent: Mapped[int | None] = mapped_column(Integer)
    max_cents: Mapped[int | None] = mapped_column(BigInteger)
    # Set when the call's admins mark the money received: it is then in the pool's ledger account.
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship(lazy="joined")


class PayoutGrant(Base):
    """One grant asked of the pool (a round's allocation, a seed, a match...) and what it got.

    ``key`` names the grant (call, round, purpose, project) so paying it again has no second effect.
    """

    __tablename__ = "payout_grant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int | None] = mapped_column(Integer)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    divisible: Mapped[bool] = mapped_column(Boolean)
    asked_cents: Mapped[int] = mapped_column(BigInteger)
    paid_cents: Mapped[int] = mapped_column(BigInteger)
    # Why it got less than asked, in French; empty when paid in full.
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(lazy="joined")
    shares: Mapped[list[PayoutShare]] = relationship(lazy="selectin", order_by="PayoutShare.funder_id")


class PayoutShare(Base):
    """What one funder paid of one grant, and the ledger transfer that moved it."""

    __tablename__ = "payout_share"
    __table_args__ = (UniqueConstraint("grant_id", "funder_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("payout_grant.id", ondelete="CASCADE"), index=True)
    funder_id: Mapped[int] = mapped_column(ForeignKey("funder.id"), index=True)
    # Copied from the grant, so "what did this funder pay this project" is one query.
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    cents: Mapped[int] = mapped_column(BigInteger)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("ledger_transfer.id"))

    funder: Mapped[Funder] = relationship(lazy="joined")
