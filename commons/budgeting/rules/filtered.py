"""Fast Method of Equal Shares runs in floating point that know when they can be trusted.

The completions of equal shares ("add1") run MES at hundreds of shares, and only need each run's funded
projects (their order and set) to decide where to go next. This module runs MES on machine floats with
numpy, and carries, next to every float, a bound on its distance to the exact rational value that
`commons.budgeting.rules.equal_shares` would compute. Every decision of the run (which project is
cheapest, whether one is affordable) is taken only when the bounds make it certain; otherwise the run
gives up (returns None) and the caller runs the exact engine. Outcomes are therefore always those of the
exact rule — floats only decide when no rounding could change the decision (a *floating-point filter*,
as in exact geometric predicates).

The bounds. Every voter group's money m has an error bound e (0 at the start but for the rounding of
the share). A project's price P solves Σ w·min(m, P) = cost over its supporters. With E = Σ w·e, the
exact price P* satisfies |P* − P| ≤ Δ = 2E / W(P) as soon as the supporters with m − e ≥ P + Δ weigh
more than half of W(P), the weight of those with m − e ≥ P (the left side grows by at least
Δ·W(P + Δ) > E between P and P + Δ, and the exact money changes it by at most E); the rounding of the
float computation itself adds at most a few units in the last place per term, counted generously. When
no supporter can be short of the price (m − e ≥ cost / W for all), the exact price is cost / W, an exact
fraction, so ties between such projects (frequent: equal costs and equal votes) are broken exactly.
After a payment, a group keeps m − P (at least 0) with the bound e + Δ plus its rounding.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import SupportsFloat

import numpy as np
import numpy.typing as npt

_EPS = float(np.finfo(np.float64).eps)
"""2^-52: twice the relative error of one correctly rounded operation on doubles."""

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class _Price:
    """A project's price per unit of weight (`payment`), its error bound, and the exact ρ when certain."""

    payment: float
    error: float
    low: float
    high: float
    exact: tuple[int, int] | None  # ρ = numerator / denominator, when nobody can be short of the price

    @classmethod
    def around(cls, payment: float, error: float, satisfaction: int, *, exact: tuple[int, int] | None = None) -> _Price:
        """The price `payment` ± `error`, and the bounds of ρ = payment / satisfaction it gives."""
        return cls(
            payment,
            error,
            (payment - error) / satisfaction * (1 - 2 * _EPS),
            (payment + error) / satisfaction * (1 + 2 * _EPS),
            exact,
        )


class FloatProfile:
    """An election prepared for fast MES runs: per candidate, its supporting groups and their weights.

    Parameters:
        supporters: for each project index, the indices of the voter groups approving it.
        group_weights: the weight of each group.
        costs: the cost of each project.
        satisfaction: what a supporter gains per unit of weight from each project (ρ × it is paid).
        candidates: the projects MES may fund (supported, positive cost).
    """

    def __init__(
        self,
        supporters: Sequence[Sequence[int]],
        group_weights: Sequence[int],
        costs: Sequence[int],
        satisfaction: Sequence[int],
        candidates: Sequence[int],
    ) -> None:
        self.groups = len(group_weights)
        weights = np.asarray(group_weights, dtype=np.float64)
        self.supporters = [np.asarray(groups, dtype=np.intp) for groups in supporters]
        self.weights = [weights[groups] for groups in self.supporters]
        # The positions of the supporters' two cells (money, error) in the flattened state of a run,
        # where `put` writes them back twice as fast as row indexing.
        self.cells = [np.stack((2 * groups, 2 * groups + 1), axis=1).ravel() for groups in self.supporters]
        self.total_weight = [sum(group_weights[g] for g in groups) for groups in supporters]
        self.costs = list(costs)
        self.satisfaction = list(satisfaction)
        self.candidates = list(candidates)

    def run(self, share: SupportsFloat) -> FloatOutcome | None:
        """MES at this share per unit of weight, or None when a decision was too close for floats (the
        caller then runs the exact rule)."""
        return _FloatRun(self, share).result()


@dataclass(frozen=True, slots=True)
class FloatOutcome:
    """What a float run decided, and the amounts its explanations show.

    Attributes:
        selected: the funded projects in funding order: exactly those of the exact rule.
        payments: what a supporter pays at most per unit of weight for each funded project: exact when
            nobody was short of it (cost / weight), else the float value, within its error bound (far
            below a cent) of the exact one.
        available: for each project found out of reach, what its supporters still had (float).
    """

    selected: list[int]
    payments: dict[int, Fraction | float]
    available: dict[int, float]


class _Undecided(Exception):
    """A decision the float bounds cannot make."""


