"""Co-budgeting rounds of a call: the declared rule, the ballots, and the stored result."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.accounts.models import User
from commons.db import Base, UTCDateTime, str_enum, utcnow
from commons.projects.models import Project


class RoundRule(enum.StrEnum):
    """The rules a round can declare (DESIGN §3).

    Greedy and equal shares read approval ballots; quadratic and ratio match the money people
    pledge to the candidates while the round is open; wallets split the pool among registered
    participants who spread it themselves.
    """

    GREEDY = "greedy"
    EQUAL_SHARES = "equal_shares"
    QUADRATIC = "quadratic"
    RATIO = "ratio"
    WALLETS = "wallets"

    @property
    def is_approval(self) -> bool:
        return self in (RoundRule.GREEDY, RoundRule.EQUAL_SHARES)

    @property
    def is_matching(self) -> bool:
        return self in (RoundRule.QUADRATIC, RoundRule.RATIO)


class Eligibility(enum.StrEnum):
    """Who may vote or register in a round, as Decidim's authorization handlers.

    email: anyone with a verified address; census: people whose identifier is on the list the
    authority imported; codes: people who redeemed one of the invitation codes it handed out.
    """

    EMAIL = "email"
    CENSUS = "census"
    CODES = "codes"


class RoundStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # rules published, votes accepted between opens_at and closes_at
    CLOSED = "closed"  # no more ballots; the allocation is being computed
    PUBLISHED = "published"  # the allocation is stored and public


class Round(Base):
    """A dated co-budget ("relevé") of a call: a pool, a rule, ballot limits, the rule's settings.

    Rule, limits, budget and settings are frozen once the round has started (``frozen_at``): by
    its first ballot, its first wallet spending, or its first matched pledge.
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
    # The most one project may receive from the pool (matching and wallet rules).
    project_cap_cents: Mapped[int | None] = mapped_column(BigInteger)
    # Ratio matching: the pool adds ratio_numerator / ratio_denominator of each gift, at most
    # person_cap_cents per person, gifts served in arrival order or proportionally at the close.
    ratio_numerator: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    ratio_denominator: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    person_cap_cents: Mapped[int | None] = mapped_column(BigInteger)
    ratio_mode: Mapped[str] = mapped_column(String(12), default="first_come", server_default="first_come")
    # Wallets: whether a participant may hand a share of their wallet to another, and where the
    # money given to projects that miss their minimum goes ("pool" back, or "respread").
    delegation_allowed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    leftover: Mapped[str] = mapped_column(String(10), default="pool", server_default="pool")
    # The check a person passes before voting or registering, beyond a verified e-mail address:
    # see ``commons.eligibility`` (email, census, codes).
    eligibility: Mapped[Eligibility] = mapped_column(
        str_enum(Eligibility, 10), default=Eligibility.EMAIL, server_default=Eligibility.EMAIL.value
    )
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
    """A group of people with a declared weight, whatever its number of members (as in a SCIC).

    In every rule a college controls the part of the pool proportional to its weight (see
    ``commons.budgeting.rules.colleges``). A person belongs to the first college listing the kind of
    an organization they administer, else to the college listing ``habitant``.
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


class MatchEstimate(Base):
    """The current estimated match of a matching round, recomputed by a worker as pledges arrive.

    One row per round, locked while it is recomputed; ``computed_at`` is when the pledges it
    counts were read, so an event older than it is already included (a burst of pledges gives one
    recompute) and ``version`` counts the computations.
    """

    __tablename__ = "match_estimate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_round.id", ondelete="CASCADE"), unique=True)
    # Match in cents and number of contributors, by project id (as a string, JSON keys).
    amounts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    contributors: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Registration(Base):
    """A participant of a wallet round, registered before it opens: one per person and round."""

    __tablename__ = "round_registration"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_round.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The participant's college, placed at registration and kept: a wallet must not change size
    # because someone gained or lost an organization during the round (None without colleges).
    college_id: Mapped[int | None] = mapped_column(ForeignKey("round_college.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class WalletSpending(Base):
    """What one participant puts from their wallet on one candidate: one line per person and project."""

    __tablename__ = "wallet_spending"
    __table_args__ = (UniqueConstraint("round_id", "user_id", "project_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_round.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Delegation(Base):
    """A participant hands a percentage of their wallet to another (DESIGN: délégation).

    One per delegator and round; followed transitively, a cycle is refused.
    """

    __tablename__ = "delegation"
    __table_args__ = (UniqueConstraint("round_id", "delegator_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_round.id", ondelete="CASCADE"), index=True)
    delegator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    delegate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    percent: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    delegator: Mapped[User] = relationship(lazy="joined", foreign_keys=[delegator_id])
    delegate: Mapped[User] = relationship(lazy="joined", foreign_keys=[delegate_id])
