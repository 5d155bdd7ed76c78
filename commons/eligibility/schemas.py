"""Eligibility at the edges: a census to import, codes to generate, a credential to claim."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from commons.eligibility.rules import MAX_IDENTIFIER
from commons.eligibility.services import MAX_CENSUS, MAX_CODES

Identifier = Annotated[str, Meta(min_length=1, max_length=MAX_IDENTIFIER)]


class CensusIn(msgspec.Struct, forbid_unknown_fields=True):
    identifiers: Annotated[list[Identifier], Meta(min_length=1, max_length=MAX_CENSUS)]


class CensusRead(msgspec.Struct):
    added: int
    already: int


class CodesIn(msgspec.Struct, forbid_unknown_fields=True):
    count: Annotated[int, Meta(ge=1, le=MAX_CODES)]


class CodesRead(msgspec.Struct):
    """The new codes, shown this once: only their HMACs are kept."""

    codes: list[str]


class ClaimIn(msgspec.Struct, forbid_unknown_fields=True):
    """One's census identifier, or one's invitation code."""

    identifier: Identifier


class EligibilityRead(msgspec.Struct):
    round_id: int
    eligibility: str
    eligible: bool
