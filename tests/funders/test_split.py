"""The split of grants among funders: rules, caps, all or nothing, and a brute-force oracle."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commons.funders.split import FunderTerms, GrantAsk, GrantSplit, ProjectTerms, split_grants

CITIZENS = ProjectTerms(1, budget_cents=100_000, kinds=frozenset({"habitant"}), themes=frozenset({"mobilité"}))
COMPANY = ProjectTerms(2, budget_cents=50_000, kinds=frozenset({"entreprise"}), themes=frozenset({"mobilité"}))


def test_an_all_or_nothing_grant_is_paid_by_several_funders_when_one_is_not_enough() -> None:
    funders = [FunderTerms(1, 30_000), FunderTerms(2, 50_000)]
    [split] = split_grants(funders, [CITIZENS], [GrantAsk(1, 60_000, divisible=False)])
    assert split.by_funder == {1: 30_000, 2: 30_000}
    assert split.reason == ""


def test_a_funder_never_pays_a_kind_of_project_it_does_not_fund() -> None:
    associations_only = FunderTerms(1, 100_000, kinds=frozenset({"association"}))
    [split] = split_grants([associations_only], [CITIZENS], [GrantAsk(1, 10_000, divisible=True)])
    assert split.by_funder == {}
    assert "Aucun financeur" in split.reason


def test_caps_a_share_of_the_budget_and_an_absolute_amount_counting_what_was_paid() -> None:
    # 70 % of 50,000 = 35,000, but at most 30,000 per project, of which 5,000 already paid.
    capped = FunderTerms(1, 100_000, max_share_percent=70, max_cents=30_000, paid={2: 5_000})
    [split] = split_grants([capped], [COMPANY], [GrantAsk(2, 40_000, divisible=True)])
    assert split.by_funder == {1: 25_000}
    assert "plafonds" in split.reason and "versé 25" in split.reason


def test_a_refused_grant_leaves_the_money_to_the_next_one() -> None:
    funders = [FunderTerms(1, 50_000)]
    grants = [GrantAsk(1, 60_000, divisible=False), GrantAsk(2, 40_000, divisible=False)]
    first, second = split_grants(funders, [CITIZENS, COMPANY], grants)
    assert first.paid_cents == 0 and "tout ou rien" in first.reason
    assert second.by_funder == {1: 40_000}


def test_money_is_rerouted_so_a_later_grant_fits() -> None:
    # Funder 1 funds anyone, funder 2 only inhabitants. The company grant comes second: the split
    # must pay the first grant with funder 2's money, so that funder 1's can pay the company.
    anyone = FunderTerms(1, 40_000)
    inhabitants = FunderTerms(2, 40_000, kinds=frozenset({"habitant"}))
    grants = [GrantAsk(1, 40_000, divisible=False), GrantAsk(2, 40_000, divisible=False)]
    first, second = split_grants([anyone, inhabitants], [CITIZENS, COMPANY], grants)
    assert first.by_funder == {2: 40_000}
    assert second.by_funder == {1: 40_000}


def test_themes_must_meet() -> None:
    culture = FunderTerms(1, 10_000, themes=frozenset({"culture"}))
    [split] = split_grants([culture], [CITIZENS], [GrantAsk(1, 1_000, divisible=True)])
    assert split.paid_cents == 0


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        split_grants([FunderTerms(1, 10)], [CITIZENS], [GrantAsk(1, -1, divisible=True)])
    with pytest.raises(ValueError, match="terms"):
        split_grants([FunderTerms(1, 10)], [CITIZENS], [GrantAsk(9, 1, divisible=True)])


# --------------------------------------------------------------------------- properties

KINDS = ("habitant", "association")
THEMES = ("mobilité", "alimentation")


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[FunderTerms], list[ProjectTerms], list[GrantAsk]]:
    projects = [
        ProjectTerms(
            project_id,
            budget_cents=draw(st.integers(0, 8)),
            kinds=frozenset(draw(st.sets(st.sampled_from(KINDS), min_size=1))),
            themes=frozenset(draw(st.sets(st.sampled_from(THEMES)))),
        )
        for project_id in range(1, draw(st.integers(1, 3)) + 1)
    ]
    ids = [project.project_id for project in projects]
    funders = [
        FunderTerms(
            funder_id,
            available_cents=draw(st.integers(0, 6)),
            kinds=frozenset(draw(st.sets(st.sampled_from(KINDS)))),
            themes=frozenset(draw(st.sets(st.sampled_from(THEMES)))),
            max_share_percent=draw(st.none() | st.integers(1, 100)),
            max_cents=draw(st.none() | st.integers(0, 5)),
            paid=draw(st.dictionaries(st.sampled_from(ids), st.integers(0, 2))),
        )
        for funder_id in draw(st.lists(st.integers(1, 9), max_size=3, unique=True))
    ]
    grants = draw(
        st.lists(
            st.builds(GrantAsk, st.sampled_from(ids), st.integers(0, 4), st.booleans()),
            max_size=4,
        )
    )
    return funders, projects, grants


def _feasible(
    funders: Sequence[FunderTerms], projects: dict[int, ProjectTerms], demands: Sequence[tuple[int, int]]
) -> bool:
    """Whether every (project, cents) demand can be paid in full: a depth-first search over every split."""
    left = {funder.funder_id: funder.available_cents for funder in funders}
    room = {
        (funder.funder_id, project_id): funder.room(project)
        for funder in funders
        for project_id, project in projects.items()
    }

    def place(index: int, funder_index: int, rest: int) -> bool:
        if rest == 0:
            return index + 1 >= len(demands) or place(index + 1, 0, demands[index + 1][1])
        if funder_index == len(funders):
            return False
        funder_id, project_id = funders[funder_index].funder_id, demands[index][0]
        most = min(rest, left[funder_id], room[funder_id, project_id])
        for amount in range(most, -1, -1):
            left[funder_id] -= amount
            room[funder_id, project_id] -= amount
            ok = place(index, funder_index + 1, rest - amount)
            left[funder_id] += amount
            room[funder_id, project_id] += amount
            if ok:
                return True
        return False

    return not demands or place(0, 0, demands[0][1])


def _oracle(funders: list[FunderTerms], projects: list[ProjectTerms], grants: list[GrantAsk]) -> list[int]:
    """What each grant should get, by brute force: in order, the most that keeps everything before feasible."""
    by_id = {project.project_id: project for project in projects}
    accepted: list[tuple[int, int]] = []
    outcome: list[int] = []
    for grant in grants:
        options = range(grant.cents, -1, -1) if grant.divisible else (grant.cents, 0)
        got = next(amount for amount in options if _feasible(funders, by_id, [*accepted, (grant.project_id, amount)]))
        accepted.append((grant.project_id, got))
        outcome.append(got)
    return outcome


def _check_invariants(funders: list[FunderTerms], projects: list[ProjectTerms], splits: list[GrantSplit]) -> None:
    by_id = {project.project_id: project for project in projects}
    spent: defaultdict[int, int] = defaultdict(int)
    to_project: defaultdict[tuple[int, int], int] = defaultdict(int)
    for split in splits:
        assert 0 <= split.paid_cents <= split.ask.cents
        if not split.ask.divisible:
            assert split.paid_cents in (0, split.ask.cents)
        assert (split.reason == "") == (split.paid_cents == split.ask.cents)
        for funder_id, cents in split.by_funder.items():
            assert cents > 0
            spent[funder_id] += cents
            to_project[funder_id, split.ask.project_id] += cents
    for funder in funders:
        assert spent[funder.funder_id] <= funder.available_cents, "a funder paid more than it has"
        for project_id, project in by_id.items():
            paid = to_project[funder.funder_id, project_id]
            if not funder.accepts(project):
                assert paid == 0, "a funder paid a project it does not accept"
            assert paid <= funder.room(project), "a funder paid beyond its caps"


@settings(max_examples=300, deadline=None)
@given(instances())
def test_split_keeps_every_rule_and_matches_the_brute_force(
    instance: tuple[list[FunderTerms], list[ProjectTerms], list[GrantAsk]],
) -> None:
    funders, projects, grants = instance
    splits = split_grants(funders, projects, grants)
    assert [split.ask for split in splits] == grants
    _check_invariants(funders, projects, splits)
    assert [split.paid_cents for split in splits] == _oracle(funders, projects, grants)


@settings(max_examples=50, deadline=None)
@given(instances())
def test_split_is_deterministic(instance: tuple[list[FunderTerms], list[ProjectTerms], list[GrantAsk]]) -> None:
    funders, projects, grants = instance
    assert split_grants(funders, projects, grants) == split_grants(list(reversed(funders)), projects, grants)
