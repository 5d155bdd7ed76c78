"""Greedy by approvals: equal to pabutools' greedy_utilitarian_welfare, with explanations."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from commons.budgeting.pabulib import load
from commons.budgeting.rules import ApprovalElection, Satisfaction, greedy
from tests.unit.budgeting import oracle
from tests.unit.budgeting.conftest import LIVE_ORACLE_MAX_VOTERS, instance_params, reference
from tests.unit.budgeting.elections import elections


@pytest.mark.parametrize("sat", ["cost", "cardinality"])
@pytest.mark.parametrize("path", instance_params())
def test_real_elections_equal_pabutools(path: Path, sat: Satisfaction) -> None:
    election = load(path).approval_election()
    if len(election.ballots) <= LIVE_ORACLE_MAX_VOTERS:
        expected = oracle.greedy(election, sat)
    else:
        expected = reference(path)[f"greedy_{sat}"]
    assert list(greedy(election, sat=sat).selected) == expected


@settings(max_examples=300, deadline=None)
@given(elections(weighted=True))
def test_random_elections_equal_pabutools(election: ApprovalElection) -> None:
    for sat in ("cost", "cardinality"):
        assert list(greedy(election, sat=sat).selected) == oracle.greedy(election, sat)


def test_cost_ranks_by_votes_and_cardinality_by_votes_per_cost() -> None:
    election = ApprovalElection(
        costs={"big": 90, "small": 10, "mid": 50},
        ballots=[["big"], ["big"], ["big", "small"], ["small", "mid"]],
        budget=100,
    )
    assert greedy(election, sat="cost").selected == ("big", "small")
    assert greedy(election, sat="cardinality").selected == ("small", "big")


def test_a_project_that_does_not_fit_is_skipped_and_the_next_ones_still_considered() -> None:
    election = ApprovalElection(
        costs={"a": 60, "b": 50, "c": 40}, ballots=[["a", "b", "c"], ["a", "b"], ["a"]], budget=100
    )
    allocation = greedy(election)
    assert allocation.selected == ("a", "c")
    assert allocation.total_cost == 100
    assert allocation.amounts == {"a": 60, "b": 0, "c": 40}
    assert allocation.explanations["a"] == "Financé : 3 voix (rang 1), coût 60 €, dans le budget restant"
    assert allocation.explanations["b"] == (
        "Non financé : 2 voix (rang 2), coût 50 €, plus que le budget restant (40 €)"
    )


def test_ties_go_to_the_smaller_identifier_as_a_string() -> None:
    election = ApprovalElection(costs={"9": 10, "10": 10}, ballots=[["9", "10"]], budget=10)
    assert greedy(election).selected == ("10",)


def test_weights_count_as_that_many_votes() -> None:
    election = ApprovalElection(costs={"a": 10, "b": 10}, ballots=[["a"], ["b"], ["b"]], budget=10, weights=[3, 1, 1])
    assert greedy(election).selected == ("a",)


def test_unknown_satisfaction_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown satisfaction"):
        greedy(ApprovalElection(costs={"a": 1}, ballots=[], budget=1), sat="utility")  # type: ignore[arg-type]
