"""Method of Equal Shares: equal to pabutools on real and random elections, official outcomes, and the
properties any allocation must have."""

from __future__ import annotations

from pathlib import Path

import pytest
from gmpy2 import mpq  # type: ignore[import-untyped]  # gmpy2 ships no type hints
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from commons.budgeting.pabulib import load
from commons.budgeting.rules import ApprovalElection, Satisfaction, equal_shares, greedy
from commons.budgeting.rules.equal_shares import _Profile, _SearchCosts
from tests.unit.budgeting import oracle
from tests.unit.budgeting.conftest import LIVE_ORACLE_MAX_VOTERS, PABULIB, instance_params, reference
from tests.unit.budgeting.elections import elections

ADD1_TEST_MAX_VOTERS = 10_000
"""pabutools' add1 needs hours on Warszawa and Łódź (no reference): our add1 there is timed by the
benchmark, and test_filtered.py checks that its float runs decide as the exact runs on them."""


def _free_first_as_a_set(
    selected: list[str] | tuple[str, ...], election: ApprovalElection
) -> tuple[set[str], list[str]]:
    """pabutools funds free projects first in an arbitrary (set) order; we use identifier order."""
    free = [project for project in selected if election.costs[project] == 0]
    return set(free), [project for project in selected if election.costs[project] > 0]


@pytest.mark.parametrize("sat", ["cost", "cardinality"])
@pytest.mark.parametrize("path", instance_params())
def test_real_elections_equal_pabutools(path: Path, sat: Satisfaction) -> None:
    instance = load(path)
    election = instance.approval_election()
    if len(instance.voters) <= LIVE_ORACLE_MAX_VOTERS:
        expected = oracle.equal_shares(election, sat)
    else:
        expected = reference(path)[f"mes_{sat}"]
    assert list(equal_shares(election, sat=sat).selected) == expected


@pytest.mark.parametrize("path", instance_params())
def test_add1_on_real_elections_equals_pabutools(path: Path) -> None:
    instance = load(path)
    if len(instance.voters) > ADD1_TEST_MAX_VOTERS:
        pytest.skip("our add1 needs minutes here; see bench/bench_allocation.py")
    expected = reference(path)
    election = instance.approval_election()
    assert list(equal_shares(election, completion="add1").selected) == expected["mes_cost_add1"]
    assert list(equal_shares(election, completion="add1u").selected) == expected["mes_cost_add1u"]


@pytest.mark.parametrize(
    "stem", ["Netherlands_Assen_2024", "Poland_Swiecie_2023", "Poland_Wieliczka_2023_Green_Budget"]
)
def test_add1_reproduces_official_outcomes(stem: str) -> None:
    path = PABULIB / f"{stem}.pb"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    instance = load(path)
    official = {project.id for project in instance.projects if project.fields["selected"] == "1"}
    assert set(equal_shares(instance.approval_election(), completion="add1").selected) == official


@settings(max_examples=200, deadline=None)
@given(elections(weighted=True))
def test_random_elections_equal_pabutools(election: ApprovalElection) -> None:
    for sat in ("cost", "cardinality"):
        ours = equal_shares(election, sat=sat).selected
        assert _free_first_as_a_set(ours, election) == _free_first_as_a_set(
            oracle.equal_shares(election, sat), election
        )


def _everything_approved_fits(election: ApprovalElection) -> bool:
    approved = {project for ballot in election.ballots for project in ballot}
    return sum(election.costs[project] for project in approved) <= election.budget


@settings(max_examples=120, deadline=None)
@given(elections(max_voters=5, max_cost=25, weighted=True))
def test_random_elections_add1_equals_pabutools(election: ApprovalElection) -> None:
    # pabutools loops forever on a budget of 0 and needs 100 × voters rounds when everything fits.
    assume(election.budget > 0 and not _everything_approved_fits(election))
    for sat in ("cost", "cardinality"):
        ours = equal_shares(election, sat=sat, completion="add1").selected
        assert _free_first_as_a_set(ours, election) == _free_first_as_a_set(
            oracle.equal_shares_add1(election, sat), election
        )


def test_add1_when_everything_approved_fits_equals_pabutools() -> None:
    election = ApprovalElection(
        costs={"a": 10, "b": 25, "c": 5, "d": 100},
        ballots=[["a", "b"], ["b"], ["c", "a"], []],
        budget=50,
    )
    expected = oracle.equal_shares_add1(election, "cost")
    assert list(equal_shares(election, completion="add1").selected) == expected
    assert set(expected) == {"a", "b", "c"}


@settings(max_examples=200, deadline=None)
@given(elections(weighted=True))
def test_add1u_is_add1_then_greedy_by_votes(election: ApprovalElection) -> None:
    add1 = equal_shares(election, completion="add1")
    completed = equal_shares(election, completion="add1u")
    assert completed.selected == greedy(election, already_funded=add1.selected).selected
    assert completed.selected[: len(add1.selected)] == add1.selected