class _FloatRun:
    def __init__(self, profile: FloatProfile, share: SupportsFloat) -> None:
        self.profile = profile
        start = float(share)
        # Each group's money (column 0) and its error bound (column 1: the share's own rounding at
        # first), side by side so that one gather (`take`, the fastest) reads both.
        self.state: FloatArray = np.empty((profile.groups, 2))
        self.state[:, 0] = start
        self.state[:, 1] = abs(start) * _EPS

    def result(self) -> FloatOutcome | None:
        try:
            return self._run()
        except _Undecided:
            return None

    def _run(self) -> FloatOutcome:
        profile = self.profile
        heap = [
            (profile.costs[p] / (profile.total_weight[p] * profile.satisfaction[p]) * (1 - 4 * _EPS), p)
            for p in profile.candidates
        ]
        heapq.heapify(heap)
        selected: list[int] = []
        payments: dict[int, Fraction | float] = {}
        self.available: dict[int, float] = {}
        while heap:
            best: tuple[int, _Price] | None = None
            evaluated: list[tuple[int, _Price]] = []
            while heap and (best is None or heap[0][0] <= best[1].high):
                _, project = heapq.heappop(heap)
                price = self._price(project)
                if price is None:
                    continue  # out of reach for good: money only decreases
                evaluated.append((project, price))
                if best is None or _before(project, price, *best):
                    best = (project, price)
            if best is None:
                break
            winner, price = best
            for project, other in evaluated:
                if project == winner:
                    continue
                exactly_after = other.exact is not None and price.exact is not None
                if not (other.low > price.high or (exactly_after and _before(winner, price, project, other))):
                    raise _Undecided
                heapq.heappush(heap, (other.low, project))
            selected.append(winner)
            exact = price.exact
            payments[winner] = Fraction(*exact) * profile.satisfaction[winner] if exact else price.payment
            self._pay(winner, price)
        return FloatOutcome(selected, payments, self.available)

    def _price(self, project: int) -> _Price | None:
        """The price of a project with its bounds, None when it is surely out of reach."""
        profile = self.profile
        groups, weights = profile.supporters[project], profile.weights[project]
        cost = profile.costs[project]
        state = self.state.take(groups, axis=0)
        total, spread = weights.dot(state).tolist()
        money, error = state[:, 0], state[:, 1]
        size = len(groups)
        rounding = 4 * (size + 4) * _EPS * (total + cost)
        if total + spread + rounding < cost:
            self.available[project] = total
            return None
        if total - spread - rounding < cost:
            raise _Undecided
        weight = profile.total_weight[project]
        satisfaction = profile.satisfaction[project]
        payment = cost / weight
        lowered = money - error
        if float(lowered.min()) >= payment * (1 + 4 * _EPS):
            # Nobody can be short: the exact price is cost / weight.
            return _Price.around(payment, 2 * _EPS * payment, satisfaction, exact=(cost, weight * satisfaction))
        weighted = weights * money
        rich_weight = float(weight)
        while True:
            short = money < payment
            short_weight = float(np.dot(short, weights))
            if rich_weight == float(weight) - short_weight:
                break
            rich_weight = float(weight) - short_weight
            payment = (cost - float(np.dot(short, weighted))) / rich_weight
        reachable = float(np.dot(lowered >= payment, weights))
        if reachable <= 0:
            raise _Undecided
        delta = 2 * spread / reachable
        if 2 * float(np.dot(lowered >= payment + delta, weights)) <= reachable:
            raise _Undecided
        return _Price.around(payment, delta + rounding / rich_weight + 4 * _EPS * payment, satisfaction)

    def _pay(self, project: int, price: _Price) -> None:
        """Every supporter pays the price, or all they have: m − P, at least 0, with its bound."""
        groups = self.profile.supporters[project]
        state = self.state.take(groups, axis=0)
        money, error = state[:, 0], state[:, 1]
        left = money - price.payment
        surely_empty = left + error + price.error <= 0
        state[:, 0] = np.where(surely_empty, 0.0, np.maximum(left, 0.0))
        state[:, 1] = np.where(surely_empty, 0.0, error + price.error + 2 * _EPS * money)
        self.state.reshape(-1).put(self.profile.cells[project], state)


def _before(project: int, price: _Price, other: int, other_price: _Price) -> bool:
    """Whether `project` comes before `other` (smaller ρ, then smaller index): exactly when both prices
    are exact, else by their float values (the caller then checks the bounds separate them)."""
    if price.exact and other_price.exact:
        left = price.exact[0] * other_price.exact[1]
        right = other_price.exact[0] * price.exact[1]
        return left < right or (left == right and project < other)
    mid, other_mid = (price.low + price.high) / 2, (other_price.low + other_price.high) / 2
    return mid < other_mid or (mid == other_mid and project < other)
