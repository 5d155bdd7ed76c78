"""Valorisation du bénévolat: what an hour of volunteer time is worth, in euro cents.

Volunteer time counts as a non-monetary resource of a project, valued at the minimum hourly
wage (SMIC horaire brut) times a coefficient of 1 to 3 set by the skill level the time needs.
The wage and the coefficients are configuration, not code: the defaults live in
``DEFAULT_VALUATION`` only, and ``valuation_from_env`` overrides them from
``COMMONS_SMIC_HOURLY_CENTS`` and ``COMMONS_SKILL_LEVELS``.

Amounts are computed exactly with ``Fraction`` and rounded once, half up to the cent.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

MIN_COEFFICIENT = Fraction(1)
MAX_COEFFICIENT = Fraction(3)

SMIC_ENV = "COMMONS_SMIC_HOURLY_CENTS"
SKILLS_ENV = "COMMONS_SKILL_LEVELS"


def normalize_skill(skill: str) -> str:
    """A skill's key for matching: case, accents and spacing do not matter ("Comptabilité " = "comptabilite")."""
    decomposed = unicodedata.normalize("NFKD", skill.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def round_half_up(value: Fraction) -> int:
    """The nearest integer, halves rounded up (``2.5 → 3``); values here are never negative."""
    return math.floor(value + Fraction(1, 2))


@dataclass(frozen=True, slots=True)
class ValuationTable:
    """The hourly wage, the named skill levels with their coefficients, and which skill has which coefficient.

    Parameters:
        hourly_wage_cents: the gross minimum hourly wage, in euro cents (positive).
        levels: named skill levels and their coefficient, each between 1 and 3 (for reading and for the
            default coefficient).
        default_level: the level of time whose skill is not in ``skills`` (or not given).
        skills: a coefficient per skill, keyed by ``normalize_skill`` (normalized on construction).
    """

    hourly_wage_cents: int
    levels: Mapping[str, Fraction]
    default_level: str
    skills: Mapping[str, Fraction] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.hourly_wage_cents <= 0:
            raise ValueError(f"the hourly wage must be a positive number of cents, not {self.hourly_wage_cents}")
        if self.default_level not in self.levels:
            raise ValueError(f"the default level {self.default_level!r} is not one of the levels")
        for name, coefficient in [*self.levels.items(), *self.skills.items()]:
            _check_coefficient(coefficient, name)
        # Read-only copies: a table is shared (the default one by every Settings) and must not change.
        object.__setattr__(self, "levels", MappingProxyType(dict(self.levels)))
        skills = {normalize_skill(k): Fraction(v) for k, v in self.skills.items()}
        object.__setattr__(self, "skills", MappingProxyType(skills))

    @property
    def default_coefficient(self) -> Fraction:
        return self.levels[self.default_level]

    def coefficient(self, skill: str) -> Fraction:
        """The coefficient of time given with this skill; the default level's when the skill is unknown or empty."""
        return self.skills.get(normalize_skill(skill), self.default_coefficient)

    def exact_value(self, minutes: int, skill: str) -> Fraction:
        """The exact value of ``minutes`` of time with ``skill``, in cents, before rounding."""
        if minutes < 0:
            raise ValueError(f"a duration cannot be negative ({minutes} minutes)")
        return Fraction(minutes * self.hourly_wage_cents, 60) * self.coefficient(skill)

    def value_of(self, minutes: int, skill: str) -> int:
        """The value of ``minutes`` of time with ``skill``, in cents, rounded half up to the cent."""
        return round_half_up(self.exact_value(minutes, skill))


def _check_coefficient(coefficient: Fraction, name: str) -> None:
    if not MIN_COEFFICIENT <= coefficient <= MAX_COEFFICIENT:
        raise ValueError(f"the coefficient of {name!r} must be between 1 and 3, not {coefficient}")


# The defaults, in this one place. 1 202 cents is the SMIC horaire brut of 1 January 2026 (12,02 €);
# it changes every year, so it is configuration: set COMMONS_SMIC_HOURLY_CENTS rather than editing this.
UNSKILLED = "sans qualification particulière"
QUALIFIED = "qualifiée"
EXPERT = "expert"
DEFAULT_VALUATION = ValuationTable(
    hourly_wage_cents=1202,
    levels={UNSKILLED: Fraction(1), QUALIFIED: Fraction(2), EXPERT: Fraction(3)},
    default_level=UNSKILLED,
    skills={
        "comptabilité": Fraction(2),
        "communication": Fraction(2),
        "graphisme": Fraction(2),
        "juridique": Fraction(3),
        "droit des associations": Fraction(3),
        "développement web": Fraction(3),
    },
)


def parse_skill_levels(text: str, levels: Mapping[str, Fraction]) -> dict[str, Fraction]:
    """``"juridique=3, comptabilité=1.5, animation=qualifiée"`` → a coefficient per skill.

    A value is a number from 1 to 3 (a dot for decimals, or a fraction such as ``3/2``) or the name of
    one of ``levels``. Raises ``ValueError`` naming ``COMMONS_SKILL_LEVELS`` and the faulty item.
    """
    named = {normalize_skill(name): coefficient for name, coefficient in levels.items()}
    skills: dict[str, Fraction] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        skill, sep, value = (piece.strip() for piece in item.partition("="))
        if not sep or not skill or not value:
            raise ValueError(f"{SKILLS_ENV}: {item!r} should read skill=coefficient (e.g. juridique=3)")
        coefficient = named.get(normalize_skill(value))
        if coefficient is None:
            try:
                coefficient = Fraction(value)
            except (ValueError, ZeroDivisionError):
                raise ValueError(
                    f"{SKILLS_ENV}: the coefficient of {skill!r} must be a number from 1 to 3 "
                    f"or one of {', '.join(levels)}, not {value!r}"
                ) from None
        if not MIN_COEFFICIENT <= coefficient <= MAX_COEFFICIENT:
            raise ValueError(f"{SKILLS_ENV}: the coefficient of {skill!r} must be between 1 and 3, not {value}")
        skills[skill] = coefficient
    return skills


def valuation_from_env(environ: Mapping[str, str], default: ValuationTable = DEFAULT_VALUATION) -> ValuationTable:
    """The valuation table, ``default`` overridden by the environment.

    ``COMMONS_SMIC_HOURLY_CENTS`` (a positive whole number of cents) replaces the wage;
    ``COMMONS_SKILL_LEVELS`` replaces the whole skill table (so a default skill can be dropped).
    A bad value raises ``ValueError`` naming the variable.
    """
    wage = default.hourly_wage_cents
    wage_text = environ.get(SMIC_ENV, "").strip()
    if wage_text:
        if not wage_text.isascii() or not wage_text.isdigit() or int(wage_text) <= 0:
            raise ValueError(f"{SMIC_ENV} must be a positive whole number of cents (e.g. 1202), not {wage_text!r}")
        wage = int(wage_text)
    skills: Mapping[str, Fraction] = default.skills
    if SKILLS_ENV in environ:
        skills = parse_skill_levels(environ[SKILLS_ENV], default.levels)
    return ValuationTable(
        hourly_wage_cents=wage, levels=default.levels, default_level=default.default_level, skills=skills
    )
