"""What a call looks like at the edges (JSON API and forms)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from commons.schemas import Cents, Id, LongText, ShortText, Title


class IndicatorIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    unit: Annotated[str, Meta(max_length=50)] = ""


Theme = Annotated[str, Meta(min_length=1, max_length=60)]


class ChallengeCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    problem: LongText
    licence: Annotated[str, Meta(min_length=1, max_length=40)]
    organization_id: Id | None = None
    cost_ceiling_cents: Cents | None = None
    externalities: LongText = ""
    commons_governance: LongText = ""
    themes: Annotated[list[Theme], Meta(max_length=12)] = []
    territory_id: Id | None = None
    indicators: Annotated[list[IndicatorIn], Meta(max_length=30)] = []
    pool_cents: Cents | None = None
    deadline: datetime | None = None


class ChallengeUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Fields left out stay as they are."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    problem: LongText | msgspec.UnsetType = msgspec.UNSET
    licence: ShortText | msgspec.UnsetType = msgspec.UNSET
    cost_ceiling_cents: Cents | msgspec.UnsetType | None = msgspec.UNSET
    externalities: LongText | msgspec.UnsetType = msgspec.UNSET
    commons_governance: LongText | msgspec.UnsetType = msgspec.UNSET
    themes: Annotated[list[Theme], Meta(max_length=12)] | msgspec.UnsetType = msgspec.UNSET
    territory_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    indicators: Annotated[list[IndicatorIn], Meta(max_length=30)] | msgspec.UnsetType = msgspec.UNSET
    pool_cents: Cents | msgspec.UnsetType | None = msgspec.UNSET
    deadline: datetime | msgspec.UnsetType | None = msgspec.UNSET


class IndicatorRead(msgspec.Struct):
    id: int
    name: str
    unit: str


class ChallengeRead(msgspec.Struct):
    id: int
    title: str
    problem: str
    licence: str
    status: str
    organization: dict[str, object]
    cost_ceiling_cents: int | None
    externalities: str
    commons_governance: str
    themes: list[str]
    territory: dict[str, object] | None
    indicators: list[IndicatorRead]
    pool_cents: int | None
    deadline: datetime | None
    published_at: datetime | None
    closed_at: datetime | None
    project_count: int
    pledged_cents: int
    pledged_minutes: int
