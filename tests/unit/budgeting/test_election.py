"""The plain data of the rules: validation of an election, money written the French way."""

from __future__ import annotations

from fractions import Fraction

import pytest

from commons.budgeting.rules import ApprovalElection, MoneyFormat


@pytest.mark.parametrize(
    ("amount", "money", "written"),
    [
        (4_500_000, MoneyFormat(), "4 500 000 €"),
        (4_500_000, MoneyFormat(decimals=2), "45 000 €"),
        (Fraction(5542, 100), MoneyFormat(), "55,42 €"),
        (Fraction(1, 3), MoneyFormat(currency="PLN"), "0,33 PLN"),
        (7, MoneyFormat(decimals=2), "0,07 €"),
    ],
)
def test_money_is_written_the_french_way(amount: int | Fraction, money: MoneyFormat, written: str) -> None:
    assert money(amount) == written


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"costs": {"a": -1}, "ballots": [], "budget": 1}, "project 'a': the cost must be a non-negative integer"),
        ({"costs": {"a": 1.5}, "ballots": [], "budget": 1}, "the cost must be a non-negative integer"),
        ({"costs": {"a": 1}, "ballots": [], "budget": -1}, "the budget must be non-negative"),
        ({"costs": {"a": 1}, "ballots": [["b"]], "budget": 1}, "voter #0 approves unknown project 'b'"),
        ({"costs": {"a": 1}, "ballots": [["a"]], "budget": 1, "weights": [1, 2]}, "2 weights for 1 ballots"),
        ({"costs": {"a": 1}, "ballots": [["a"]], "budget": 1, "weights": [0]}, "voter #0: the weight must be"),
    ],
)
def test_inconsistent_elections_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ApprovalElection(**kwargs)  # type: ignore[arg-type]


def test_approval_counts_are_weighted_and_ignore_repetitions() -> None:
    election = ApprovalElection(
        costs={"a": 1, "b": 2, "c": 3}, ballots=[["a", "a", "b"], ["b"]], budget=3, weights=[2, 5]
    )
    assert election.approval_counts() == {"a": 2, "b": 7, "c": 0}
