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
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from commons.budgeting.rules import Allocation, ApprovalElection, MoneyFormat, equal_shares, greedy, quadratic_match
from commons.budgeting.rules.colleges import Colleges
from commons.budgeting.rules.election import Satisfaction
from commons.budgeting.rules.equal_shares import Completion, Progress
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
    id, so the canonical inputs can be published. The colleges are part of the canonical document
    only when the round has some, so the fingerprint of a round without colleges does not change.

    Parameters:
        rule: "quadratic" or "ratio".
        costs: cost in cents of each candidate, by project id (as a string).
        gifts: every money pledge counted, in arrival order: (project id, person ordinal, cents).
        pool_cents: the money the pool puts in (the budget less seed funding).
        project_cap_cents: the most one project may receive from the pool (all colleges together).
        person_cap_cents, ratio, ratio_mode: the ratio rule's settings (neutral for quadratic).
        colleges: each person's college, by ordinal (a person no college welcomes is left out).
        college_weights: the declared weight of each college of the round, by name (empty: no colleges).
    """

    rule: Literal["quadratic", "ratio"]
    costs: Mapping[str, int]
    gifts: Sequence[tuple[str, str, int]]
    pool_cents: int
    project_cap_cents: int | None = None
    person_cap_cents: int | None = None
    ratio: Fraction = Fraction(1)
    ratio_mode: Literal["first_come", "proportional"] = "first_come"
    colleges: Mapping[str, str] = field(default_factory=dict)
    college_weights: Mapping[str, int] = field(default_factory=dict)

    def _document(self) -> dict[str, Any]:
        document = {
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
        return document | _college_document(self.colleges, self.college_weights)

    def envelopes(self) -> dict[str, int]:
        """Each college's part of the pool, among the colleges of the people who pledged (empty without colleges)."""
        colleges = Colleges(weights=self.college_weights, members=self.colleges)
        return colleges.envelopes(self.pool_cents, (person for _, person, _ in self.gifts))

    def contributions(self) -> dict[str, dict[str, int]]:
        """Each person's pledges to each candidate added up: one person counts once per project."""
        return _added_up(self.costs, self.gifts)


def _added_up(costs: Mapping[str, int], gifts: Sequence[tuple[str, str, int]]) -> dict[str, dict[str, int]]:
    """Each person's ``gifts`` to each candidate of ``costs`` added up."""
    given: dict[str, dict[str, int]] = {project: {} for project in costs}
    for project, person, cents in gifts:
        given[project][person] = given[project].get(person, 0) + cents
    return given


def _college_document(colleges: Mapping[str, str], weights: Mapping[str, int]) -> dict[str, Any]:
    """The colleges' part of a canonical document: nothing at all for a round without colleges."""
    return {"colleges": dict(colleges), "college_weights": dict(weights)} if weights else {}


def match(inputs: MatchingInputs) -> Outcome:
    """The match of every candidate by the round's rule (estimate while open, result at the close).

    Quadratic matching counts each person once per project (their pledges added up); ratio
    matching serves each pledge in arrival order, a person's cap counting across all their pledges.
    With colleges, each college's pledges are matched from its own envelope (``_match_by_college``).
    """
    contributions = inputs.contributions()
    supporters = {project: sum(1 for c in given.values() if c > 0) for project, given in contributions.items()}
    if inputs.college_weights:
        amounts, explanations = _match_by_college(inputs, contributions, supporters)
    else:
        amounts, explanations = _match_envelope(inputs, inputs.gifts, inputs.pool_cents)
    return Outcome(
        amounts=amounts,
        selected=frozenset(p for p, cents in amounts.items() if cents > 0),
        supporters=supporters,
        explanations=explanations,
    )


def _match_envelope(
    inputs: MatchingInputs,
    gifts: Sequence[tuple[str, str, int]],
    pool: int,
    project_caps: Mapping[str, int] | None = None,
) -> tuple[dict[str, int], dict[str, str]]:
    """``gifts`` matched from ``pool`` by the round's rule: the match and explanation of every candidate.

    ``project_caps`` replaces the round's cap per project (what is left of it for a college's envelope).
    """
    if inputs.rule == "quadratic":
        quadratic = quadratic_match(
            _added_up(inputs.costs, gifts),
            pool,
            cap_cents=inputs.project_cap_cents,
            project_caps=project_caps,
            money=CENTS,
        )
        return dict(quadratic.amounts), dict(quadratic.explanations)
    ratio = ratio_match(
        [Gift(project=p, person=person, cents=cents) for p, person, cents in gifts],
        pool,
        ratio=inputs.ratio,
        project_cap_cents=inputs.project_cap_cents,
        project_caps=project_caps,
        person_cap_cents=inputs.person_cap_cents,
        mode=inputs.ratio_mode,
        money=CENTS,
    )
    amounts = {project: ratio.amounts.get(project, 0) for project in inputs.costs}
    explanations = {
        project: ratio.explanations.get(project, "Aucun abondement : aucun don pendant le co-budget.")
        for project in inputs.costs
    }
    return amounts, explanations


