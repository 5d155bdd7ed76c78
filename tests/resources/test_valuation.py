"""Valuing volunteer time: the SMIC times a skill coefficient, exact, rounded half up once."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from commons.resources.valuation import (
    DEFAULT_VALUATION,
    EXPERT,
    QUALIFIED,
    UNSKILLED,
    ValuationTable,
    valuation_from_env,
)
from commons.settings import Settings, load_settings
from tests.conftest import TEST_SECRET_KEY

LEVELS = {UNSKILLED: Fraction(1), QUALIFIED: Fraction(2), EXPERT: Fraction(3)}


def _table(wage: int, **skills: Fraction) -> ValuationTable:
    return ValuationTable(hourly_wage_cents=wage, levels=LEVELS, default_level=UNSKILLED, skills=skills)


def test_an_hour_is_worth_the_smic_times_the_skill_coefficient() -> None:
    assert DEFAULT_VALUATION.hourly_wage_cents == 1202
    assert DEFAULT_VALUATION.value_of(60, "") == 1202
    assert DEFAULT_VALUATION.value_of(60, "tenue de stand") == 1202  # unknown skill: default level
    assert DEFAULT_VALUATION.value_of(60, "comptabilité") == 2 * 1202
    assert DEFAULT_VALUATION.value_of(90, "juridique") == 3 * 1803


def test_skills_match_whatever_their_case_accents_and_spacing() -> None:
    for spelling in ("Comptabilité", "COMPTABILITE", "  comptabilite "):
        assert DEFAULT_VALUATION.coefficient(spelling) == 2
    assert DEFAULT_VALUATION.coefficient("Développement   Web") == 3


def test_value_is_exact_then_rounded_half_up_to_the_cent() -> None:
    assert _table(90).exact_value(1, "") == Fraction(3, 2)
    assert _table(90).value_of(1, "") == 2  # 1.5 → 2
    assert _table(150).value_of(1, "") == 3  # 2.5 → 3, not the banker's 2
    assert _table(1201).value_of(1, "") == 20  # 20.016… → 20
    assert _table(1201).value_of(2, "") == 40  # 40.03… → 40
    assert _table(1202, animation=Fraction(3, 2)).value_of(60, "animation") == 1803
    assert _table(1201, animation=Fraction(3, 2)).value_of(1, "animation") == 30  # 30.025 → 30


def test_coefficients_outside_one_to_three_are_refused() -> None:
    for coefficient in (Fraction(0), Fraction(99, 100), Fraction(301, 100)):
        with pytest.raises(ValueError, match="between 1 and 3"):
            _table(1202, juridique=coefficient)
        with pytest.raises(ValueError, match="between 1 and 3"):
            ValuationTable(hourly_wage_cents=1202, levels={"bas": coefficient}, default_level="bas")
    assert _table(1202, a=Fraction(1), b=Fraction(3)).coefficient("b") == 3  # the bounds themselves are allowed


def test_a_table_needs_a_positive_wage_a_known_default_level_and_a_duration() -> None:
    with pytest.raises(ValueError, match="positive"):
        _table(0)
    with pytest.raises(ValueError, match="default level"):
        ValuationTable(hourly_wage_cents=1202, levels=LEVELS, default_level="débutant")
    with pytest.raises(ValueError, match="negative"):
        _table(1202).value_of(-1, "")


def test_the_environment_overrides_the_wage_and_replaces_the_skill_table() -> None:
    assert valuation_from_env({}) == DEFAULT_VALUATION
    table = valuation_from_env(
        {
            "COMMONS_SMIC_HOURLY_CENTS": "1250",
            "COMMONS_SKILL_LEVELS": "juridique=3, Comptabilité=1.5,développement web=3,animation=qualifiée",
        }
    )
    assert table.hourly_wage_cents == 1250
    assert dict(table.skills) == {
        "juridique": 3,
        "comptabilite": Fraction(3, 2),
        "developpement web": 3,
        "animation": 2,
    }
    assert table.value_of(60, "comptabilité") == 1875
    assert table.value_of(60, "graphisme") == 1250  # a default skill no longer listed: default level
    assert dict(valuation_from_env({"COMMONS_SKILL_LEVELS": ""}).skills) == {}


@pytest.mark.parametrize("value", ["12,02", "12.02", "0", "-5", "douze", "１２０２"])
def test_a_bad_wage_in_the_environment_names_the_variable(value: str) -> None:
    with pytest.raises(ValueError, match="COMMONS_SMIC_HOURLY_CENTS"):
        valuation_from_env({"COMMONS_SMIC_HOURLY_CENTS": value})


@pytest.mark.parametrize(
    "value", ["juridique", "juridique=", "=3", "juridique=4", "juridique=0.5", "juridique=beaucoup", "juridique=1/0"]
)
def test_a_bad_skill_table_in_the_environment_names_the_variable(value: str) -> None:
    with pytest.raises(ValueError, match="COMMONS_SKILL_LEVELS"):
        valuation_from_env({"COMMONS_SKILL_LEVELS": value})


def test_settings_read_the_valuation_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COMMONS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COMMONS_SMIC_HOURLY_CENTS", "1300")
    monkeypatch.setenv("COMMONS_SKILL_LEVELS", "juridique=2")
    assert load_settings().valuation.value_of(60, "Juridique") == 2600
    monkeypatch.setenv("COMMONS_SMIC_HOURLY_CENTS", "treize euros")
    with pytest.raises(ValueError, match="COMMONS_SMIC_HOURLY_CENTS"):
        load_settings()


def test_settings_built_without_a_valuation_use_the_default_table(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url="sqlite+aiosqlite:///:memory:",
        redis_url=None,
        secret_key=TEST_SECRET_KEY,
        secure_cookies=True,
        debug=False,
    )
    assert settings.valuation is DEFAULT_VALUATION
