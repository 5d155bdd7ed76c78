"""Wallets: equal shares of the pool, transitive delegations, funding by minimum, and what flows back."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commons.budgeting.rules.wallets import (
    Delegation,
    DelegationCycle,
    Leftover,
    WalletOutcome,
    WalletProject,
    allocate_wallets,
    equal_wallets,
    resolve_delegations,
)


def test_the_pool_is_split_equally_and_remainder_cents_go_to_the_first_ids() -> None:
    assert equal_wallets(["c", "a", "b"], 10) == {"c": 3, "a": 4, "b": 3}
    assert equal_wallets([], 10) == {}


def test_delegations_are_transitive_and_pass_a_share_of_everything_held() -> None:
    delegations = [Delegation("bob", "cyl", 50), Delegation("ana", "bob", 50)]
    power = resolve_delegations(["ana", "bob", "cyl"], delegations, {"ana": 1_000, "bob": 1_000, "cyl": 1_000})
    # ana passes 500 to bob, who then holds 1,500 and passes half of it on to cyl.
    assert power == {"ana": 500, "bob": 750, "cyl": 1_750}
    assert (
        resolve_delegations(["cyl", "bob", "ana"], delegations[::-1], {"ana": 1_000, "bob": 1_000, "cyl": 1_000})
        == power
    )


def test_rounding_leaves_the_odd_cent_with_the_delegator() -> None:
    power = resolve_delegations(["a", "b", "c"], [Delegation("a", "b", 30), Delegation("a", "c", 30)], {"a": 1_001})
    assert power == {"a": 401, "b": 300, "c": 300}


@pytest.mark.parametrize(
    ("delegations", "message"),
    [
        ([("a", "b"), ("b", "c"), ("c", "a")], "délégation circulaire : a → b → c → a"),
        ([("c", "b"), ("b", "a"), ("a", "c")], "délégation circulaire : a → c → b → a"),
        ([("a", "b"), ("b", "c"), ("c", "b")], "délégation circulaire : b → c → b"),
        ([("a", "a")], "délégation circulaire : a → a"),
    ],
)
def test_a_delegation_cycle_is_refused_naming_its_people(delegations: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(DelegationCycle) as raised:
        resolve_delegations(["a", "b", "c"], [Delegation(a, b, 10) for a, b in delegations], {})
    assert str(raised.value) == message
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("delegations", "wallets", "message"),
    [
        ([Delegation("a", "zoé", 10)], {}, "'zoé' is not a participant"),
        ([Delegation("a", "b", 0)], {}, "from 1 to 100"),
        ([Delegation("a", "b", 101)], {}, "from 1 to 100"),
        ([Delegation("a", "b", 60), Delegation("a", "c", 50)], {}, "more than 100 %"),
        ([Delegation("a", "b", 10), Delegation("a", "b", 20)], {}, "given twice"),
        ([], {"a": -1}, "non-negative"),
        ([], {"zoé": 1}, "not a participant"),
    ],
)
def test_bad_delegations_are_refused(delegations: list[Delegation], wallets: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_delegations(["a", "b", "c"], delegations, wallets)


PROJECTS = {
    "four": WalletProject(minimum_cents=1_000, maximum_cents=5_000),
    "jardin": WalletProject(minimum_cents=3_000, maximum_cents=3_000),
    "salle": WalletProject(minimum_cents=10_000, maximum_cents=20_000),
    "vide": WalletProject(minimum_cents=500, maximum_cents=900),
}
SPENDING = {
    "ana": {"four": 1_000, "salle": 2_000, "jardin": 2_000},
    "bob": {"four": 1_000, "jardin": 2_000, "salle": 1_000},
}


def _check_reconciles(outcome: WalletOutcome, pool: int) -> None:
    assert sum(outcome.funded.values()) + outcome.returned + outcome.unspent == pool
    for project, cents in outcome.funded.items():
        assert cents == sum(lines.get(project, 0) for lines in outcome.spent_by.values())


def test_projects_reaching_their_minimum_are_funded_and_the_rest_goes_back_to_the_pool() -> None:
    outcome = allocate_wallets(PROJECTS, ["ana", "bob"], 10_000, SPENDING)
    assert outcome.wallets == outcome.spending_power == {"ana": 5_000, "bob": 5_000}
    # jardin got 4,000 for a maximum of 3,000: each keeps 1,500 there; salle misses its minimum.
    assert outcome.funded == {"four": 2_000, "jardin": 3_000}
    assert outcome.spent_by == {"ana": {"four": 1_000, "jardin": 1_500}, "bob": {"four": 1_000, "jardin": 1_500}}
    assert outcome.returned == 1_000 + 3_000
    assert outcome.unspent == 1_000  # bob kept 1,000 of his wallet
    _check_reconciles(outcome, 10_000)
    assert outcome.explanations == {
        "four": "Financé : 20 € ; 20 € reçus, minimum de 10 € atteint.",
        "jardin": "Financé : 30 € ; 40 € reçus, minimum de 30 € atteint, plafonné à son maximum de 30 € (10 € rendus).",
        "salle": "Non financé : 30 € reçus, sous le minimum de 100 € ; cet argent retourne à l'enveloppe.",
        "vide": "Non financé : personne n'y a mis d'argent (minimum de 5 €).",
    }


def test_respread_gives_money_back_for_a_second_pass_on_funded_projects_with_room() -> None:
    outcome = allocate_wallets(PROJECTS, ["ana", "bob"], 10_000, SPENDING, leftover="respread")
    # Back: ana 2,000 (salle) + 500 (jardin's excess), bob 1,000 + 500. jardin is full, four has 3,000
    # of room for 4,000 offered: ana 3,000 × 2,500 / 4,000 = 1,875, bob 1,125, and 1,000 to the pool.
    assert outcome.funded == {"four": 5_000, "jardin": 3_000}
    assert outcome.spent_by == {"ana": {"four": 2_875, "jardin": 1_500}, "bob": {"four": 2_125, "jardin": 1_500}}
    assert outcome.returned == 1_000
    assert outcome.unspent == 1_000
    _check_reconciles(outcome, 10_000)
    assert (
        outcome.explanations["four"]
        == "Financé : 50 € (dont 30 € au second tour) ; 20 € reçus, minimum de 10 € atteint."
    )
    assert outcome.explanations["salle"] == (
        "Non financé : 30 € reçus, sous le minimum de 100 € ; "
        "cet argent est rendu aux participants pour un second tour."
    )


def test_respread_never_takes_a_person_past_the_cap_per_project() -> None:
    outcome = allocate_wallets(PROJECTS, ["ana", "bob"], 10_000, SPENDING, leftover="respread", project_cap_cents=2_500)
    # ana may add only 1,500 to the 1,000 she put on four; the 1,000 she cannot place goes back.
    assert outcome.spent_by["ana"] == {"four": 2_500, "jardin": 1_500}
    assert outcome.spent_by["bob"] == {"four": 2_500, "jardin": 1_500}
    assert outcome.returned == 1_000
    _check_reconciles(outcome, 10_000)


def test_delegated_money_can_be_spent_by_the_delegate() -> None:
    outcome = allocate_wallets(
        PROJECTS,
        ["ana", "bob"],
        10_000,
        {"bob": {"four": 5_000, "vide": 900}},
        delegations=[Delegation("ana", "bob", 20)],
    )
    assert outcome.wallets == {"ana": 5_000, "bob": 5_000}
    assert outcome.spending_power == {"ana": 4_000, "bob": 6_000}
    assert outcome.funded == {"four": 5_000, "vide": 900}
    assert outcome.unspent == 4_100
    _check_reconciles(outcome, 10_000)


@pytest.mark.parametrize(
    ("spending", "kwargs", "message"),
    [
        ({"ana": {"four": 5_001}}, {}, "'ana' spends 50,01 € but can spend only 50 €"),
        ({"ana": {"piscine": 1}}, {}, "unknown project 'piscine'"),
        ({"ana": {"four": -1}}, {}, "non-negative"),
        ({"zoé": {"four": 1}}, {}, "not a participant"),
        ({"ana": {"four": 2_000}}, {"project_cap_cents": 1_500}, "above the cap of 15 € per project"),
        ({}, {"project_cap_cents": -1}, "cap must be"),
        ({}, {"leftover": "lottery"}, "unknown leftover"),
        ({}, {"pool": -1}, "pool must be"),
        ({}, {"participants": ["ana", "ana"]}, "more than once: ana"),
        ({}, {"delegations": [Delegation("ana", "bob", 5), Delegation("bob", "ana", 5)]}, "ana → bob → ana"),
    ],
)
def test_bad_spending_is_refused(spending: dict[str, dict[str, int]], kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"projects": PROJECTS, "participants": ["ana", "bob"], "pool": 10_000} | kwargs
    with pytest.raises(ValueError, match=message):
        allocate_wallets(spending=spending, **arguments)


def test_a_project_whose_maximum_is_below_its_minimum_is_refused() -> None:
    with pytest.raises(ValueError, match="maximum"):
        WalletProject(minimum_cents=100, maximum_cents=99)
    with pytest.raises(ValueError, match="minimum"):
        WalletProject(minimum_cents=-1, maximum_cents=99)


PEOPLE = [f"p{i}" for i in range(7)]


@st.composite
def acyclic_delegations(draw: st.DrawFn, people: list[str]) -> list[Delegation]:
    """Delegations that only go forward in a random order of the people, so they never loop; each
    person delegates at most 98 %, so a test may add one more delegation of 1 %."""
    order = draw(st.permutations(people))
    delegations = []
    for position, delegator in enumerate(order[:-1]):
        delegates = draw(st.lists(st.sampled_from(order[position + 1 :]), unique=True, max_size=2))
        percents = draw(st.lists(st.integers(1, 49), min_size=len(delegates), max_size=len(delegates)))
        delegations += [Delegation(delegator, d, p) for d, p in zip(delegates, percents, strict=True)]
    return delegations


@settings(max_examples=300, deadline=None)
@given(acyclic_delegations(PEOPLE), st.dictionaries(st.sampled_from(PEOPLE), st.integers(0, 10**7)), st.data())
def test_delegation_conserves_the_money_whatever_the_order(
    delegations: list[Delegation], wallets: dict[str, int], data: st.DataObject
) -> None:
    power = resolve_delegations(PEOPLE, delegations, wallets)
    assert sum(power.values()) == sum(wallets.values())
    assert all(cents >= 0 for cents in power.values())
    delegators = {d.delegator for d in delegations}
    for person in PEOPLE:
        if person not in delegators:
            assert power[person] >= wallets.get(person, 0)
    shuffled = data.draw(st.permutations(delegations))
    assert resolve_delegations(PEOPLE[::-1], shuffled, wallets) == power


@settings(max_examples=300, deadline=None)
@given(acyclic_delegations(PEOPLE), st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=5, unique=True), st.data())
def test_a_cycle_is_always_refused_and_named(
    delegations: list[Delegation], loop: list[str], data: st.DataObject
) -> None:
    closing = [Delegation(a, b, 1) for a, b in zip(loop, [*loop[1:], loop[0]], strict=True)]
    pairs = {(d.delegator, d.delegate) for d in closing}
    combined = [d for d in delegations if (d.delegator, d.delegate) not in pairs] + closing
    combined = data.draw(st.permutations(combined))
    with pytest.raises(DelegationCycle) as raised:
        resolve_delegations(PEOPLE, combined, {})
    named = raised.value.people
    edges = {(d.delegator, d.delegate) for d in combined}
    assert named[0] == named[-1]
    assert all(step in edges for step in itertools.pairwise(named))
    assert str(raised.value) == "délégation circulaire : " + " → ".join(named)


wallet_projects = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d", "e"]),
    st.tuples(st.integers(0, 20_000), st.integers(0, 20_000)).map(
        lambda bounds: WalletProject(minimum_cents=min(bounds), maximum_cents=max(bounds))
    ),
    min_size=1,
)


@settings(max_examples=300, deadline=None)
@given(
    wallet_projects,
    st.lists(st.sampled_from(PEOPLE), unique=True),
    st.integers(0, 100_000),
    st.one_of(st.none(), st.integers(0, 20_000)),
    st.data(),
)
def test_wallet_totals_reconcile_and_respect_every_bound(
    projects: dict[str, WalletProject], people: list[str], pool: int, cap: int | None, data: st.DataObject
) -> None:
    delegations = data.draw(acyclic_delegations(people)) if people else []
    power = resolve_delegations(people, delegations, equal_wallets(people, pool))
    spending: dict[str, dict[str, int]] = {}
    for person in people:
        left = power[person]
        for project in sorted(projects):
            cents = data.draw(st.integers(0, left if cap is None else min(left, cap)))
            spending.setdefault(person, {})[project] = cents
            left -= cents
    outcomes: dict[Leftover, WalletOutcome] = {}
    for leftover in ("pool", "respread"):
        outcome = allocate_wallets(
            projects, people, pool, spending, delegations=delegations, project_cap_cents=cap, leftover=leftover
        )
        outcomes[leftover] = outcome
        assert outcome.spending_power == power
        assert sum(power.values()) == (pool if people else 0)
        _check_reconciles(outcome, pool)
        assert outcome.returned >= 0
        assert outcome.unspent == pool - sum(sum(lines.values()) for lines in spending.values())
        for project, cents in outcome.funded.items():
            assert 0 < cents and projects[project].minimum_cents <= cents <= projects[project].maximum_cents
        for person, lines in outcome.spent_by.items():
            assert sum(lines.values()) <= sum(spending.get(person, {}).values())
            assert all(cents > 0 and (cap is None or cents <= cap) for cents in lines.values())
        assert set(outcome.explanations) == set(projects)
        assert (
            allocate_wallets(
                projects, people, pool, spending, delegations=delegations, project_cap_cents=cap, leftover=leftover
            )
            == outcome
        )
    # The second pass only adds to the projects funded by the first, and sends less back.
    pooled, respread = outcomes["pool"], outcomes["respread"]
    assert set(respread.funded) == set(pooled.funded)
    assert all(respread.funded[p] >= cents for p, cents in pooled.funded.items())
    assert respread.returned <= pooled.returned
