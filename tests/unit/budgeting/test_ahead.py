"""Float runs made ahead by a helper process: they answer exactly what this process would compute, the
"add1" search uses them, and a helper that dies or is late changes nothing but the speed."""

from __future__ import annotations

import os
import signal
from fractions import Fraction

import pytest

from commons.budgeting.pabulib import load
from commons.budgeting.rules import ApprovalElection, equal_shares
from commons.budgeting.rules.ahead import NOT_READY, Ahead
from commons.budgeting.rules.equal_shares import _Profile
from tests.unit.budgeting.conftest import PABULIB, reference

ELECTION = ApprovalElection(
    costs={"a": 40, "b": 41, "c": 10, "d": 25},
    ballots=[["a", "c"], ["b", "c"], ["a"], ["b", "d"], ["d"], ["a", "d"]],
    budget=60,
)


def helper_pids(ahead: Ahead) -> list[int]:
    pool = ahead._pool
    assert pool is not None
    return list(pool._processes or {})  # the pool's worker processes, by pid


def test_the_helper_answers_the_share_asked_as_this_process_would() -> None:
    profile = _Profile(ELECTION, "cost").filtered
    ahead = Ahead(profile)
    try:
        assert ahead.take(Fraction(10)) is NOT_READY  # never asked
        ahead.ask(Fraction(10))
        assert ahead.take(Fraction(11)) is NOT_READY  # asked for another share
        answer = ahead.take(Fraction(10))
        while answer is NOT_READY:  # not waited for until the helper has answered once
            answer = ahead.take(Fraction(10))
        outcome, seconds = answer
        assert outcome == profile.run(Fraction(10)) and seconds >= 0
        ahead.ask(Fraction(12))
        # From now on the helper is waited for.
        later = ahead.take(Fraction(12))
        assert later is not NOT_READY and later[0] == profile.run(Fraction(12))
        assert ahead.answered == 2
    finally:
        ahead.close()


def test_a_helper_that_dies_is_no_longer_asked() -> None:
    ahead = Ahead(_Profile(ELECTION, "cost").filtered)
    ahead.ask(Fraction(10))
    while ahead.take(Fraction(10)) is NOT_READY:
        pass
    for pid in helper_pids(ahead):
        os.kill(pid, signal.SIGKILL)
    ahead.ask(Fraction(11))
    assert ahead.take(Fraction(11)) is NOT_READY
    ahead.ask(Fraction(12))
    assert ahead.take(Fraction(12)) is NOT_READY
    ahead.close()


def test_add1_with_a_helper_from_the_first_run_keeps_its_outcome(helper_answers: list[int]) -> None:
    """Świecie 2023: a few hundred float runs, enough for a helper started at once to answer many."""
    path = PABULIB / "Poland_Swiecie_2023.pb"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    election = load(path).approval_election()
    alone = equal_shares(election, completion="add1")
    assert helper_answers == []  # no helper unless asked for
    helped = equal_shares(election, completion="add1", helper_process=True)
    assert helped == alone
    assert list(helped.selected) == reference(path)["mes_cost_add1"]
    assert helper_answers and helper_answers[-1] > 0  # the helper did make runs the search used
