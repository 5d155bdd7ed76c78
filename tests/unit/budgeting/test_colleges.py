"""Colleges: each controls the part of the pool proportional to its weight, whatever its size, in every rule."""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commons.budgeting.compute import MatchingInputs, WalletInputs, allocate_from_wallets, match
from commons.budgeting.rules.colleges import Colleges, split_among_colleges
from commons.budgeting.rules.wallets import equal_wallets, share_pool

# --- The split -------------------------------------------------------------------------------------


def test_the_pool_is_split_in_proportion_to_the_weights_exactly() -> None:
    # 1,000 × 2/3 = 666.67 and 1,000 × 1/3 = 333.33: the odd cent goes to the larger remainder.
    assert split_among_colleges(1_000, {"b": 1, "a": 2}) == {"a": 667, "b": 333}
    assert split_among_colleges(900, {"habitants": 1, "associations": 1, "collectivités": 1}) == {
        "associations": 300,
        "collectivités": 300,
        "habitants": 300,
    }


def test_equal_remainders_go_to_the_colleges_in_the_order_of_their_names() -> None:
    assert split_among_colleges(1_001, {"z": 1, "a": 1}) == {"a": 501, "z": 500}
    assert split_among_colleges(101, {"c": 1, "b": 1, "a": 1}) == {"a": 34, "b": 34, "c": 33}


def test_nobody_to_share_with_gives_nothing_and_bad_input_is_refused() -> None:
    assert split_among_colleges(500, {}) == {}
    with pytest.raises(ValueError, match="pool"):
        split_among_colleges(-1, {"a": 1})
    with pytest.raises(ValueError, match="college 'a': the weight must be a positive integer"):
        split_among_colleges(10, {"a": 0})
    with pytest.raises(ValueError, match="unknown college 'x'"):
        Colleges(weights={"a": 1}, members={"p1": "x"})


def test_only_the_colleges_present_share_the_pool() -> None:
    colleges = Colleges(weights={"a": 1, "b": 1, "c": 2}, members={"p1": "a", "p2": "b", "p3": "b"})
    # Nobody of college c is there: its part goes to a and b, in proportion to their weights.
    assert colleges.envelopes(1_000, ["p1", "p2", "p3", "nobody"]) == {"a": 500, "b": 500}
    assert colleges.envelopes(1_000, ["p2"]) == {"b": 1_000}
    assert colleges.envelopes(1_000, ["nobody"]) == {}


weights_strategy = st.dictionaries(
    st.text(alphabet="abcdefgh", min_size=1, max_size=3), st.integers(1, 1_000), min_size=1, max_size=6
)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**9), weights_strategy)
def test_the_split_spends_the_pool_exactly_each_share_within_a_cent_of_its_proportion(
    pool: int, weights: dict[str, int]
) -> None:
    shares = split_among_colleges(pool, weights)
    assert sum(shares.values()) == pool
    whole = sum(weights.values())
    for college, share in shares.items():
        assert abs(share - Fraction(pool * weights[college], whole)) < 1


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**7), weights_strategy, st.data())
def test_a_college_s_share_does_not_depend_on_its_size(pool: int, weights: dict[str, int], data: st.DataObject) -> None:
    def people(sizes: dict[str, int]) -> dict[str, str]:
        return {f"{college}-{i}": college for college, size in sizes.items() for i in range(size)}

    sizes = {college: data.draw(st.integers(1, 30), label=f"size of {college}") for college in weights}
    other = {college: data.draw(st.integers(1, 30), label=f"other size of {college}") for college in weights}
    shares = []
    for members in (people(sizes), people(other)):
        wallets = share_pool(list(members), pool, Colleges(weights=weights, members=members))
        assert sum(wallets.values()) == pool
        by_college = {college: sum(w for p, w in wallets.items() if members[p] == college) for college in weights}
        assert by_college == Colleges(weights=weights, members=members).envelopes(pool, members)
        shares.append(by_college)
    assert shares[0] == shares[1] == split_among_colleges(pool, weights)


# --- Wallets ---------------------------------------------------------------------------------------


def test_wallets_split_the_pool_by_college_then_equally_within_each() -> None:
    colleges = Colleges(weights={"a": 1, "b": 1}, members={"p1": "a", "p2": "a", "p3": "a", "p4": "b"})
    # 500 for college a's three people (the two remainder cents to the first ids), 500 for p4 alone;
    # p5 belongs to no college and gets nothing.
    assert share_pool(["p4", "p3", "p2", "p1", "p5"], 1_000, colleges) == {
        "p4": 500,
        "p3": 166,
        "p2": 167,
        "p1": 167,
        "p5": 0,
    }
    assert share_pool(["p2", "p1"], 11) == equal_wallets(["p2", "p1"], 11) == {"p2": 5, "p1": 6}


