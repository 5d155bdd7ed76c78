"""Hypothesis strategies producing small approval elections, with awkward cases on purpose: identifiers
whose string order differs from their numeric order, free projects, projects nobody approves, ties."""

from __future__ import annotations

from hypothesis import strategies as st

from commons.budgeting.rules import ApprovalElection

PROJECT_IDS = ["1", "2", "9", "10", "11", "a", "B"]


@st.composite
def elections(
    draw: st.DrawFn,
    *,
    max_voters: int = 8,
    max_cost: int = 40,
    weighted: bool = False,
    free_projects: bool = True,
) -> ApprovalElection:
    projects = draw(st.lists(st.sampled_from(PROJECT_IDS), min_size=1, max_size=6, unique=True))
    low = 0 if free_projects else 1
    costs = {project: draw(st.integers(low, max_cost)) for project in projects}
    ballots = draw(st.lists(st.sets(st.sampled_from(projects)).map(sorted), min_size=0, max_size=max_voters))
    weights = draw(st.lists(st.integers(1, 3), min_size=len(ballots), max_size=len(ballots))) if weighted else None
    budget = draw(st.integers(0, max_cost * 3))
    return ApprovalElection(costs=costs, ballots=ballots, budget=budget, weights=weights)
