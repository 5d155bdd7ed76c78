"""Quadratic matching: the formula, caps, scaling to the pool, and its invariants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commons.budgeting.rules.quadratic import quadratic_match


def test_ideal_match_is_the_square_of_summed_roots_minus_the_money() -> None:
    # Four people giving 1 € each: (4 × √100)² − 400 = 1,600 − 400 = 1,200 cents.
    # One person giving 4 €: (√400)² − 400 = 0: a single big cheque is not matched.
    outcome = quadratic_match({"broad": {"a": 100, "b": 100, "c": 100, "d": 100}, "alone": {"e": 400}}, 10**9)
    assert outcome.ideal == {"broad": 1_200, "alone": 0}
    assert outcome.amounts == {"broad": 1_200, "alone": 0}
    assert "Aucun abondement" in outcome.explanations["alone"]


def test_cap_then_proportional_scaling_spends_the_pool_exactly() -> None:
    contributions = {
        "a": {"x": 100, "y": 100, "z": 100, "t": 100},  # ideal 1,200
        "b": {"x": 100, "y": 100},  # ideal 200
        "c": {"x": 900, "y": 100, "z": 400},  # ideal (30+10+20)² − 1,400 = 2,200
    }
    capped = quadratic_match(contributions, 10**9, cap_cents=1_000)
    assert capped.amounts == {"a": 1_000, "b": 200, "c": 1_000}
    assert "plafonné" in capped.explanations["c"]
    scaled = quadratic_match(contributions, 1_001, cap_cents=1_000)
    assert scaled.total == 1_001
    # 1,000 : 200 : 1,000 scaled by 1,001 / 2,200, remainders to the largest fractions.
    assert scaled.amounts == {"a": 455, "b": 91, "c": 455}
    assert "réduit" in scaled.explanations["a"]


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="pool"):
        quadratic_match({}, -1)
    with pytest.raises(ValueError, match="non-negative integers"):
        quadratic_match({"a": {"x": -5}}, 100)


contributions = st.dictionaries(
    st.sampled_from([str(i) for i in range(8)]),
    st.dictionaries(st.sampled_from(list("abcdefghij")), st.integers(0, 10**7), max_size=10),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(contributions, st.integers(0, 10**8), st.one_of(st.none(), st.integers(0, 10**7)))
def test_match_never_exceeds_the_pool_nor_the_cap(
    given_money: dict[str, dict[str, int]], pool: int, cap: int | None
) -> None:
    outcome = quadratic_match(given_money, pool, cap_cents=cap)
    assert outcome.total == sum(outcome.amounts.values()) <= pool
    assert all(amount >= 0 for amount in outcome.amounts.values())
    if cap is not None:
        assert all(amount <= cap for amount in outcome.amounts.values())
    assert all(outcome.amounts[p] <= outcome.ideal[p] + 1 for p in given_money)
    # Deterministic, and blind to the order people and projects are listed in.
    reordered = {p: dict(reversed(list(g.items()))) for p, g in reversed(list(given_money.items()))}
    assert quadratic_match(reordered, pool, cap_cents=cap).amounts == outcome.amounts


@settings(max_examples=100, deadline=None)
@given(contributions)
def test_an_ample_pool_pays_every_ideal_match(given_money: dict[str, dict[str, int]]) -> None:
    outcome = quadratic_match(given_money, 10**12)
    assert outcome.amounts == outcome.ideal