def _wallet_inputs(**fields: Any) -> WalletInputs:
    """A minimum of 600 €, a pool of 1,200 €, four participants; p4 puts 600 € on the project."""
    base = WalletInputs(
        projects={"1": (60_000, 120_000)},
        participants=["p1", "p2", "p3", "p4"],
        spending={"p4": {"1": 60_000}},
        delegations=[],
        pool_cents=120_000,
    )
    return replace(base, **fields)


def test_a_small_college_s_wallets_can_fund_what_an_equal_split_could_not() -> None:
    with_colleges = _wallet_inputs(
        colleges={"p1": "habitants", "p2": "habitants", "p3": "habitants", "p4": "associations"},
        college_weights={"habitants": 1, "associations": 1},
    )
    full, outcome = allocate_from_wallets(with_colleges)
    assert full.wallets == {"p1": 20_000, "p2": 20_000, "p3": 20_000, "p4": 60_000}
    assert outcome.amounts == {"1": 60_000} and outcome.selected == {"1"}
    # Without colleges p4 holds a quarter of the pool: spending 600 € is beyond their wallet.
    with pytest.raises(ValueError, match="can spend only 300 €"):
        allocate_from_wallets(_wallet_inputs())


def test_delegations_pass_wallets_across_colleges() -> None:
    inputs = _wallet_inputs(
        colleges={"p1": "habitants", "p2": "habitants", "p3": "habitants", "p4": "associations"},
        college_weights={"habitants": 1, "associations": 1},
        delegations=[("p1", "p4", 100)],
        spending={"p4": {"1": 80_000}},
    )
    full, outcome = allocate_from_wallets(inputs)
    assert full.spending_power["p4"] == 80_000 and full.spending_power["p1"] == 0
    assert outcome.amounts == {"1": 80_000}


def test_colleges_enter_the_canonical_inputs_only_when_the_round_has_some() -> None:
    plain = _wallet_inputs()
    document = json.loads(plain.canonical())
    assert "colleges" not in document and "college_weights" not in document
    assert plain.canonical() == (
        b'{"delegations":[],"leftover":"pool","participants":["p1","p2","p3","p4"],"pool_cents":120000,'
        b'"project_cap_cents":null,"projects":{"1":[60000,120000]},"rule":"wallets","rule_version":"1",'
        b'"spending":{"p4":{"1":60000}}}'
    )
    weighted = _wallet_inputs(colleges={"p1": "a", "p4": "b"}, college_weights={"a": 1, "b": 2})
    assert json.loads(weighted.canonical())["colleges"] == {"p1": "a", "p4": "b"}
    assert json.loads(weighted.canonical())["college_weights"] == {"a": 1, "b": 2}
    assert weighted.fingerprint() != plain.fingerprint()


# --- Matching --------------------------------------------------------------------------------------


def _matching(rule: Literal["quadratic", "ratio"], gifts: list[tuple[str, str, int]], **fields: Any) -> MatchingInputs:
    """Two candidates and a pool of 10 €."""
    return MatchingInputs(rule=rule, costs={"1": 10_000, "2": 10_000}, gifts=gifts, pool_cents=1_000, **fields)


TWO_COLLEGES = {"colleges": {"p1": "A", "p2": "A", "p3": "B", "p4": "B"}, "college_weights": {"A": 1, "B": 1}}


def test_quadratic_matches_each_college_from_its_own_envelope() -> None:
    gifts = [("1", "p1", 100), ("1", "p2", 100), ("2", "p3", 400), ("2", "p4", 400)]
    # Ideal matches: (10 + 10)² − 200 = 200 for project 1 (college A), (20 + 20)² − 800 = 800 for
    # project 2 (college B). One pool of 1,000 pays both in full; two envelopes of 500 cap B at 500.
    assert match(_matching("quadratic", gifts)).amounts == {"1": 200, "2": 800}
    outcome = match(_matching("quadratic", gifts, **TWO_COLLEGES))
    assert outcome.amounts == {"1": 200, "2": 500}
    assert outcome.supporters == {"1": 2, "2": 2}
    assert outcome.explanations["2"] == (
        "Abondement de 5 € pour 2 contributeur(s) qui ont donné 8 € ; par collège : B 5 €."
    )


def test_a_college_s_envelope_does_not_grow_with_its_number_of_people() -> None:
    # College A has three givers, college B two; B weighs three times A.
    gifts = [("1", "p1", 100), ("1", "p2", 100), ("1", "p5", 100), ("2", "p3", 100), ("2", "p4", 100)]
    colleges = {
        "colleges": {"p1": "A", "p2": "A", "p5": "A", "p3": "B", "p4": "B"},
        "college_weights": {"A": 1, "B": 3},
    }
    outcome = match(_matching("quadratic", gifts, **colleges))
    # Ideal: 3 people → (30)² − 300 = 600, 2 people → 200. Envelopes: A 250, B 750.
    assert outcome.amounts == {"1": 250, "2": 200}


