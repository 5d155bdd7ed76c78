"""What funders and payouts look like at the edges (JSON API and forms)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from commons.accounts.models import OrganizationKind
from commons.challenges.schemas import Theme
from commons.schemas import Id, PositiveCents

Percent = Annotated[int, Meta(ge=1, le=100)]
Kinds = Annotated[list[OrganizationKind], Meta(max_length=len(OrganizationKind))]
Themes = Annotated[list[Theme], Meta(max_length=12)]


class FunderCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A contribution to a call's pool: ``kinds`` and ``themes`` empty fund every project."""

    organization_id: Id
    amount_cents: PositiveCents
    kinds: Kinds = []
    themes: Themes = []
    max_share_percent: Percent | None = None
    max_cents: PositiveCents | None = None


class FunderUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Fields left out stay as they are; ``null`` removes a cap."""

    amount_cents: PositiveCents | msgspec.UnsetType = msgspec.UNSET
    kinds: Kinds | msgspec.UnsetType = msgspec.UNSET
    themes: Themes | msgspec.UnsetType = msgspec.UNSET
    max_share_percent: Percent | msgspec.UnsetType | None = msgspec.UNSET
    max_cents: PositiveCents | msgspec.UnsetType | None = msgspec.UNSET


class FunderRead(msgspec.Struct):
    """A funder of a call; ``paid_cents`` is what it paid projects out of the pool so far."""

    id: int
    challenge_id: int
    organization: dict[str, object]
    is_authority: bool
    amount_cents: int
    received: bool
    received_at: datetime | None
    paid_cents: int
    kinds: list[str]
    themes: list[str]
    max_share_percent: int | None
    max_cents: int | None


class PayoutLineRead(msgspec.Struct):
    """Who paid what: the total one funder paid one project, over every grant."""

    funder_id: int
    funder_name: str
    project_id: int
    project_title: str
    cents: int


class GrantRead(msgspec.Struct):
    """A grant asked of the pool, what it got from each funder, and why it got less (in French)."""

    project_id: int
    round_id: int | None
    purpose: str
    asked_cents: int
    paid_cents: int
    by_funder: dict[int, int]
    reason: str
