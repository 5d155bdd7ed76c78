"""Ratio matching: the pool adds a fixed multiple of the money people give, within caps.

Definition (the "1 € given = 2 € more" matching of French tiers-lieux and crowdfunding calls, where a
funder "abonde" each citizen gift at a declared ratio): a gift of c cents asks ⌊ratio × c⌋ cents
from the pool, limited by what is left of the cap of its project and of the cap of its giver (a
person's cap counts across every project of the round; both caps bound the money from the pool, not
the gifts; a project may have a cap of its own, e.g. what is left of a cap shared with other
envelopes). The round declares how the pool is shared when it does not cover every ask:

- ``"first_come"``: gifts are served in arrival order until the pool is empty; the gift that empties
  it is served partly and every later gift gets nothing. Caps are used up by what was granted.
- ``"proportional"``: at the close, every gift's capped ask is computed first (caps used up in
  arrival order), then, if the asks exceed the pool, all are scaled by pool / Σ asks.

Rounding (proportional mode, when the pool binds): cents are shared in two steps, each by largest
remainders so that the pool is spent exactly and no gift gets more than its capped ask. First the
pool is split among projects in proportion to their asks (ties: smaller project id as a string), then
each project's share among its gifts in proportion to their asks (ties: earlier gift). Splitting by
project first makes the amount of every project independent of the order gifts arrived in when no
person cap is declared (a person cap is used up in arrival order, so there the order matters).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, TypeVar

from commons.budgeting.rules.election import MoneyFormat, ProjectId

Key = TypeVar("Key", bound=Hashable)
RatioMode = Literal["first_come", "proportional"]


def apportion(total: int, weights: Mapping[Key, int]) -> dict[Key, int]:
    """Split ``total`` cents in proportion to ``weights``, exactly, by largest remainders.

    Each key gets ⌊total × weight / Σ weights⌋, then the cents left go one each to the keys with the
    largest fractional parts; equal fractions are served in the order of ``weights`` (the caller
    orders the mapping to declare its tie-break). When ``total`` ≤ Σ weights no key gets more than its
    weight. Weights are non-negative; a zero total weight only splits a zero total.
    """
    whole = sum(weights.values())
    if whole == 0:
        if total:
            raise ValueError(f"cannot split {total} over weights that are all zero")
        return dict.fromkeys(weights, 0)
    shares = {key: total * weight // whole for key, weight in weights.items()}
    remainders = {key: total * weight % whole for key, weight in weights.items()}
    order = sorted(enumerate(weights), key=lambda item: (-remainders[item[1]], item[0]))
    for _, key in order[: total - sum(shares.values())]:
        shares[key] += 1
    return shares


@dataclass(frozen=True, slots=True)
class Gift:
    """One person's own money given to a project, in arrival order."""

    project: ProjectId
    person: str
    cents: int


@dataclass(frozen=True, slots=True)
class RatioMatch:
    """The outcome of ratio matching.

    Attributes:
        amounts: the match of every project appearing in the gifts, in cents (0 allowed).
        per_gift: the match granted to each gift, in the order of the gifts given.
        total: the sum of ``amounts``, never more than ``pool``.
        pool: the pool given.
        explanations: a short French sentence per project.
    """

    amounts: Mapping[ProjectId, int]
    per_gift: Sequence[int]
    total: int
    pool: int
    explanations: Mapping[ProjectId, str]