def test_the_cap_per_project_bounds_its_total_across_colleges_served_by_name() -> None:
    gifts = [("1", "p3", 100), ("1", "p4", 100), ("1", "p1", 100), ("1", "p2", 100)]
    outcome = match(_matching("quadratic", gifts, project_cap_cents=300, **TWO_COLLEGES))
    # A (first by name) gets its ideal 200; B is left 100 of the 300 cap, though its ideal is 200.
    assert outcome.amounts == {"1": 300, "2": 0}
    assert outcome.explanations["1"] == (
        "Abondement de 3 € pour 4 contributeur(s) qui ont donné 4 € (plafond par projet atteint) ; "
        "par collège : A 2 €, B 1 €."
    )
    assert outcome.explanations["2"] == "Aucun abondement : aucun don pendant le co-budget."


def test_ratio_matching_serves_each_college_from_its_envelope() -> None:
    gifts = [("1", "p3", 400), ("2", "p1", 400), ("2", "p2", 400)]
    weights = {"colleges": {"p1": "A", "p2": "A", "p3": "B"}, "college_weights": {"A": 3, "B": 1}}
    # One pool, first come: 400, 400, then 200 for the last gift.
    assert match(_matching("ratio", gifts)).amounts == {"1": 400, "2": 600}
    # Envelopes A 750, B 250: B's early gift is limited to its college's part.
    outcome = match(_matching("ratio", gifts, **weights))
    assert outcome.amounts == {"1": 250, "2": 750}
    assert "par collège : A 7,50 €" in outcome.explanations["2"]


def test_ratio_cap_per_project_counts_every_college() -> None:
    gifts = [("1", "p3", 400), ("1", "p1", 400)]
    outcome = match(_matching("ratio", gifts, project_cap_cents=500, **TWO_COLLEGES))
    # A is served first (by name): 400; B gets what is left of the cap, 100, though it asked first.
    assert outcome.amounts == {"1": 500, "2": 0}
    assert "par collège : A 4 €, B 1 €" in outcome.explanations["1"]


def test_a_person_no_college_welcomes_is_not_matched() -> None:
    gifts = [("1", "p1", 100), ("1", "p2", 100), ("1", "outsider", 100)]
    outcome = match(_matching("ratio", gifts, **TWO_COLLEGES))
    assert outcome.amounts == {"1": 200, "2": 0} and outcome.supporters["1"] == 3
    lonely = match(_matching("quadratic", [("1", "outsider", 100), ("1", "other", 100)], **TWO_COLLEGES))
    assert lonely.amounts == {"1": 0, "2": 0}
    assert "rien à abonder dans l'enveloppe de leur collège" in lonely.explanations["1"]


def test_matching_inputs_publish_colleges_only_when_the_round_has_some() -> None:
    plain = _matching("quadratic", [("1", "p1", 100)])
    assert plain.canonical() == (
        b'{"costs":{"1":10000,"2":10000},"gifts":[["1","p1",100]],"person_cap_cents":null,"pool_cents":1000,'
        b'"project_cap_cents":null,"ratio":[1,1],"ratio_mode":"first_come","rule":"quadratic","rule_version":"1"}'
    )
    weighted = _matching("quadratic", [("1", "p1", 100)], **TWO_COLLEGES)
    assert json.loads(weighted.canonical())["colleges"]["p1"] == "A"
    assert weighted.fingerprint() != plain.fingerprint()


people = st.sampled_from([f"p{i}" for i in range(8)])


@settings(max_examples=200, deadline=None)
@given(
    rule=st.sampled_from(["quadratic", "ratio"]),
    gifts=st.lists(st.tuples(st.sampled_from(["1", "2", "3"]), people, st.integers(0, 50_000)), max_size=20),
    membership=st.dictionaries(people, st.sampled_from(["A", "B", "C"])),
    weights=st.fixed_dictionaries({"A": st.integers(1, 9), "B": st.integers(1, 9), "C": st.integers(1, 9)}),
    pool=st.integers(0, 200_000),
    cap=st.none() | st.integers(0, 60_000),
    mode=st.sampled_from(["first_come", "proportional"]),
)
def test_matching_by_college_never_exceeds_the_pool_an_envelope_or_a_cap(
    rule: Literal["quadratic", "ratio"],
    gifts: list[tuple[str, str, int]],
    membership: dict[str, str],
    weights: dict[str, int],
    pool: int,
    cap: int | None,
    mode: Literal["first_come", "proportional"],
) -> None:
    inputs = MatchingInputs(
        rule=rule,
        costs={"1": 1, "2": 1, "3": 1},
        gifts=gifts,
        pool_cents=pool,
        project_cap_cents=cap,
        ratio=Fraction(3, 2),
        ratio_mode=mode,
        colleges=membership,
        college_weights=weights,
    )
    outcome = match(inputs)
    assert outcome.total <= pool
    if cap is not None:
        assert max(outcome.amounts.values()) <= cap
    # Money only goes where a college member gave.
    matched = {project for project, person, cents in gifts if person in membership and cents > 0}
    assert {project for project, cents in outcome.amounts.items() if cents} <= matched
