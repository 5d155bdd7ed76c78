"""A project, the lines of its budget (needs) and the people who joined it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.accounts.models import User
from commons.challenges.models import Challenge
from commons.db import Base, UTCDateTime, str_enum, utcnow
from commons.projects.funding import FundingStatus


class ResourceKind(enum.StrEnum):
    """The three kinds of resource a need asks for and a pledge gives."""

    MONEY = "money"  # amounts in euro cents
    TIME = "time"  # amounts in minutes
    SKILL = "skill"  # amounts in people bringing the skill


class Project(Base):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int | None] = mapped_column(ForeignKey("challenge.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    team: Mapped[str] = mapped_column(Text, default="")
    modes_of_action: Mapped[str] = mapped_column(Text, default="")
    partnerships: Mapped[str] = mapped_column(Text, default="")
    governance: Mapped[str] = mapped_column(Text, default="")
    commons_rules: Mapped[str] = mapped_column(Text, default="")
    citizen_involvement: Mapped[str] = mapped_column(Text, default="")
    community_animation: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # All or nothing: at this time, pledges are kept if every need reached its minimum, else released.
    funding_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    funding_status: Mapped[FundingStatus] = mapped_column(str_enum(FundingStatus, 20), default=FundingStatus.OPEN)
    # Stretch goals ("objectifs bonus"): pledges beyond a need's maximum are accepted (else refused).
    stretch_goals: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Read model, maintained by the workers from pledge events.
    pledged_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    pledged_minutes: Mapped[int] = mapped_column(BigInteger, default=0)
    contributor_count: Mapped[int] = mapped_column(Integer, default=0)
    # When the pledges the totals above count were read: a refresh for an event published before it skips.
    totals_as_of: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How many approvals an expense needs before it is paid (see commons.expenses.rules).
    approvals_required: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    challenge: Mapped[Challenge | None] = relationship(lazy="joined")
    author: Mapped[User] = relationship(lazy="joined")
    needs: Mapped[list[Need]] = relationship(lazy="selectin", order_by="Need.position", cascade="all, delete-orphan")
    memberships: Mapped[list[Membership]] = relationship(
        lazy="selectin", order_by="Membership.id", cascade="all, delete-orphan"
    )


class Need(Base):
    """A line of a project's budget: min is what it needs to start, max what it could use."""

    __tablename__ = "need"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ResourceKind] = mapped_column(str_enum(ResourceKind, 10))
    label: Mapped[str] = mapped_column(String(200))
    skill: Mapped[str] = mapped_column(String(120), default="")
    # In the kind's unit: cents, minutes, or people.
    min_amount: Mapped[int] = mapped_column(BigInteger)
    max_amount: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Read model: the sum of active pledges, in the same unit.
    pledged_amount: Mapped[int] = mapped_column(BigInteger, default=0)


class MembershipRole(enum.StrEnum):
    LEAD = "lead"
    MEMBER = "member"


class ParticipationForm(enum.StrEnum):
    """How one joins a project: relay it, finance it, or bring resources."""

    SUPPORT = "support"
    FINANCE = "finance"
    RESOURCES = "resources"


class ResourceOffer(enum.StrEnum):
    """Resources a member may bring."""

    MONEY = "money"
    TIME = "time"
    SKILLS = "skills"
    NETWORK = "network"
    TERRITORY = "territory"


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[MembershipRole] = mapped_column(str_enum(MembershipRole, 10))
    forms: Mapped[list[str]] = mapped_column(JSON, default=list)
    resources: Mapped[list[str]] = mapped_column(JSON, default=list)
    offers: Mapped[str] = mapped_column(Text, default="")
    expects: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