class _Caps:
    """What is left of each project's and each person's cap while gifts are served in order."""

    def __init__(self, project_cap: int | None, project_caps: Mapping[ProjectId, int], person_cap: int | None) -> None:
        self.project_cap = project_cap
        self.project_caps = project_caps
        self.person_cap = person_cap
        self.by_project: dict[ProjectId, int] = {}
        self.by_person: dict[str, int] = {}
        self.capped_projects: set[ProjectId] = set()
        self.person_capped_projects: set[ProjectId] = set()

    def of_project(self, project: ProjectId) -> int | None:
        """The cap of ``project``: its own, else the round's."""
        return self.project_caps.get(project, self.project_cap)

    def limit(self, gift: Gift, ask: int) -> int:
        """The part of ``ask`` the caps still allow, noting which cap cut it."""
        allowed = ask
        project_cap = self.of_project(gift.project)
        if project_cap is not None:
            room = project_cap - self.by_project.get(gift.project, 0)
            if room < allowed:
                allowed = room
                self.capped_projects.add(gift.project)
        if self.person_cap is not None:
            room = self.person_cap - self.by_person.get(gift.person, 0)
            if room < allowed:
                allowed = room
                self.person_capped_projects.add(gift.project)
        return allowed

    def use(self, gift: Gift, cents: int) -> None:
        """Record ``cents`` granted to ``gift``."""
        self.by_project[gift.project] = self.by_project.get(gift.project, 0) + cents
        self.by_person[gift.person] = self.by_person.get(gift.person, 0) + cents


def _check(gifts: Sequence[Gift], pool: int, ratio: Fraction | int, caps: Mapping[str, int | None]) -> Fraction:
    if isinstance(ratio, bool) or not isinstance(ratio, int | Fraction):
        raise ValueError(f"the ratio must be an integer or a Fraction, got {ratio!r}")
    if ratio <= 0:
        raise ValueError(f"the ratio must be positive, got {ratio}")
    if not isinstance(pool, int) or pool < 0:
        raise ValueError(f"the pool must be a non-negative integer (cents), got {pool!r}")
    for name, cap in caps.items():
        if cap is not None and (not isinstance(cap, int) or cap < 0):
            raise ValueError(f"the {name} cap must be a non-negative integer (cents), got {cap!r}")
    for index, gift in enumerate(gifts):
        if not isinstance(gift.cents, int) or gift.cents < 0:
            raise ValueError(
                f"gift {index} ({gift.person!r} to {gift.project!r}): the amount must be a non-negative "
                f"integer (cents), got {gift.cents!r}"
            )
    return Fraction(ratio)


def _ratio_text(ratio: Fraction) -> str:
    """The ratio the French way: "2", "1,5", "1/3" when it has no short decimal form."""
    for decimals in range(4):
        scaled = ratio * 10**decimals
        if scaled.denominator == 1:
            units, rest = divmod(int(scaled), 10**decimals)
            return f"{units},{rest:0{decimals}d}" if decimals else str(units)
    return f"{ratio.numerator}/{ratio.denominator}"


