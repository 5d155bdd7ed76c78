"""From a closed round's plain inputs to its allocation and fingerprint (pure: no database).

The fingerprint is the SHA-256 of a canonical JSON of everything the result depends on, so
anyone holding the published anonymized inputs can check they recompute the same result.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from commons.budgeting.rules import Allocation, ApprovalElection, MoneyFormat, equal_shares, greedy, quadratic_match
from commons.budgeting.rules.election import Satisfaction
from commons.budgeting.rules.equal_shares import Completion
from commons.budgeting.rules.ratio import Gift, ratio_match
from commons.budgeting.rules.wallets import Delegation, WalletOutcome, WalletProject, allocate_wallets

# Bumped whenever a rule's outcome on the same inputs may change.
RULE_VERSION = "1"
CENTS = MoneyFormat(currency="€", decimals=2)


class _Canonical:
    """Inputs published as a canonical JSON document (sorted keys, no spaces), fingerprinted by its SHA-256."""

    __slots__ = ()

    def _document(self) -> dict[str, Any]:
        raise NotImplementedError

    def canonical(self) -> bytes:
        return json.dumps(self._document(), separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()

    def fingerprint(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


@dataclass(frozen=True, slots=True)
class RoundInputs:
    """What an allocation depends on, and nothing else (no names, no voter identities).

    Parameters:
        rule: "greedy" or "equal_shares".
        costs: cost in cents of each candidate, by project id (as a string).
        ballots: each voter's approved project ids and college (None without colleges).
        college_weights: declared weight of each college by name.
        budget_cents: the round's budget, seed funding included.
        seed_cents: paid to every candidate before the vote, out of the budget.
    """

    rule: str
    satisfaction: Satisfaction
    completion: Completion
    costs: Mapping[str, int]
    ballots: Sequence[tuple[frozenset[str], str | None]]
    college_weights: Mapping[str, int]
    budget_cents: int
    seed_cents: int = 0

    def canonical(self) -> bytes:
        ballots = sorted([sorted(approved), college or ""] for approved, college in self.ballots)
        document = {
            "rule": self.rule,
            "rule_version": RULE_VERSION,
            "satisfaction": self.satisfaction,
            "completion": self.completion,
            "costs": dict(sorted(self.costs.items())),
            "ballots": ballots,
            "college_weights": dict(sorted(self.college_weights.items())),
            "budget_cents": self.budget_cents,
            "seed_cents": self.seed_cents,
        }
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()

    def fingerprint(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a matching or wallet rule gives each candidate, in the shape of a result's lines.

    Parameters:
        amounts: money from the pool, by project id (every candidate, 0 included).
        selected: the projects that receive something (matching) or are funded (wallets).
        supporters: how many people gave to (matching) or put money on (wallets) each project.
        explanations: a short French sentence per project.
    """

    amounts: Mapping[str, int]
    selected: frozenset[str]
    supporters: Mapping[str, int]
    explanations: Mapping[str, str]

    @property
    def total(self) -> int:
        return sum(self.amounts.values())


@dataclass(frozen=True, slots=True)
class MatchingInputs(_Canonical):
    """What a matching round's result depends on: the candidates, the pledges, the pool, the settings.

    People appear as opaque ordinals ("p1", "p2", … in the order of their first pledge), never by
    id, so the canonical inputs can be published.

    Parameters:
        rule: "quadratic" or "ratio".
        costs: cost in cents of each candidate, by project id (as a string).
        gifts: every money pledge counted, in arrival order: (project id, person ordinal, cents).
        pool_cents: the money the pool puts in (the budget less seed funding).
        project_cap_cents: the most one project may receive from the pool.
        person_cap_cents, ratio, ratio_mode: the ratio rule's settings (neutral for quadratic).
    """

    rule: Literal["quadratic", "ratio"]
    costs: Mapping[str, int]
    gifts: Sequence[tuple[str, str, int]]
    pool_cents: int
    project_cap_cents: int | None = None
    person_cap_cents: int | None = None
    ratio: Fraction = Fraction(1)
    ratio_mode: Literal["first_come", "proportional"] = "first_come"

    def _document(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "rule_version": RULE_VERSION,
            "costs": dict(self.costs),
            "gifts": [list(gift) for gift in self.gifts],
            "pool_cents": self.pool_cents,
            "project_cap_cents": self.project_cap_cents,
            "person_cap_cents": self.person_cap_cents,
            "ratio": [self.ratio.numerator, self.ratio.denominator],
            "ratio_mode": self.ratio_mode,
        }

    def contributions(self) -> dict[str, dict[str, int]]:
        """Each person's pledges to each candidate added up: one person counts once per project."""
        given: dict[str, dict[str, int]] = {project: {} for project in self.costs}
        for project, person, cents in self.gifts:
            given[project][person] = given[project].get(person, 0) + cents
        return given


