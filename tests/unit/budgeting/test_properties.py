"""Properties every rule must have, whatever the election."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commons.budgeting.rules import Allocation, ApprovalElection, equal_shares, greedy
from tests.unit.budgeting.elections import elections

RULES: dict[str, Callable[[ApprovalElection], Allocation]] = {
    "greedy-cost": lambda e: greedy(e),
    "greedy-cardinality": lambda e: greedy(e, sat="cardinality"),
    "mes-cost": lambda e: equal_shares(e),
    "mes-cardinality": lambda e: equal_shares(e, sat="cardinality"),
    "mes-add1": lambda e: equal_shares(e, completion="add1"),
    "mes-add1u": lambda e: equal_shares(e, completion="add1u"),
    "mes-cardinality-add1u": lambda e: equal_shares(e, sat="cardinality", completion="add1u"),
}
rules = pytest.mark.parametrize("rule", RULES.values(), ids=RULES.keys())


@rules
@settings(max_examples=150, deadline=None)
@given(election=elections(weighted=True))
def test_never_over_budget_and_consistent(
    rule: Callable[[ApprovalElection], Allocation], election: ApprovalElection
) -> None:
    allocation = rule(election)
    assert allocation.total_cost <= election.budget
    assert allocation.total_cost == sum(election.costs[p] for p in allocation.selected)
    assert len(set(allocation.selected)) == len(allocation.selected)
    assert allocation.amounts == {p: (c if p in allocation.selected else 0) for p, c in election.costs.items()}
    assert set(allocation.explanations) == set(election.costs)


@rules
@settings(max_examples=150, deadline=None)
@given(election=elections(weighted=True), data=st.data())
def test_same_outcome_whatever_the_order_of_ballots(
    rule: Callable[[ApprovalElection], Allocation], election: ApprovalElection, data: st.DataObject
) -> None:
    order = data.draw(st.permutations(range(len(election.ballots))))
    shuffled = ApprovalElection(
        costs=dict(reversed(list(election.costs.items()))),
        ballots=[sorted(election.ballots[i], reverse=True) for i in order],
        budget=election.budget,
        weights=None if election.weights is None else [election.weights[i] for i in order],
    )
    first = rule(election)
    assert rule(shuffled).selected == first.selected
    assert rule(election) == first


@rules
@settings(max_examples=100, deadline=None)
@given(election=elections(weighted=True))
def test_a_weight_counts_as_that_many_identical_voters(
    rule: Callable[[ApprovalElection], Allocation], election: ApprovalElection
) -> None:
    expanded = ApprovalElection(
        costs=election.costs,
        ballots=[ballot for voter, ballot in enumerate(election.ballots) for _ in range(election.voter_weight(voter))],
        budget=election.budget,
    )
    assert rule(expanded).selected == rule(election).selected
