"""What the transparency figures look like in the open-data API."""

from __future__ import annotations

import msgspec

from commons.resources.transparency import Transparency


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
    )
