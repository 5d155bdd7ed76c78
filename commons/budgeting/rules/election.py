"""Plain data shared by the allocation rules: an approval election in, an allocation out.

Money is always an integer number of the smallest unit the caller chose (cents, or whole currency
units for pabulib files); rules never round a cost. Exact fractions only appear inside a rule, where
a comparison decides which project is funded.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from numbers import Rational
from typing import Literal

ProjectId = str
"""A project identifier as the caller wrote it; ties between projects are broken by comparing these
strings (so "10" comes before "9", exactly as the reference library pabutools does)."""

Satisfaction = Literal["cost", "cardinality"]
"""How much a voter is assumed to gain from a funded project they approve: its cost ("cost
utilities", the default of equalshares.net) or one ("cardinality")."""


@dataclass(frozen=True, slots=True)
class MoneyFormat:
    """How amounts are written in explanations: `decimals` is 2 when amounts are cents, 0 for units."""

    currency: str = "€"
    decimals: int = 0

    def __call__(self, amount: int | Rational) -> str:
        """Write an amount the French way: "45 000 €", "55,42 €" (at most two decimals shown)."""
        value = Fraction(int(amount.numerator), int(amount.denominator)) / 10**self.decimals
        cents = round(value * 100)
        units, rest = divmod(abs(cents), 100)
        sign = "-" if cents < 0 else ""
        grouped = f"{units:,}".replace(",", " ")
        return f"{sign}{grouped},{rest:02d} {self.currency}" if rest else f"{sign}{grouped} {self.currency}"


@dataclass(frozen=True, slots=True)
class ApprovalElection:
    """An approval election: project costs, one ballot per voter, a budget.

    Parameters:
        costs: cost of each project, a non-negative integer.
        ballots: for each voter, the projects they approve (repetitions are ignored).
        budget: the money to allocate, a non-negative integer.
        weights: optional positive integer weight per voter ("colleges" with declared weights); a
            voter of weight w counts exactly as w voters with the same ballot.
    """

    costs: Mapping[ProjectId, int]
    ballots: Sequence[Collection[ProjectId]]
    budget: int
    weights: Sequence[int] | None = None

    def __post_init__(self) -> None:
        """Refuse inconsistent data early, with a message naming the culprit."""
        if self.budget < 0:
            raise ValueError(f"the budget must be non-negative, got {self.budget}")
        for project, cost in self.costs.items():
            if not isinstance(cost, int) or cost < 0:
                raise ValueError(f"project {project!r}: the cost must be a non-negative integer, got {cost!r}")
        if self.weights is not None:
            if len(self.weights) != len(self.ballots):
                raise ValueError(f"{len(self.weights)} weights for {len(self.ballots)} ballots")
            for voter, weight in enumerate(self.weights):
                if not isinstance(weight, int) or weight < 1:
                    raise ValueError(f"voter #{voter}: the weight must be a positive integer, got {weight!r}")
        if not set().union(*self.ballots) <= self.costs.keys():  # checked at once, then the culprit is found
            for voter, ballot in enumerate(self.ballots):
                unknown = [project for project in ballot if project not in self.costs]
                if unknown:
                    raise ValueError(f"voter #{voter} approves unknown project {unknown[0]!r}")

    def voter_weight(self, voter: int) -> int:
        """The weight of a voter (1 when the election has no weights)."""
        return 1 if self.weights is None else self.weights[voter]

    def approval_counts(self) -> dict[ProjectId, int]:
        """Weighted number of approvals of every project (0 for projects nobody approves)."""
        counts = dict.fromkeys(self.costs, 0)
        for voter, ballot in enumerate(self.ballots):
            weight = self.voter_weight(voter)
            for project in set(ballot):
                counts[project] += weight
        return counts


@dataclass(frozen=True, slots=True)
class Allocation:
    """The outcome of a rule.

    Attributes:
        selected: the funded projects, in the order the rule funded them.
        amounts: money given to every project of the election (0 when not funded).
        total_cost: the money spent, never more than `budget`.
        budget: the budget the rule was given.
        explanations: a short sentence in French per project, saying why it is funded or not.
    """

    selected: tuple[ProjectId, ...]
    amounts: Mapping[ProjectId, int]
    total_cost: int
    budget: int
    explanations: Mapping[ProjectId, str] = field(default_factory=dict)