def match(inputs: MatchingInputs) -> Outcome:
    """The match of every candidate by the round's rule (estimate while open, result at the close).

    Quadratic matching counts each person once per project (their pledges added up); ratio
    matching serves each pledge in arrival order, a person's cap counting across all their pledges.
    """
    contributions = inputs.contributions()
    supporters = {project: sum(1 for c in given.values() if c > 0) for project, given in contributions.items()}
    if inputs.rule == "quadratic":
        quadratic = quadratic_match(contributions, inputs.pool_cents, cap_cents=inputs.project_cap_cents, money=CENTS)
        amounts, explanations = dict(quadratic.amounts), dict(quadratic.explanations)
    else:
        ratio = ratio_match(
            [Gift(project=p, person=person, cents=cents) for p, person, cents in inputs.gifts],
            inputs.pool_cents,
            ratio=inputs.ratio,
            project_cap_cents=inputs.project_cap_cents,
            person_cap_cents=inputs.person_cap_cents,
            mode=inputs.ratio_mode,
            money=CENTS,
        )
        amounts = {project: ratio.amounts.get(project, 0) for project in inputs.costs}
        explanations = {
            project: ratio.explanations.get(project, "Aucun abondement : aucun don pendant le co-budget.")
            for project in inputs.costs
        }
    return Outcome(
        amounts=amounts,
        selected=frozenset(p for p, cents in amounts.items() if cents > 0),
        supporters=supporters,
        explanations=explanations,
    )


@dataclass(frozen=True, slots=True)
class WalletInputs(_Canonical):
    """What a wallet round's result depends on; participants appear as ordinals ("p1", … by registration).

    Parameters:
        projects: each candidate's minimum (its cost) and maximum, in cents, by project id.
        participants: the ordinals of the people registered when the round opened.
        spending: what each participant put on each project, in cents.
        delegations: (delegator, delegate, percent) between participants.
        pool_cents: the money split among the wallets (the budget less seed funding).
        project_cap_cents: the most one person may put on one project.
        leftover: "pool" or "respread" (see ``commons.budgeting.rules.wallets``).
    """

    projects: Mapping[str, tuple[int, int]]
    participants: Sequence[str]
    spending: Mapping[str, Mapping[str, int]]
    delegations: Sequence[tuple[str, str, int]]
    pool_cents: int
    project_cap_cents: int | None = None
    leftover: Literal["pool", "respread"] = "pool"

    def _document(self) -> dict[str, Any]:
        return {
            "rule": "wallets",
            "rule_version": RULE_VERSION,
            "projects": {project: list(bounds) for project, bounds in self.projects.items()},
            "participants": list(self.participants),
            "spending": {person: dict(lines) for person, lines in self.spending.items() if lines},
            "delegations": sorted(list(d) for d in self.delegations),
            "pool_cents": self.pool_cents,
            "project_cap_cents": self.project_cap_cents,
            "leftover": self.leftover,
        }


def allocate_from_wallets(inputs: WalletInputs) -> tuple[WalletOutcome, Outcome]:
    """Run the wallet rule: the rule's full outcome, and its lines' view."""
    outcome = allocate_wallets(
        {
            project: WalletProject(minimum_cents=low, maximum_cents=high)
            for project, (low, high) in inputs.projects.items()
        },
        inputs.participants,
        inputs.pool_cents,
        inputs.spending,
        delegations=[Delegation(delegator=a, delegate=b, percent=p) for a, b, p in inputs.delegations],
        project_cap_cents=inputs.project_cap_cents,
        leftover=inputs.leftover,
        money=CENTS,
    )
    supporters = {
        project: sum(1 for lines in inputs.spending.values() if lines.get(project, 0) > 0)
        for project in inputs.projects
    }
    amounts = {project: outcome.funded.get(project, 0) for project in inputs.projects}
    return outcome, Outcome(
        amounts=amounts,
        selected=frozenset(outcome.funded),
        supporters=supporters,
        explanations=dict(outcome.explanations),
    )


def voter_weights(colleges: Sequence[str | None], declared: Mapping[str, int]) -> list[int] | None:
    """Integer weights giving each college its declared share whatever its size.

    A voter of college c weighs ``declared[c] * L / size(c)``, L the least common multiple of the
    sizes, so every college's total is proportional to its declared weight, exactly.
    """
    if not declared:
        return None
    sizes = Counter(colleges)
    if None in sizes:
        raise ValueError("with colleges, every voter belongs to one")
    common = math.lcm(*sizes.values()) if sizes else 1
    return [declared[c] * common // sizes[c] for c in colleges if c is not None]


def allocate(inputs: RoundInputs) -> Allocation:
    """Run the round's rule on the money left once seed funding is paid."""
    weights = voter_weights([college for _, college in inputs.ballots], inputs.college_weights)
    election = ApprovalElection(
        costs=inputs.costs,
        ballots=[approved for approved, _ in inputs.ballots],
        budget=inputs.budget_cents - inputs.seed_cents * len(inputs.costs),
        weights=weights,
    )
    if inputs.rule == "greedy":
        return greedy(election, sat=inputs.satisfaction, money=CENTS)
    if inputs.rule == "equal_shares":
        # add1 raises every share by one euro at a time, as the method is defined in currency units.
        return equal_shares(
            election, sat=inputs.satisfaction, completion=inputs.completion, share_increment=100, money=CENTS
        )
    raise ValueError(f"unknown rule {inputs.rule!r}")
