"""Reading what people type in forms: euros and hours the French way, safe redirects."""

from __future__ import annotations

import pytest

from commons.errors import InvalidInput
from commons.web.forms import euros_input, hours_input, parse_cents, parse_minutes, safe_next


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("120", 12_000),
        ("120,50", 12_050),
        ("120.50", 12_050),
        ("120,5", 12_050),
        ("0,10", 10),
        ("1 200,50", 120_050),
        ("1\u202f200", 120_000),
        ("20 000 €", 2_000_000),
        ("0.29", 29),  # 0.29 * 100 is 28.999… in float: Decimal keeps it exact
        ("1.13", 113),
    ],
)
def test_euros_become_exact_cents(typed: str, cents: int) -> None:
    assert parse_cents(typed, "Montant") == cents


@pytest.mark.parametrize("typed", ["douze", "-5", "12,345", "1e3", "NaN", "Infinity", "12,", ",5", "1,2,3", ""])
def test_anything_else_is_not_an_amount(typed: str) -> None:
    with pytest.raises(InvalidInput, match="montant invalide"):
        parse_cents(typed, "Montant")


@pytest.mark.parametrize(("typed", "minutes"), [("2", 120), ("1,5", 90), ("0.25", 15), ("10 h", 600), ("0,33", 20)])
def test_hours_become_minutes(typed: str, minutes: int) -> None:
    assert parse_minutes(typed, "Temps") == minutes


@pytest.mark.parametrize("typed", ["deux", "-1", "1h30min", "1:30"])
def test_anything_else_is_not_a_duration(typed: str) -> None:
    with pytest.raises(InvalidInput, match="durée invalide"):
        parse_minutes(typed, "Temps")


def test_amounts_are_shown_back_as_they_are_typed() -> None:
    assert [euros_input(c) for c in (12_050, 12_000, 5, None)] == ["120,50", "120", "0,05", ""]
    assert [hours_input(m) for m in (90, 120, 600, 20)] == ["1,5", "2", "10", "0,33"]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/me", "/me"),
        ("/projects/3?tab=equipe#besoins", "/projects/3?tab=equipe#besoins"),
        ("https://evil.example", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/\tevil", "/"),
        (None, "/"),
        ("", "/"),
    ],
)
def test_only_local_paths_are_followed_after_signing_in(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected
