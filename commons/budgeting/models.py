"""Co-budgeting rounds of a call: the declared rule, the ballots, and the stored result."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.db import Base, UTCDateTime, str_enum, utcnow
from commons.projects.models import Project


class RoundRule(enum.StrEnum):
    """The rules a round can declare (DESIGN §3). Only approval-ballot rules run in rounds so far."""

    GREEDY = "greedy"
    EQUAL_SHARES = "equal_shares"


class RoundStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # rules published, votes accepted between opens_at and closes_at
    CLOSED = "closed"  # no more ballots; the allocation is being computed
    PUBLISHED = "published"  # the allocation is stored and public


class Round(Base):
    """A dated co-budget ("relevé") of a call: a pool, a rule, ballot limits.

    Rule, limits and budget are frozen once the first ballot exists (``frozen_at``).
    """

    __tablename__ = "budget_round"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    rule: Mapped[RoundRule] = mapped_column(str_enum(RoundRule, 20))
    satisfaction: Mapped[str] = mapped_column(String(20), default="cost")
    completion: Mapped[str] = mapped_column(String(10), default="add1")
    budget_cents: Mapped[int] = mapped_column(BigInteger)
    # Paid to each shortlisted project before the vote, out of the budget.
    seed_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    min_choices: Mapped[int] = mapped_column(Integer, default=0)
    max_choices: Mapped[int | None] = mapped_column(Integer)
    # A knapsack ballot: the approved projects may cost at most this much in total.
    max_ballot_cents: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[RoundStatus] = mapped_column(str_enum(RoundStatus, 12), default=RoundStatus.SCHEDULED)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    candidates: Mapped[list[Candidate]] = relationship(
        lazy="selectin", order_by="Candidate.id", cascade="all, delete-orphan"
    )
    colleges: Mapped[list[College]] = relationship(lazy="selectin", order_by="College.id", cascade="all, delete-orphan")


class Candidate(Base):
    """A project on a round's ballot, with the cost it asks the pool for."""

    __tablename__ = "round_candidate"
    __table_args__ = (UniqueConstraint("round_id", "project_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_round.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    cost_cents: Mapped[int] = mapped_column(BigInteger)

    project: Mapped[Project] = relationship(lazy="joined")


class College(Base):
    """A voting group with a declared weight, whatever its number of voters (as in a SCIC).

    A voter belongs to the first college listing the kind of an organization they administer,
    else to the college listing ``habitant``.
    """

    __tablename__ = "round_college"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_round.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    weight: Mapped[int] = mapped_column(Integer)
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)


class Ballot(Base):
    """One person's approval ballot in a round: one per person, changeable until the close.

    Ballots imported from a pabulib file have no voter (``voter_id`` is NULL): the vote
    happened elsewhere and only its anonymized ballots are known.
    """

    __tablename__ = "ballot"
    __table_args__ = (UniqueConstraint("round_id", "voter_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_round.id", ondelete="CASCADE"), index=True)
    voter_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    college_id: Mapped[int | None] = mapped_column(ForeignKey("round_college.id"))
    approvals: Mapped[list[int]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoundResult(Base):
    """The published allocation, with what is needed to recompute and check it."""

    __tablename__ = "round_result"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_round.id", ondelete="CASCADE"), unique=True)
    rule: Mapped[str] = mapped_column(String(40))
    rule_version: Mapped[str] = mapped_column(String(20))
    # SHA-256 of the canonical inputs (rule, parameters, costs, anonymized ballots, weights, budget).
    fingerprint: Mapped[str] = mapped_column(String(64))
    voter_count: Mapped[int] = mapped_column(Integer)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    explanation: Mapped[str] = mapped_column(Text, default="")
