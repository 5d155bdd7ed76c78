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

from commons.budgeting.rules import Allocation, ApprovalElection, MoneyFormat, equal_shares, greedy
from commons.budgeting.rules.election import Satisfaction
from commons.budgeting.rules.equal_shares import Completion

# Bumped whenever a rule's outcome on the same inputs may change.
RULE_VERSION = "1"
CENTS = MoneyFormat(currency="€", decimals=2)


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
