"""The float filter of equal shares: when it decides, it decides as the exact rule; it gives up when its
error bounds cannot separate a decision; and on real elections it decides (else it would not be faster)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from gmpy2 import mpq  # type: ignore[import-untyped]  # gmpy2 ships no type hints
from hypothesis import given, settings
from hypothesis import strategies as st

from commons.budgeting.pabulib import load
from commons.budgeting.rules import ApprovalElection, Satisfaction
from commons.budgeting.rules.equal_shares import _Profile
from commons.budgeting.rules.filtered import _FloatRun
from tests.unit.budgeting.conftest import instance_params
from tests.unit.budgeting.elections import elections


@settings(max_examples=300, deadline=None)
@given(
    elections(max_voters=8, max_cost=30, weighted=True, free_projects=False),
    st.integers(1, 200),
    st.sampled_from(["cost", "cardinality"]),
)
def test_a_decided_float_run_funds_what_the_exact_run_funds(
    election: ApprovalElection, eighths: int, sat: Satisfaction
) -> None:
    profile = _Profile(election, sat)
    share = Fraction(eighths, 8)
    outcome = profile.filtered.run(share)
    exact = profile.run(mpq(share.numerator, share.denominator))
    if outcome is not None:
        assert outcome.selected == exact.selected
        # The amounts shown are those of the exact run, to far below a cent.
        for project, payment in outcome.payments.items():
            assert abs(payment - exact.prices[project]) < 1e-9
    assert profile.outcome(mpq(share.numerator, share.denominator)).selected == exact.selected


def test_exact_ties_are_broken_by_identifier_without_giving_up() -> None:
    """Equal costs and equal votes give equal ρ: decided exactly (cost / weight), smaller id first."""
    election = ApprovalElection(costs={"a": 30, "b": 30, "c": 30}, ballots=[["c", "b"], ["b", "c"], ["a"]], budget=60)
    profile = _Profile(election, "cost")
    outcome = profile.filtered.run(Fraction(20))
    assert outcome is not None
    assert outcome.selected == profile.run(mpq(20)).selected == [1]  # b, then c is short
    assert outcome.payments == {1: Fraction(15)}  # exact: cost / weight


def test_it_gives_up_when_its_error_bounds_overlap_a_decision() -> None:
    """Two projects whose prices differ by less than the money's error bound cannot be ordered."""
    election = ApprovalElection(
        costs={"a": 40, "b": 41, "c": 10}, ballots=[["a", "c"], ["b", "c"], ["a"], ["b"]], budget=60
    )
    profile = _Profile(election, "cardinality")
    run = _FloatRun(profile.filtered, Fraction(25))
    assert run.result() is not None
    blurred = _FloatRun(profile.filtered, Fraction(25))
    blurred.state[:, 1] = 1.0
    assert blurred.result() is None


@pytest.mark.parametrize("path", instance_params())
def test_real_elections_are_decided_by_floats_as_exactly(path: Path) -> None:
    """On every shipped election, at shares spread over the range "add1" searches, the float runs
    decide, and as the exact runs do."""
    election = load(path).approval_election()
    profile = _Profile(election, "cost")
    start = Fraction(profile.budget, profile.total_weight)
    for step in range(0, 64, 9):
        share = start * (1 + Fraction(step, 64))
        outcome = profile.filtered.run(share)
        assert outcome is not None
        assert outcome.selected == profile.run(mpq(share.numerator, share.denominator)).selected
