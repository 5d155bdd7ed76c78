"""What the transparency figures and the declared revenue look like at the edges."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from commons.resources.transparency import Transparency
from commons.schemas import Label, PositiveCents


class TransparencyRead(msgspec.Struct):
    """A project's or a call's public figures: money in euro cents, time in minutes.

    ``named_contributors`` are those who chose to be named; the others are only counted.
    """

    scope: str
    id: int
    title: str
    promised_cents: int
    received_cents: int
    allocated_cents: int
    spent_cents: int
    promised_minutes: int
    given_minutes: int
    named_contributors: list[str]
    anonymous_contributors: int
    funders: list[FunderPaid]


class FunderPaid(msgspec.Struct):
    """What one funder paid out of calls' pools to the project (or the call's projects)."""

    name: str
    cents: int


def transparency_read(figures: Transparency) -> TransparencyRead:
    return TransparencyRead(
        scope=figures.scope,
        id=figures.id,
        title=figures.title,
        promised_cents=figures.promised_cents,
        received_cents=figures.received_cents,
        allocated_cents=figures.allocated_cents,
        spent_cents=figures.spent_cents,
        promised_minutes=figures.promised_minutes,
        given_minutes=figures.given_minutes,
        named_contributors=list(figures.named_contributors),
        anonymous_contributors=figures.anonymous_contributors,
        funders=[FunderPaid(name=name, cents=cents) for name, cents in figures.funders],
    )


Period = Annotated[str, Meta(min_length=1, max_length=60)]


class RevenueLineCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Revenue from services the project sells: an amount, what was sold, over which period (e.g. "2026")."""

    amount_cents: PositiveCents
    description: Label
    period: Period


class RevenueLineRead(msgspec.Struct):
    id: int
    project_id: int
    amount_cents: int
    description: str
    period: str
    declared_by: str
    created_at: datetime
