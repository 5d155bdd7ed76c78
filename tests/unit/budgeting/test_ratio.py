"""Ratio matching: first come first served and proportional modes, caps, rounding, and invariants."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commons.budgeting.rules.ratio import Gift, RatioMatch, RatioMode, apportion, ratio_match

AMPLE = 10**15


def test_first_come_serves_gifts_in_order_until_the_pool_is_empty() -> None:
    gifts = [Gift("jardin", "ana", 1_000), Gift("atelier", "bob", 1_000), Gift("jardin", "cyl", 2_000)]
    outcome = ratio_match(gifts, 4_500, ratio=2)
    # 1 € given = 2 € from the pool: 2,000 twice, then only 500 of the 4,000 the third gift asks.
    assert outcome.per_gift == (2_000, 2_000, 500)
    assert outcome.amounts == {"jardin": 2_500, "atelier": 2_000}
    assert outcome.total == outcome.pool == 4_500
    assert outcome.explanations["jardin"] == (
        "Abondement de 25 € pour 2 don(s) totalisant 30 €, au taux de 2 pour 1 "
        "(enveloppe épuisée avant la fin des dons)."
    )
    assert outcome.explanations["atelier"] == "Abondement de 20 € pour 1 don(s) totalisant 10 €, au taux de 2 pour 1."


def test_the_gift_that_empties_the_pool_is_served_partly() -> None:
    gifts = [Gift("a", "x", 1_000), Gift("b", "y", 1_000), Gift("c", "z", 1_000)]
    outcome = ratio_match(gifts, 2_500, ratio=2)
    assert outcome.per_gift == (2_000, 500, 0)
    assert outcome.explanations["c"] == (
        "Aucun abondement pour 1 don(s) totalisant 10 € (enveloppe épuisée avant la fin des dons)."
    )


def test_caps_per_project_and_per_person_bound_the_match() -> None:
    gifts = [
        Gift("jardin", "ana", 3_000),  # asks 6,000, the project cap leaves 5,000
        Gift("jardin", "bob", 1_000),  # the project cap is reached
        Gift("atelier", "ana", 1_000),  # ana has drawn 5,000 of her 5,500: 500 left
        Gift("atelier", "bob", 1_000),
    ]
    outcome = ratio_match(gifts, AMPLE, ratio=2, project_cap_cents=5_000, person_cap_cents=5_500)
    assert outcome.per_gift == (5_000, 0, 500, 2_000)
    assert outcome.amounts == {"jardin": 5_000, "atelier": 2_500}
    assert "plafond de 50 € par projet atteint" in outcome.explanations["jardin"]
    assert "plafond de 55 € par personne atteint pour certains dons" in outcome.explanations["atelier"]


def test_proportional_scales_every_capped_ask_and_spends_the_pool_exactly() -> None:
    gifts = [Gift("a", "x", 100), Gift("b", "y", 100), Gift("a", "z", 100), Gift("c", "t", 300)]
    # Asks at 1 for 1: a 200, b 100, c 300 = 600 for a pool of 100: a factor of 1/6.
    outcome = ratio_match(gifts, 100, ratio=1, mode="proportional")
    # Projects first: 33.3, 16.7 and 50 → 33, 16, 50 plus the lost cent to b (largest remainder).
    assert outcome.amounts == {"a": 33, "b": 17, "c": 50}
    # Then a's 33 among its two equal gifts: 16.5 each, the extra cent to the earlier gift.
    assert outcome.per_gift == (17, 17, 16, 50)
    assert outcome.total == 100
    assert outcome.explanations["c"] == (
        "Abondement de 0,50 € pour 1 don(s) totalisant 3 €, au taux de 1 pour 1 "
        "(réduit à 17% pour tenir dans l'enveloppe)."
    )


def test_proportional_pays_every_ask_when_the_pool_suffices() -> None:
    gifts = [Gift("a", "x", 333), Gift("b", "y", 7)]
    outcome = ratio_match(gifts, 10_000, ratio=Fraction(3, 2), mode="proportional")
    assert outcome.per_gift == (499, 10)  # ⌊1.5 × 333⌋ and ⌊1.5 × 7⌋: rounded down to the cent
    assert outcome.total == 509
    assert "au taux de 1,5 pour 1." in outcome.explanations["a"]


def test_a_ratio_without_short_decimal_form_is_written_as_a_fraction() -> None:
    outcome = ratio_match([Gift("a", "x", 300)], 1_000, ratio=Fraction(1, 3))
    assert outcome.amounts == {"a": 100}
    assert "au taux de 1/3 pour 1" in outcome.explanations["a"]


def test_a_gift_of_nothing_gets_nothing_and_says_so() -> None:
    outcome = ratio_match([Gift("a", "x", 0)], 1_000, ratio=2)
    assert outcome.amounts == {"a": 0}
    assert outcome.explanations["a"] == "Aucun abondement pour 1 don(s) totalisant 0 € (rien à abonder)."


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"gifts": [Gift("a", "x", -1)]}, "gift 0 .*non-negative"),
        ({"pool": -1}, "pool"),
        ({"ratio": 0}, "ratio must be positive"),
        ({"ratio": Fraction(-1, 2)}, "ratio must be positive"),
        ({"ratio": 1.5}, "integer or a Fraction"),
        ({"project_cap_cents": -1}, "project cap"),
        ({"person_cap_cents": -5}, "person cap"),
        ({"mode": "lottery"}, "unknown mode"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"gifts": [Gift("a", "x", 100)], "pool": 1_000, "ratio": 2} | kwargs
    with pytest.raises(ValueError, match=message):
        ratio_match(**arguments)


def test_apportion_splits_exactly_with_ties_in_the_given_order() -> None:
    assert apportion(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert apportion(10, {"c": 1, "b": 1, "a": 1}) == {"c": 4, "b": 3, "a": 3}
    assert apportion(0, {"a": 0}) == {"a": 0}
    with pytest.raises(ValueError, match="all zero"):
        apportion(1, {"a": 0})


gift_lists = st.lists(
    st.builds(Gift, st.sampled_from("abcde"), st.sampled_from(["p1", "p2", "p3", "p4"]), st.integers(0, 10**6)),
    max_size=25,
)
ratios = st.one_of(st.integers(1, 5), st.fractions(Fraction(1, 100), Fraction(5)).filter(lambda r: r > 0))
caps = st.one_of(st.none(), st.integers(0, 3 * 10**6))
modes = st.sampled_from(["first_come", "proportional"])


def _per_person(gifts: Sequence[Gift], outcome: RatioMatch) -> dict[str, int]:
    drawn: dict[str, int] = {}
    for gift, cents in zip(gifts, outcome.per_gift, strict=True):
        drawn[gift.person] = drawn.get(gift.person, 0) + cents
    return drawn


@settings(max_examples=300, deadline=None)
@given(gift_lists, st.integers(0, 10**7), ratios, caps, caps, modes)
def test_match_never_exceeds_the_pool_nor_any_cap(
    gifts: list[Gift], pool: int, ratio: Fraction, project_cap: int | None, person_cap: int | None, mode: RatioMode
) -> None:
    outcome = ratio_match(
        gifts, pool, ratio=ratio, project_cap_cents=project_cap, person_cap_cents=person_cap, mode=mode
    )
    assert outcome.total == sum(outcome.amounts.values()) == sum(outcome.per_gift) <= pool
    assert set(outcome.amounts) == set(outcome.explanations) == {gift.project for gift in gifts}
    for gift, cents in zip(gifts, outcome.per_gift, strict=True):
        assert 0 <= cents <= ratio * gift.cents
    if project_cap is not None:
        assert all(amount <= project_cap for amount in outcome.amounts.values())
    if person_cap is not None:
        assert all(drawn <= person_cap for drawn in _per_person(gifts, outcome).values())
    # The pool is spent exactly when it binds, and otherwise every capped ask is paid in full.
    ample = ratio_match(
        gifts, AMPLE, ratio=ratio, project_cap_cents=project_cap, person_cap_cents=person_cap, mode=mode
    )
    if ample.total > pool:
        assert outcome.total == pool
    else:
        assert outcome.per_gift == ample.per_gift
    # Deterministic.
    assert (
        ratio_match(gifts, pool, ratio=ratio, project_cap_cents=project_cap, person_cap_cents=person_cap, mode=mode)
        == outcome
    )


@settings(max_examples=300, deadline=None)
@given(gift_lists, st.integers(0, 10**7), ratios, caps, caps)
def test_first_come_never_serves_a_later_gift_while_an_earlier_one_was_cut_by_the_pool(
    gifts: list[Gift], pool: int, ratio: Fraction, project_cap: int | None, person_cap: int | None
) -> None:
    """A gift gets less than what its ratio and the caps left at its turn allow only when the pool is
    empty after it; then every later gift gets nothing. And later gifts never change earlier matches."""
    outcome = ratio_match(gifts, pool, ratio=ratio, project_cap_cents=project_cap, person_cap_cents=person_cap)
    by_project: dict[str, int] = {}
    by_person: dict[str, int] = {}
    for index, (gift, cents) in enumerate(zip(gifts, outcome.per_gift, strict=True)):
        allowed = int(ratio * gift.cents)
        if project_cap is not None:
            allowed = min(allowed, project_cap - by_project.get(gift.project, 0))
        if person_cap is not None:
            allowed = min(allowed, person_cap - by_person.get(gift.person, 0))
        assert cents <= allowed
        if cents < allowed:
            assert sum(outcome.per_gift[: index + 1]) == pool
            assert not any(outcome.per_gift[index + 1 :])
        by_project[gift.project] = by_project.get(gift.project, 0) + cents
        by_person[gift.person] = by_person.get(gift.person, 0) + cents
    cut = len(gifts) // 2
    earlier = ratio_match(gifts[:cut], pool, ratio=ratio, project_cap_cents=project_cap, person_cap_cents=person_cap)
    assert earlier.per_gift == outcome.per_gift[:cut]


@settings(max_examples=300, deadline=None)
@given(gift_lists, st.integers(0, 10**7), ratios, caps, st.data())
def test_proportional_amounts_per_project_do_not_depend_on_the_order_of_gifts(
    gifts: list[Gift], pool: int, ratio: Fraction, project_cap: int | None, data: st.DataObject
) -> None:
    """Without a person cap (which is used up in arrival order), only the gifts matter, not their order."""
    shuffled = data.draw(st.permutations(gifts))
    first = ratio_match(gifts, pool, ratio=ratio, project_cap_cents=project_cap, mode="proportional")
    again = ratio_match(shuffled, pool, ratio=ratio, project_cap_cents=project_cap, mode="proportional")
    assert again.amounts == first.amounts
    assert again.explanations == first.explanations


@settings(max_examples=200, deadline=None)
@given(gift_lists, st.integers(0, 10**7), ratios, caps, caps)
def test_proportional_never_gives_a_gift_more_than_its_capped_ask(
    gifts: list[Gift], pool: int, ratio: Fraction, project_cap: int | None, person_cap: int | None
) -> None:
    outcome, ample = (
        ratio_match(
            gifts, money, ratio=ratio, project_cap_cents=project_cap, person_cap_cents=person_cap, mode="proportional"
        )
        for money in (pool, AMPLE)
    )
    assert all(cents <= ask for cents, ask in zip(outcome.per_gift, ample.per_gift, strict=True))
    # Scaling by one factor: a gift never gets a bigger share of its ask than another, beyond a cent or two.
    if ample.total > pool:
        for cents, ask in zip(outcome.per_gift, ample.per_gift, strict=True):
            assert abs(cents - Fraction(ask * pool, ample.total)) < 2
