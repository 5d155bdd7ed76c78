"""Colleges (collèges): groups of people with declared weights, so no group outweighs the others by its numbers.

One idea for every rule (DESIGN §1, "collège"): **a college controls the part of the pool proportional
to its declared weight, whatever its size.**

- Ballot rules (greedy, equal shares): each voter weighs ``weight / size`` of their college
  (``commons.budgeting.compute.voter_weights``); equal shares thus gives every college a part of the
  budget, through its voters' budgets, proportional to its weight.
- Matching rules (quadratic, ratio): the pool is split into one envelope per college
  (``Colleges.envelopes``); the pledges of a college's people are matched from its envelope only.
- Wallets: the pool is split into the same envelopes; each envelope is shared equally among the
  college's participants.

Only the colleges present share the pool — those with at least one member among the people the rule
counts (people who pledged, registered participants): the part of a college nobody represents goes to
the others, in proportion to their weights, rather than staying unused. A person no college welcomes
has no part. Everything is in integer cents: the split is exact (largest remainders, ties broken by
college name), never a float.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from commons.budgeting.rules.ratio import apportion


def split_among_colleges(pool: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Split ``pool`` cents among colleges in proportion to their declared weights, exactly.

    Each college gets ⌊pool × weight / Σ weights⌋; the cents left go one each to the colleges with the
    largest remainders, equal remainders in the order of the colleges' names. The shares add up to the
    pool exactly; with no college at all there is nobody to share with and the result is empty.

    Parameters:
        pool: the money to split, in cents (≥ 0).
        weights: the declared weight (a positive integer) of each college sharing the pool, by name.
    """
    if not isinstance(pool, int) or pool < 0:
        raise ValueError(f"the pool must be a non-negative integer (cents), got {pool!r}")
    for name, weight in weights.items():
        if not isinstance(weight, int) or weight < 1:
            raise ValueError(f"college {name!r}: the weight must be a positive integer, got {weight!r}")
    if not weights:
        return {}
    return apportion(pool, dict(sorted(weights.items())))


@dataclass(frozen=True, slots=True)
class Colleges:
    """The colleges of a round: each one's declared weight, and who belongs to which.

    Parameters:
        weights: the declared weight of every college of the round, by name.
        members: each person's college name; a person missing here belongs to no college.
    """

    weights: Mapping[str, int]
    members: Mapping[str, str]

    def __post_init__(self) -> None:
        """Refuse a member of a college the round does not declare."""
        for person, college in self.members.items():
            if college not in self.weights:
                raise ValueError(f"{person!r} belongs to an unknown college {college!r}")

    def envelopes(self, pool: int, people: Iterable[str]) -> dict[str, int]:
        """Each present college's part of ``pool`` (``split_among_colleges`` over the colleges of ``people``)."""
        present = {self.members[person] for person in people if person in self.members}
        return split_among_colleges(pool, {college: self.weights[college] for college in present})
