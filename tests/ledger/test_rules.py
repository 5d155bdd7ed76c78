"""The pure rules of a transfer: balanced per unit, floors per kind, units known."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commons.errors import InvalidInput
from commons.ledger.rules import (
    EUR,
    MINUTES,
    AccountKind,
    PlannedLeg,
    format_amount,
    held,
    validate_legs,
    validate_unit,
)

FUNDER = (1, AccountKind.FUNDER)
POOL = (2, AccountKind.CHALLENGE_POOL)
PROJECT = (3, AccountKind.PROJECT)


def leg(account: tuple[int, AccountKind], amount: int, unit: str = EUR) -> PlannedLeg:
    return PlannedLeg(account[0], account[1], unit, amount)


def test_a_funder_paying_a_pool_is_valid_and_returns_the_new_balances() -> None:
    assert validate_legs([leg(FUNDER, -500), leg(POOL, 500)], {}) == {1: -500, 2: 500}


@pytest.mark.parametrize(
    ("legs", "balances", "message"),
    [
        ([], {}, "au moins deux"),
        ([leg(POOL, 0), leg(PROJECT, 0)], {}, "entier non nul"),
        ([leg(FUNDER, -5), leg(FUNDER, 5)], {}, "apparaît deux fois"),
        ([leg(FUNDER, -500), leg(POOL, 499)], {}, "déséquilibré en EUR"),
        ([leg(FUNDER, -500), leg(POOL, 500, MINUTES)], {}, "déséquilibré"),
        ([leg(POOL, -1), leg(PROJECT, 1)], {}, "cagnotte de l'appel n°2 (EUR) n'a pas assez : il manque 0,01 EUR"),
        # The funder put in 1,00 EUR; the pool holds 2,00 EUR: the funder cannot get 1,50 EUR back.
        (
            [leg(FUNDER, 150), leg(POOL, -150)],
            {1: -100, 2: 200},
            "financeur n°1 (EUR) n'a pas assez : il manque 0,50 EUR",
        ),
    ],
)
def test_invalid_transfers_are_refused(legs: list[PlannedLeg], balances: dict[int, int], message: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        validate_legs(legs, balances)


def test_held_amounts_follow_the_orientation_of_the_kind() -> None:
    assert held(AccountKind.CONTRIBUTOR, -300) == 300
    assert held(AccountKind.PROJECT, 300) == 300


def test_units_are_euro_minutes_or_configured_local_currencies() -> None:
    assert validate_unit(EUR) == EUR
    assert validate_unit("EUSKO", {"EUSKO"}) == "EUSKO"
    with pytest.raises(InvalidInput, match="EUSKO"):
        validate_unit("EUSKO")


def test_amounts_are_shown_in_their_unit() -> None:
    assert format_amount(123456, EUR) == "1\u202f234,56 EUR"
    assert format_amount(-125, MINUTES) == "-2 h 05 min"
    assert format_amount(5, MINUTES) == "5 min"


KINDS = list(AccountKind)
legs_strategy = st.lists(
    st.tuples(st.integers(0, 5), st.sampled_from([EUR, MINUTES]), st.integers(-1000, 1000)), max_size=5
)


@settings(max_examples=200)
@given(legs=legs_strategy, start=st.lists(st.integers(-1000, 1000), min_size=6, max_size=6))
def test_an_accepted_transfer_is_balanced_and_keeps_every_floor(
    legs: list[tuple[int, str, int]], start: list[int]
) -> None:
    planned = [PlannedLeg(account, KINDS[account], unit, amount) for account, unit, amount in legs]
    balances = dict(enumerate(start))
    try:
        after = validate_legs(planned, balances)
    except InvalidInput:
        return
    for unit in (EUR, MINUTES):
        assert sum(p.amount for p in planned if p.unit == unit) == 0
    for p in planned:
        assert after[p.account_id] == balances[p.account_id] + p.amount
        assert (
            (after[p.account_id] <= 0)
            if p.kind in (AccountKind.FUNDER, AccountKind.CONTRIBUTOR)
            else (after[p.account_id] >= 0)
        )
