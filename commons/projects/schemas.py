"""What a project, its needs and its members look like at the edges."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from commons.expenses.rules import MAX_APPROVALS
from commons.projects.models import ParticipationForm, ResourceOffer
from commons.schemas import Cents, Label, LongText, Minutes, People, Skill, Title

Approvals = Annotated[int, Meta(ge=1, le=MAX_APPROVALS)]


class MoneyNeedIn(msgspec.Struct, tag_field="kind", tag="money", forbid_unknown_fields=True):
    label: Label
    min_cents: Cents
    max_cents: Cents | None = None


class TimeNeedIn(msgspec.Struct, tag_field="kind", tag="time", forbid_unknown_fields=True):
    label: Label
    min_minutes: Minutes
    max_minutes: Minutes | None = None
    skill: Skill = ""


class SkillNeedIn(msgspec.Struct, tag_field="kind", tag="skill", forbid_unknown_fields=True):
    label: Label
    skill: Annotated[str, Meta(min_length=1, max_length=120)]
    min_people: People = 1
    max_people: People | None = None


NeedIn = MoneyNeedIn | TimeNeedIn | SkillNeedIn


class ProjectCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    summary: LongText
    team: LongText = ""
    modes_of_action: LongText = ""
    partnerships: LongText = ""
    governance: LongText = ""
    commons_rules: LongText = ""
    citizen_involvement: LongText = ""
    community_animation: LongText = ""
    needs: Annotated[list[NeedIn], Meta(max_length=50)] = []
    # All or nothing: pledges are released if every need has not reached its minimum by then.
    funding_deadline: datetime | None = None
    # Stretch goals ("objectifs bonus"): accept pledges beyond a need's maximum.
    stretch_goals: bool = False


class ProjectUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Fields left out stay as they are; ``needs`` given here are added to the project."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    summary: LongText | msgspec.UnsetType = msgspec.UNSET
    team: LongText | msgspec.UnsetType = msgspec.UNSET
    modes_of_action: LongText | msgspec.UnsetType = msgspec.UNSET
    partnerships: LongText | msgspec.UnsetType = msgspec.UNSET
    governance: LongText | msgspec.UnsetType = msgspec.UNSET
    commons_rules: LongText | msgspec.UnsetType = msgspec.UNSET
    citizen_involvement: LongText | msgspec.UnsetType = msgspec.UNSET
    community_animation: LongText | msgspec.UnsetType = msgspec.UNSET
    needs: Annotated[list[NeedIn], Meta(max_length=50)] | msgspec.UnsetType = msgspec.UNSET
    funding_deadline: datetime | msgspec.UnsetType | None = msgspec.UNSET
    stretch_goals: bool | msgspec.UnsetType = msgspec.UNSET
    # How many approvals an expense needs (see commons.expenses.rules).
    approvals_required: Approvals | msgspec.UnsetType = msgspec.UNSET


class MembershipCreate(msgspec.Struct, forbid_unknown_fields=True):
    forms: Annotated[list[ParticipationForm], Meta(min_length=1, max_length=3)]
    resources: Annotated[list[ResourceOffer], Meta(max_length=5)] = []
    offers: LongText = ""
    expects: LongText = ""


class NeedRead(msgspec.Struct, omit_defaults=True):
    """A need with its progress; amounts are named after their unit (cents, minutes, people)."""

    id: int
    kind: Literal["money", "time", "skill"]
    label: str
    skill: str = ""
    min_cents: int | None = None
    max_cents: int | None = None
    pledged_cents: int | None = None
    min_minutes: int | None = None
    max_minutes: int | None = None
    pledged_minutes: int | None = None
    min_people: int | None = None
    max_people: int | None = None
    pledged_people: int | None = None
    progress_percent: int = 0
    # Pledged against the maximum, not capped: beyond 100 with stretch goals.
    percent_of_max: int = 0


class MemberRead(msgspec.Struct):
    user_id: int
    name: str
    role: str
    forms: list[str]
    resources: list[str]
    offers: str
    expects: str
    joined_at: datetime


class ProjectRead(msgspec.Struct):
    id: int
    title: str
    summary: str
    challenge_id: int | None
    author: dict[str, object]
    team: str
    modes_of_action: str
    partnerships: str
    governance: str
    commons_rules: str
    citizen_involvement: str
    community_animation: str
    needs: list[NeedRead]
    members: list[MemberRead]
    pledged_cents: int
    pledged_minutes: int
    contributor_count: int
    created_at: datetime
    funding_status: str
    funding_deadline: datetime | None
    settled_at: datetime | None
    stretch_goals: bool = False
