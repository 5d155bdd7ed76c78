"""Greedy approval rule: the usual practice of participatory budgets.

Definition (e.g. Rey & Maly, "The (Computational) Social Choice Take on Indivisible Participatory
Budgeting", 2023, section "greedy approval"): projects are considered one by one in decreasing order of
a score and each is funded if its cost fits in what remains of the budget; a project that does not fit
is skipped and the next ones are still considered.

Score, following the two satisfaction functions of the reference library pabutools
(`greedy_utilitarian_welfare`, which ranks projects by total satisfaction divided by cost):

- ``sat="cost"``: the (weighted) number of approvals. With cost satisfaction the total satisfaction of a
  project is approvals × cost, so dividing by the cost gives back the approvals. A project costing 0 has
  total satisfaction 0 and gets score 0, as in pabutools.
- ``sat="cardinality"``: approvals per unit of cost ("bang for the buck"); a free project that someone
  approves comes first, a project nobody approves scores 0.

Tie-breaking: equal scores are ordered by project identifier, compared as strings (pabutools' default
lexicographic tie-breaking). Projects nobody approves still get funded last if money remains, exactly as
pabutools does.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from fractions import Fraction

from commons.budgeting.rules.election import (
    Allocation,
    ApprovalElection,
    MoneyFormat,
    ProjectId,
    Satisfaction,
)


def greedy(
    election: ApprovalElection,
    *,
    sat: Satisfaction = "cost",
    money: MoneyFormat = MoneyFormat(),  # noqa: B008 - an immutable value
    already_funded: Collection[ProjectId] = (),
    explanations: Mapping[ProjectId, str] | None = None,
) -> Allocation:
    """Fund projects by decreasing score while they fit in the budget (see the module docstring).

    Parameters:
        election: the costs, ballots (and weights) and budget.
        sat: "cost" ranks by number of approvals, "cardinality" by approvals per unit of cost.
        money: how amounts are written in explanations.
        already_funded: projects funded before this rule runs (used to complete another rule's outcome):
            their cost is taken from the budget first and they stay first in `selected`.
        explanations: explanations of `already_funded` projects, kept as they are.
    """
    if sat not in ("cost", "cardinality"):
        raise ValueError(f"unknown satisfaction {sat!r}, expected 'cost' or 'cardinality'")
    approvals = election.approval_counts()
    costs = election.costs
    selected = list(already_funded)
    funded_before = set(selected)
    texts = dict(explanations or {})
    remaining = election.budget - sum(costs[project] for project in selected)
    if remaining < 0:
        raise ValueError("the projects already funded cost more than the budget")
    candidates = sorted(
        (project for project in costs if project not in funded_before),
        key=lambda project: (_score_rank(approvals[project], costs[project], sat), project),
    )
    for rank, project in enumerate(candidates, start=1):
        cost = costs[project]
        votes = f"{approvals[project]} voix (rang {rank})"
        if cost <= remaining:
            selected.append(project)
            remaining -= cost
            texts[project] = f"Financé : {votes}, coût {money(cost)}, dans le budget restant"
        else:
            texts[project] = (
                f"Non financé : {votes}, coût {money(cost)}, plus que le budget restant ({money(remaining)})"
            )
    funded = set(selected)
    return Allocation(
        selected=tuple(selected),
        amounts={project: costs[project] if project in funded else 0 for project in costs},
        total_cost=election.budget - remaining,
        budget=election.budget,
        explanations=texts,
    )


def _score_rank(approvals: int, cost: int, sat: Satisfaction) -> tuple[int, Fraction]:
    """A sort key putting higher scores first: (0, ·) for an infinite score, then (1, -score)."""
    if sat == "cost":
        return (1, Fraction(-approvals if cost > 0 else 0))
    if approvals == 0:
        return (1, Fraction(0))
    if cost == 0:
        return (0, Fraction(0))
    return (1, Fraction(-approvals, cost))