@settings(max_examples=100, deadline=None)
@given(elections(max_voters=5, max_cost=25, weighted=True))
def test_add1_in_cents_with_an_increment_of_100_equals_add1_in_units(election: ApprovalElection) -> None:
    in_cents = ApprovalElection(
        costs={project: cost * 100 for project, cost in election.costs.items()},
        ballots=election.ballots,
        budget=election.budget * 100,
        weights=election.weights,
    )
    for completion in ("add1", "add1u"):
        expected = equal_shares(election, completion=completion).selected
        assert equal_shares(in_cents, completion=completion, share_increment=100).selected == expected


def test_explanations_say_what_each_supporter_pays_and_what_was_missing() -> None:
    election = ApprovalElection(
        costs={"park": 30, "bench": 50, "lamp": 40},
        ballots=[["park", "bench"], ["park"], ["bench"], ["lamp"], ["park"]],
        budget=100,
    )
    allocation = equal_shares(election)
    assert allocation.selected == ("park",)
    assert allocation.explanations["park"] == (
        "Financé (choix n° 1) : 3 soutiens, chacun paie au plus 10 € sur sa part de 20 €"
    )
    assert allocation.explanations["bench"] == (
        "Non financé : ses 2 soutiens n'ont plus que 30 € à eux tous, il coûte 50 €"
    )
    assert allocation.explanations["lamp"] == "Non financé : son seul soutien n'a plus que 20 €, il coûte 40 €"
    assert allocation.amounts == {"park": 30, "bench": 0, "lamp": 0}


def test_weights_give_proportional_shares() -> None:
    heavy = ApprovalElection(costs={"a": 60, "b": 60}, ballots=[["a"], ["b"]], budget=100, weights=[3, 1])
    assert equal_shares(heavy).selected == ("a",)
    light = ApprovalElection(costs={"a": 60, "b": 60}, ballots=[["a"], ["b"]], budget=100)
    assert equal_shares(light).selected == ()


def test_unknown_completion_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown completion"):
        equal_shares(ApprovalElection(costs={}, ballots=[], budget=0), completion="add2")  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(
    elections(max_voters=6, max_cost=30, weighted=True, free_projects=False),
    st.integers(1, 80),
    st.sampled_from(["cost", "cardinality"]),
)
def test_a_run_has_the_same_outcome_at_every_share_of_its_interval(
    election: ApprovalElection, quarters: int, sat: Satisfaction
) -> None:
    """What "add1" relies on to skip runs: the interval a run returns is exact."""
    profile = _Profile(election, sat)
    share = mpq(quarters, 4)
    run = profile.run(share, window=mpq(3))
    assert run.low <= share <= run.high
    plain = profile.run(share)
    assert (run.selected, run.prices) == (plain.selected, plain.prices)
    if run.high > run.low:
        for step in range(1, 12):
            inside = run.low + (run.high - run.low) * step / 12
            assert profile.run(inside).selected == run.selected


def test_a_completion_tells_its_progress_before_every_run() -> None:
    election = load(PABULIB / "Poland_Czestochowa_2020_Grabowka.pb").approval_election() if PABULIB.exists() else None
    if election is None:
        pytest.skip(f"no .pb files in {PABULIB}")
    told: list[tuple[int, object]] = []
    with_progress = equal_shares(election, completion="add1", progress=lambda runs, share: told.append((runs, share)))
    assert with_progress == equal_shares(election, completion="add1")
    assert [runs for runs, _ in told] == list(range(1, len(told) + 1))
    total_weight = sum(election.weights) if election.weights else len(election.ballots)
    assert len(told) > 1 and min(share for _, share in told) == mpq(election.budget, total_weight)


@pytest.mark.parametrize("completion", ["add1", "add1u"])
def test_the_outcome_does_not_depend_on_how_the_completion_searches(
    completion: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The completion chooses, by the time runs take, between runs that find their interval of shares and
    float-filtered runs; amounts and explanations must be the same either way (they differed when a
    skipped interval kept its first share instead of its last, as the step-by-step search does)."""
    election = ApprovalElection(
        costs={"9": 15, "10": 20, "11": 15, "B": 35, "2": 37, "a": 32},
        ballots=[["B"], ["9", "a"], [], ["B"], []],
        budget=27,
        weights=[2, 2, 1, 1, 3],
    )
    outcomes = []
    for looks in (True, False):
        monkeypatch.setattr(_SearchCosts, "look_next", lambda self, steady, looks=looks: looks)
        outcomes.append(equal_shares(election, completion=completion))
    assert outcomes[0] == outcomes[1]
