"""Configured local currencies: reading them, accepting money in them, showing amounts in them."""

from __future__ import annotations

from pathlib import Path

import pytest

from commons.errors import InvalidInput
from commons.pledges.currencies import (
    LocalCurrency,
    check_currency,
    format_money,
    local_currencies_from_env,
    parse_local_currencies,
)
from commons.settings import load_settings

EUSKO, GONETTE = LocalCurrency("EUSKO", "Eusko"), LocalCurrency("GONETTE", "Gonette")


def test_code_label_pairs_are_read_in_order() -> None:
    assert parse_local_currencies(" EUSKO:Eusko , GONETTE:Gonette ,") == (EUSKO, GONETTE)
    assert local_currencies_from_env({"COMMONS_LOCAL_CURRENCIES": "EUSKO:Eusko"}) == (EUSKO,)


def test_no_local_currency_by_default() -> None:
    assert local_currencies_from_env({}) == ()
    assert local_currencies_from_env({"COMMONS_LOCAL_CURRENCIES": "  "}) == ()


def test_settings_read_the_local_currencies(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COMMONS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("COMMONS_LOCAL_CURRENCIES", raising=False)
    assert load_settings().local_currencies == ()
    monkeypatch.setenv("COMMONS_LOCAL_CURRENCIES", "EUSKO:Eusko,GONETTE:Gonette")
    assert load_settings().local_currencies == (EUSKO, GONETTE)
    monkeypatch.setenv("COMMONS_LOCAL_CURRENCIES", "Eusko")
    with pytest.raises(ValueError, match="COMMONS_LOCAL_CURRENCIES"):
        load_settings()


@pytest.mark.parametrize(
    "text",
    ["EUSKO", "EUSKO:", "eusko:Eusko", "E:Eusko", "EUSKO-PAYS:Eusko", "EUR:Euro", "MIN:Minutes", "EUSKO:A,EUSKO:B"],
)
def test_bad_configuration_names_the_variable(text: str) -> None:
    with pytest.raises(ValueError, match="COMMONS_LOCAL_CURRENCIES"):
        parse_local_currencies(text)


def test_euros_and_configured_currencies_are_accepted_others_refused() -> None:
    assert check_currency("EUR", ()) == "EUR"
    assert check_currency("EUSKO", (EUSKO,)) == "EUSKO"
    with pytest.raises(InvalidInput, match=r"les monnaies possibles sont EUR, EUSKO \(Eusko\), GONETTE \(Gonette\)"):
        check_currency("eusko", (EUSKO, GONETTE))


def test_amounts_read_with_their_currency() -> None:
    assert format_money(12_050, "EUR") == "120,50 €"
    assert format_money(1_500_000, "EUSKO") == "15\u202f000 EUSKO"
