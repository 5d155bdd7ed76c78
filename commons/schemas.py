"""Shared building blocks of the I/O schemas: bounded strings and amounts.

Every text and number that crosses the edge has a bound, so oversize text and
absurd amounts are refused with a 400 that names the field.
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

# 10 million euros: beyond any call or pledge this platform is meant for.
MAX_CENTS = 10_000_000 * 100
# 10,000 hours.
MAX_MINUTES = 10_000 * 60
MAX_PEOPLE = 10_000

Title = Annotated[str, Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, Meta(max_length=200)]
LongText = Annotated[str, Meta(max_length=20_000)]
Label = Annotated[str, Meta(min_length=1, max_length=200)]
Cents = Annotated[int, Meta(ge=0, le=MAX_CENTS)]
PositiveCents = Annotated[int, Meta(ge=1, le=MAX_CENTS)]
Minutes = Annotated[int, Meta(ge=0, le=MAX_MINUTES)]
PositiveMinutes = Annotated[int, Meta(ge=1, le=MAX_MINUTES)]
People = Annotated[int, Meta(ge=0, le=MAX_PEOPLE)]
Id = Annotated[int, Meta(ge=1, le=2**31 - 1)]
Skill = Annotated[str, Meta(max_length=120)]