def ratio_match(
    gifts: Sequence[Gift],
    pool: int,
    *,
    ratio: Fraction | int,
    project_cap_cents: int | None = None,
    project_caps: Mapping[ProjectId, int] | None = None,
    person_cap_cents: int | None = None,
    mode: RatioMode = "first_come",
    money: MoneyFormat = MoneyFormat(decimals=2),  # noqa: B008 - an immutable value
) -> RatioMatch:
    """Match each gift by ``ratio`` from the pool, within caps (see the module docstring).

    Parameters:
        gifts: people's own money given to projects, in arrival order (amounts ≥ 0, in cents).
        pool: the money the funder puts in, in cents (≥ 0).
        ratio: cents from the pool per cent given (> 0), e.g. 2 or Fraction(1, 2).
        project_cap_cents: the most one project may receive from the pool, if declared.
        project_caps: the projects that have their own cap instead of ``project_cap_cents``, with it.
        person_cap_cents: the most one person's gifts may draw from the pool, all projects together.
        mode: "first_come" (arrival order until the pool is empty) or "proportional" (scaled at the close).
        money: how amounts are written in explanations.
    """
    if mode not in ("first_come", "proportional"):
        raise ValueError(f"unknown mode {mode!r}, expected 'first_come' or 'proportional'")
    own_caps = dict(project_caps or {})
    rate = _check(
        gifts,
        pool,
        ratio,
        {"project": project_cap_cents, "person": person_cap_cents} | {f"project {p!r}": c for p, c in own_caps.items()},
    )
    caps = _Caps(project_cap_cents, own_caps, person_cap_cents)
    asks = [rate.numerator * gift.cents // rate.denominator for gift in gifts]  # ⌊ratio × cents⌋
    per_gift: list[int] = []
    short: set[ProjectId] = set()  # projects whose gifts the pool did not fully serve
    if mode == "first_come":
        left = pool
        for gift, ask in zip(gifts, asks, strict=True):
            allowed = caps.limit(gift, ask)
            granted = min(allowed, left)
            if granted < allowed:
                short.add(gift.project)
            caps.use(gift, granted)
            per_gift.append(granted)
            left -= granted
        factor = Fraction(1)
    else:
        for gift, ask in zip(gifts, asks, strict=True):
            allowed = caps.limit(gift, ask)
            caps.use(gift, allowed)
            per_gift.append(allowed)
        wanted = sum(per_gift)
        factor = Fraction(1) if wanted <= pool else Fraction(pool, wanted)
        if factor < 1:
            short = {gift.project for gift, allowed in zip(gifts, per_gift, strict=True) if allowed}
            per_gift = _scale(gifts, per_gift, pool)
    amounts: dict[ProjectId, int] = {}
    for gift, granted in zip(gifts, per_gift, strict=True):
        amounts[gift.project] = amounts.get(gift.project, 0) + granted
    explanations = {
        project: _explain(project, given, amounts[project], rate, caps, project in short, factor, mode, money)
        for project, given in _by_project(gifts).items()
    }
    return RatioMatch(
        amounts=amounts, per_gift=tuple(per_gift), total=sum(amounts.values()), pool=pool, explanations=explanations
    )


def _by_project(gifts: Sequence[Gift]) -> dict[ProjectId, dict[int, Gift]]:
    """The gifts of each project by their position, projects in order of first appearance."""
    grouped: dict[ProjectId, dict[int, Gift]] = {}
    for index, gift in enumerate(gifts):
        grouped.setdefault(gift.project, {})[index] = gift
    return grouped


def _scale(gifts: Sequence[Gift], allowed: Sequence[int], pool: int) -> list[int]:
    """Share ``pool`` (less than Σ allowed) among projects, then among each project's gifts."""
    asks = {project: {index: allowed[index] for index in own} for project, own in _by_project(gifts).items()}
    scaled = [0] * len(gifts)
    for project, share in apportion(pool, {project: sum(asks[project].values()) for project in sorted(asks)}).items():
        for index, cents in apportion(share, asks[project]).items():
            scaled[index] = cents
    return scaled


def _explain(
    project: ProjectId,
    own: Mapping[int, Gift],
    amount: int,
    rate: Fraction,
    caps: _Caps,
    short: bool,
    factor: Fraction,
    mode: RatioMode,
    money: MoneyFormat,
) -> str:
    """One French sentence: what the project's gifts brought from the pool, and what limited it."""
    given = sum(gift.cents for gift in own.values())
    reasons = []
    if project in caps.capped_projects:
        reasons.append(f"plafond de {money(caps.of_project(project) or 0)} par projet atteint")
    if project in caps.person_capped_projects:
        reasons.append(f"plafond de {money(caps.person_cap or 0)} par personne atteint pour certains dons")
    if short and mode == "first_come":
        reasons.append("enveloppe épuisée avant la fin des dons")
    elif short:
        reasons.append(f"réduit à {float(factor):.0%} pour tenir dans l'enveloppe")
    detail = f" ({', '.join(reasons)})" if reasons else ""
    gifts_text = f"{len(own)} don(s) totalisant {money(given)}"
    if amount == 0:
        why = detail or " (rien à abonder)"
        return f"Aucun abondement pour {gifts_text}{why}."
    return f"Abondement de {money(amount)} pour {gifts_text}, au taux de {_ratio_text(rate)} pour 1{detail}."
