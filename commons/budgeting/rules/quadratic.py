"""Quadratic matching: a pool matches people's own money, favouring broad support over big cheques.

Definition (Buterin, Hitzig and Weyl, "A Flexible Design for Funding Public Goods", 2019, the
"quadratic funding" / CLR mechanism): a project that receives contributions c_1 … c_n from n
distinct people should get (Σ √c_i)² in total, so the pool adds the ideal match

    m = (Σ √c_i)² − Σ c_i.

One person counts once: their contributions to a project are added up before the square root.
Each ideal match is capped at ``cap_cents`` when a cap is declared (or at the project's own cap in
``project_caps``, e.g. what is left of a cap shared with other envelopes); if the capped matches
exceed the pool, all are scaled down by the same factor pool / Σ matches.

Exactness: square roots are irrational, so they are taken on integers scaled by 10^12 with
``math.isqrt`` (floor), which makes the ideal match exact to far below a cent and the same on every
machine. Amounts are whole cents, rounded down, and the cents lost to rounding in the scaling step
go one by one to the projects with the largest remainders (ties: smaller project id as a string),
so the pool is spent exactly when it is the binding limit, and never exceeded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from commons.budgeting.rules.election import MoneyFormat, ProjectId

_SCALE = 10**12  # √c computed as isqrt(c · SCALE²) / SCALE


@dataclass(frozen=True, slots=True)
class Match:
    """The outcome of quadratic matching.

    Attributes:
        amounts: the match of every project, in cents (0 when it has no contributor).
        ideal: the uncapped, unscaled match of every project, in cents (rounded down).
        total: the sum of ``amounts``, never more than ``pool``.
        pool: the pool given.
        explanations: a short French sentence per project.
    """

    amounts: Mapping[ProjectId, int]
    ideal: Mapping[ProjectId, int]
    total: int
    pool: int
    explanations: Mapping[ProjectId, str]


def _ideal_match(contributions: Mapping[str, int]) -> Fraction:
    roots = sum(math.isqrt(amount * _SCALE * _SCALE) for amount in contributions.values())
    # Rounding the roots down can only lower the match; it is never below 0 (one person: exactly 0).
    return max(Fraction(0), Fraction(roots * roots, _SCALE * _SCALE) - sum(contributions.values()))


def quadratic_match(
    contributions: Mapping[ProjectId, Mapping[str, int]],
    pool: int,
    *,
    cap_cents: int | None = None,
    project_caps: Mapping[ProjectId, int] | None = None,
    money: MoneyFormat = MoneyFormat(decimals=2),  # noqa: B008 - an immutable value
) -> Match:
    """Match people's money to projects by the quadratic-funding formula (see the module docstring).

    Parameters:
        contributions: for each project, each person's own money given to it, in cents (a person's
            several pledges to one project already added up; amounts ≥ 0).
        pool: the money the funder puts in, in cents (≥ 0).
        cap_cents: the most one project may receive from the pool, if declared.
        project_caps: the projects that have their own cap instead of ``cap_cents``, with it.
        money: how amounts are written in explanations.
    """
    if pool < 0:
        raise ValueError(f"the pool must be non-negative, got {pool}")
    caps: dict[ProjectId, int | None] = {project: cap_cents for project in contributions} | dict(project_caps or {})
    for project, cap in caps.items():
        if cap is not None and cap < 0:
            raise ValueError(f"project {project!r}: the cap must be non-negative, got {cap}")
    for project, given in contributions.items():
        if any(not isinstance(a, int) or a < 0 for a in given.values()):
            raise ValueError(f"project {project!r}: contributions must be non-negative integers (cents)")
    ideal = {project: _ideal_match(given) for project, given in contributions.items()}
    capped = {p: m if (cap := caps[p]) is None else min(m, Fraction(cap)) for p, m in ideal.items()}
    wanted = sum(capped.values(), Fraction(0))
    factor = Fraction(1) if wanted <= pool else Fraction(pool) / wanted
    exact = {p: m * factor for p, m in capped.items()}
    amounts = {p: math.floor(v) for p, v in exact.items()}
    if factor < 1:
        # The pool binds: hand out the cents lost to rounding, largest remainder first.
        left = pool - sum(amounts.values())
        for project in sorted(exact, key=lambda p: (-(exact[p] - amounts[p]), p))[:left]:
            amounts[project] += 1
    explanations = {}
    for project, given in contributions.items():
        people = sum(1 for a in given.values() if a > 0)
        if amounts[project] == 0:
            explanations[project] = f"Aucun abondement : {people} contributeur(s), rien à égaler."
            continue
        reasons = []
        cap = caps[project]
        if cap is not None and ideal[project] > cap:
            reasons.append(f"plafonné à {money(cap)}")
        if factor < 1:
            reasons.append(f"réduit à {float(factor):.0%} pour tenir dans l'enveloppe".replace(".", ","))
        detail = f" ({', '.join(reasons)})" if reasons else ""
        explanations[project] = (
            f"Abondement de {money(amounts[project])} pour {people} contributeur(s) qui ont donné "
            f"{money(sum(given.values()))} ; idéal {money(math.floor(ideal[project]))}{detail}."
        )
    return Match(
        amounts=amounts,
        ideal={p: math.floor(m) for p, m in ideal.items()},
        total=sum(amounts.values()),
        pool=pool,
        explanations=explanations,
    )
