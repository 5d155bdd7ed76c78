"""Rounds, ballots and results at the edges."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from commons.budgeting.models import Eligibility, RoundRule
from commons.schemas import Cents, Id, PositiveCents, Title


class CandidateIn(msgspec.Struct, forbid_unknown_fields=True):
    project_id: Id
    cost_cents: Annotated[int, Meta(ge=1, le=10_000_000 * 100)]


class CollegeIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=100)]
    weight: Annotated[int, Meta(ge=1, le=1000)]
    kinds: Annotated[list[str], Meta(min_length=1, max_length=7)]


Choices = Annotated[int, Meta(ge=0, le=1000)]
# The ratio of ratio matching: an integer ("2", 2) or a fraction ("3/2"), parsed by the service.
Ratio = Annotated[str, Meta(min_length=1, max_length=12)] | Annotated[int, Meta(ge=1, le=100)]
RatioMode = Literal["first_come", "proportional"]
Leftover = Literal["pool", "respread"]


class RoundCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    rule: RoundRule
    budget_cents: Cents
    opens_at: datetime
    closes_at: datetime
    satisfaction: Literal["cost", "cardinality"] = "cost"
    completion: Literal["none", "add1", "add1u"] = "add1"
    seed_cents: Cents = 0
    min_choices: Choices = 0
    max_choices: Choices | None = None
    max_ballot_cents: Cents | None = None
    # Matching and wallet rules: the most one project may receive from the pool (quadratic, ratio),
    # or the most one person may put on one project (wallets).
    project_cap_cents: PositiveCents | None = None
    ratio: Ratio | None = None
    person_cap_cents: PositiveCents | None = None
    ratio_mode: RatioMode = "first_come"
    delegation_allowed: bool = False
    leftover: Leftover = "pool"
    # Who may vote or register: a verified address (email), the authority's census, or invitation codes.
    eligibility: Eligibility = Eligibility.EMAIL
    # Default: every project of the call, asking the sum of its money needs' minimums.
    candidates: Annotated[list[CandidateIn], Meta(max_length=1000)] | None = None
    colleges: Annotated[list[CollegeIn], Meta(max_length=10)] = []


class RoundUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Fields left out stay as they are; refused once the first ballot is cast."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    budget_cents: Cents | msgspec.UnsetType = msgspec.UNSET
    opens_at: datetime | msgspec.UnsetType = msgspec.UNSET
    closes_at: datetime | msgspec.UnsetType = msgspec.UNSET
    min_choices: Choices | msgspec.UnsetType = msgspec.UNSET
    max_choices: Choices | msgspec.UnsetType | None = msgspec.UNSET
    max_ballot_cents: Cents | msgspec.UnsetType | None = msgspec.UNSET
    seed_cents: Cents | msgspec.UnsetType = msgspec.UNSET
    project_cap_cents: PositiveCents | msgspec.UnsetType | None = msgspec.UNSET
    ratio: Ratio | msgspec.UnsetType = msgspec.UNSET
    person_cap_cents: PositiveCents | msgspec.UnsetType | None = msgspec.UNSET
    ratio_mode: RatioMode | msgspec.UnsetType = msgspec.UNSET
    delegation_allowed: bool | msgspec.UnsetType = msgspec.UNSET
    leftover: Leftover | msgspec.UnsetType = msgspec.UNSET
    eligibility: Eligibility | msgspec.UnsetType = msgspec.UNSET


class RoundImport(msgspec.Struct, forbid_unknown_fields=True):
    """A vote held elsewhere, as a pabulib `.pb` file (amounts in currency units, read as euros)."""

    pb: Annotated[str, Meta(min_length=1, max_length=20_000_000)]
    rule: RoundRule
    title: Annotated[str, Meta(max_length=200)] = ""
    satisfaction: Literal["cost", "cardinality"] = "cost"
    completion: Literal["none", "add1", "add1u"] = "add1"


class BallotIn(msgspec.Struct, forbid_unknown_fields=True):
    approvals: Annotated[list[Id], Meta(max_length=1000)]


class SpendingLine(msgspec.Struct, forbid_unknown_fields=True):
    project_id: Id
    amount_cents: Cents


class SpendingIn(msgspec.Struct, forbid_unknown_fields=True):
    """A participant's whole spread of their wallet (replaces the previous one); amounts 0 are dropped."""

    lines: Annotated[list[SpendingLine], Meta(max_length=1000)]


class DelegationIn(msgspec.Struct, forbid_unknown_fields=True):
    delegate_id: Id
    percent: Annotated[int, Meta(ge=1, le=100)]


class ProgressRead(msgspec.Struct):
    """How far a closed round's computation went, while its result is computed."""

    runs: int
    # The share per voter of the latest run, in cents (null for a round with colleges).
    share_cents: int | None
    started_at: datetime
    elapsed_seconds: int


class RoundRead(msgspec.Struct):
    id: int
    challenge_id: int
    title: str
    rule: str
    satisfaction: str
    completion: str
    status: str
    budget_cents: int
    seed_cents: int
    opens_at: datetime
    closes_at: datetime
    min_choices: int
    max_choices: int | None
    max_ballot_cents: int | None
    project_cap_cents: int | None
    ratio: str
    person_cap_cents: int | None
    ratio_mode: str
    delegation_allowed: bool
    leftover: str
    eligibility: str
    frozen: bool
    candidates: list[dict[str, Any]]
    colleges: list[dict[str, Any]]
    ballot_count: int
    # While a closed round's result is computed, when the rule reports how far it went; else null.
    progress: ProgressRead | None = None


class ResultRead(msgspec.Struct):
    round_id: int
    rule: str
    rule_version: str
    fingerprint: str
    voter_count: int
    total_cents: int
    computed_at: datetime
    lines: list[dict[str, Any]]
    # A sentence on the whole result (where the money that was not allocated goes).
    explanation: str


class EstimateRead(msgspec.Struct):
    """The current estimated match of a matching round ("abondement estimé")."""

    round_id: int
    computed_at: datetime | None
    version: int
    total_cents: int
    lines: list[dict[str, Any]]


class WalletRead(msgspec.Struct):
    """One participant's wallet: what they have, delegated, received, spread, and what is left."""

    round_id: int
    registered: bool
    participant_count: int
    wallet_cents: int
    delegated_cents: int
    received_cents: int
    spending_power_cents: int
    spent_cents: int
    left_cents: int
    lines: list[dict[str, Any]]
    delegation: dict[str, Any] | None
    # The participant's college when the round has colleges: its part of the pool is shared within it.
    college: str | None = None