def _match_by_college(
    inputs: MatchingInputs, contributions: Mapping[str, Mapping[str, int]], supporters: Mapping[str, int]
) -> tuple[dict[str, int], dict[str, str]]:
    """Each college's pledges matched from its own envelope, the matches added up per project.

    A college controls the part of the pool proportional to its declared weight, whatever its size:
    the pool is split among the colleges of the people who pledged (``Colleges.envelopes``), and the
    rule runs inside each college on its people's pledges only. A person no college welcomes is not
    matched. The cap per project bounds a project's total match across colleges: colleges are served
    in the order of their names, each with what the colleges before it left of every project's cap.
    """
    envelopes, cap = inputs.envelopes(), inputs.project_cap_cents
    totals = dict.fromkeys(inputs.costs, 0)
    parts: dict[str, dict[str, int]] = {}
    for college in sorted(envelopes):
        own = [gift for gift in inputs.gifts if inputs.colleges.get(gift[1]) == college]
        left = None if cap is None else {project: cap - totals[project] for project in inputs.costs}
        parts[college], _ = _match_envelope(inputs, own, envelopes[college], left)
        for project, cents in parts[college].items():
            totals[project] += cents
    explanations = {}
    for project, total in totals.items():
        given = sum(contributions[project].values())
        people = f"{supporters[project]} contributeur(s) qui ont donné {CENTS(given)}"
        if not given:
            explanations[project] = "Aucun abondement : aucun don pendant le co-budget."
        elif not total:
            explanations[project] = f"Aucun abondement pour {people} : rien à abonder dans l'enveloppe de leur collège."
        else:
            capped = " (plafond par projet atteint)" if total == cap else ""
            by_college = ", ".join(
                f"{college} {CENTS(amounts[project])}" for college, amounts in parts.items() if amounts[project]
            )
            explanations[project] = f"Abondement de {CENTS(total)} pour {people}{capped} ; par collège : {by_college}."
    return totals, explanations


@dataclass(frozen=True, slots=True)
class WalletInputs(_Canonical):
    """What a wallet round's result depends on; participants appear as ordinals ("p1", … by registration).

    The colleges are part of the canonical document only when the round has some, so the fingerprint
    of a round without colleges does not change.

    Parameters:
        projects: each candidate's minimum (its cost) and maximum, in cents, by project id.
        participants: the ordinals of the people registered when the round opened.
        spending: what each participant put on each project, in cents.
        delegations: (delegator, delegate, percent) between participants.
        pool_cents: the money split among the wallets (the budget less seed funding).
        project_cap_cents: the most one person may put on one project.
        leftover: "pool" or "respread" (see ``commons.budgeting.rules.wallets``).
        colleges: each participant's college, by ordinal (a person no college welcomes is left out).
        college_weights: the declared weight of each college of the round, by name (empty: no colleges).
    """

    projects: Mapping[str, tuple[int, int]]
    participants: Sequence[str]
    spending: Mapping[str, Mapping[str, int]]
    delegations: Sequence[tuple[str, str, int]]
    pool_cents: int
    project_cap_cents: int | None = None
    leftover: Literal["pool", "respread"] = "pool"
    colleges: Mapping[str, str] = field(default_factory=dict)
    college_weights: Mapping[str, int] = field(default_factory=dict)

    def college_split(self) -> Colleges | None:
        """The participants' colleges, for the wallet rule (None without colleges)."""
        return Colleges(weights=self.college_weights, members=self.colleges) if self.college_weights else None

    def envelopes(self) -> dict[str, int]:
        """Each college's part of the pool, among the colleges of the participants (empty without colleges)."""
        colleges = self.college_split()
        return colleges.envelopes(self.pool_cents, self.participants) if colleges else {}

    def _document(self) -> dict[str, Any]:
        document = {
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
        return document | _college_document(self.colleges, self.college_weights)


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
        colleges=inputs.college_split(),
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


def allocate(inputs: RoundInputs, progress: Progress | None = None) -> Allocation:
    """Run the round's rule on the money left once seed funding is paid (``progress``: see
    ``commons.budgeting.rules.equal_shares.equal_shares``; told only by the completions of equal shares)."""
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
            election,
            sat=inputs.satisfaction,
            completion=inputs.completion,
            share_increment=100,
            money=CENTS,
            progress=progress,
            helper_process=True,
        )
    raise ValueError(f"unknown rule {inputs.rule!r}")
