"""Method of Equal Shares (MES) for approval ballots, with its completions.

Definition: Peters & Skowron, "Proportionality and the Limits of Welfarism" (EC 2020), and Peters,
Pierczyński & Skowron, "Proportional Participatory Budgeting with Additive Utilities" (NeurIPS 2021);
presented for practitioners at https://equalshares.net. Every voter receives an equal share of the
budget (a share proportional to their weight when voters are weighted). A project can be bought by its
supporters only; buying it at "price per unit of satisfaction" ρ asks each supporter for
min(their remaining money, ρ × their satisfaction). Repeatedly, the project with the smallest ρ that its
supporters can still afford is funded and paid for; the rule stops when no project is affordable.

Satisfaction (``sat``): "cost" (a voter gains the cost of each approved funded project, the default of
equalshares.net) or "cardinality" (a voter gains 1 per approved funded project).

Tie-breaking: among projects with the same ρ, the smallest identifier (compared as strings) wins: the
default lexicographic tie-breaking of the reference library pabutools, whose outcomes this module
reproduces exactly: `method_of_equal_shares(instance, profile, sat_class=Cost_Sat)` (or
`Cardinality_Sat`). All comparisons use exact fractions. As in pabutools, a project nobody approves is
never funded by MES, a free project (cost 0) is funded first (in identifier order) under cardinality
satisfaction and never under cost satisfaction, where it brings no satisfaction.

Completions (``completion``), because MES alone usually leaves money unspent:

- "none": plain MES.
- "add1": the variant used by real elections (Wieliczka 2023, Świecie 2023, Assen 2024): rerun MES with
  every voter's share raised by one currency unit at a time and keep the last outcome that stays within
  the budget. Reproduces exactly pabutools' ``exhaustion_by_budget_increase(instance, profile,
  method_of_equal_shares, {"sat_class": ..., "voter_budget_increment": 1}, exhaustive_stop=False)``,
  whose precise procedure is, with B the budget and n the number of voters (total weight):
  for a budget limit L = B, 1.01 B, 1.02 B, … (steps of B/100, up to B (n + 1)), an inner search starts
  from a share of L / n and adds 1 to the share until the MES outcome either uses all of L that it can
  (no other approved project fits in L: that outcome is kept) or costs more than L (the previous one is
  kept); the outer search stops at the first L whose kept outcome costs more than B and returns the one
  kept for the previous L.
- "add1u": "add1", then the remaining money goes greedily to the projects with most approvals
  (:func:`commons.budgeting.rules.greedy.greedy` with cost satisfaction), as equalshares.net recommends.

Speed: voters with identical ballots are grouped; voters with the same remaining money (as an exact
function of the share, see below) form a class, so computing ρ for a project costs one pass over its
supporters' groups plus a sort of a few classes; ρ only grows during a run, so a project is re-evaluated
only when its last ρ could beat the best one found in the round (lazy evaluation with a heap).
For the completions, every quantity of a run is an affine function of the share b (remaining money,
price ρ, money available to a project), and each decision of the run is a sign of such a function;
so one run at share b also yields the largest interval [b, b') on which every decision, hence the outcome,
is provably the same. The completion reuses a run for every share of that interval instead of rerunning,
which makes "add1" exact and fast even when the share moves by thousands of units.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import Any, Literal

from gmpy2 import mpq  # type: ignore[import-untyped]  # gmpy2 ships no type hints

from commons.budgeting.rules.election import (
    Allocation,
    ApprovalElection,
    MoneyFormat,
    ProjectId,
    Satisfaction,
)
from commons.budgeting.rules.greedy import greedy

Completion = Literal["none", "add1", "add1u"]
"""How the budget left by plain MES is used: not at all, by raising the shares, or shares then greedy."""

Rational = Any
"""An exact rational number, a `gmpy2.mpq` (fifty times faster than `fractions.Fraction` here)."""

_BUDGET_STEPS = 100
"""pabutools' default step of the outer search of "add1": 1/100 of the budget."""


def equal_shares(
    election: ApprovalElection,
    *,
    sat: Satisfaction = "cost",
    completion: Completion = "none",
    money: MoneyFormat = MoneyFormat(),  # noqa: B008 - an immutable value
) -> Allocation:
    """Allocate the budget by the Method of Equal Shares (see the module docstring for the definition,
    the tie-breaking and the completions).

    Parameters:
        election: the costs, ballots (and weights: a voter's share is proportional to it) and budget.
        sat: "cost" (default, as equalshares.net) or "cardinality" satisfaction.
        completion: "none", "add1" or "add1u".
        money: how amounts are written in explanations.
    """
    if sat not in ("cost", "cardinality"):
        raise ValueError(f"unknown satisfaction {sat!r}, expected 'cost' or 'cardinality'")
    if completion not in ("none", "add1", "add1u"):
        raise ValueError(f"unknown completion {completion!r}, expected 'none', 'add1' or 'add1u'")
    profile = _Profile(election, sat)
    if profile.total_weight == 0:
        run = None
    elif completion == "none":
        run = profile.run(mpq(election.budget, profile.total_weight), track=False)
    else:
        run = _complete_by_raising_shares(profile)
    allocation = profile.allocation(run, money)
    if completion == "add1u":
        return greedy(
            election,
            sat="cost",
            money=money,
            already_funded=allocation.selected,
            explanations={project: allocation.explanations[project] for project in allocation.selected},
        )
    return allocation


@dataclass(frozen=True, slots=True)
class _Affine:
    """A quantity as an exact affine function of the share b, known by its value at the share b0 of the
    run and its slope: value(b) = at + slope × (b - b0)."""

    at: Rational
    slope: Rational

    def __sub__(self, other: _Affine) -> _Affine:
        return _Affine(self.at - other.at, self.slope - other.slope)


_ZERO = _Affine(mpq(0), mpq(0))


@dataclass(slots=True)
class _Run:
    """One run of MES at a given share per unit of weight.

    Attributes:
        share: the share b of every unit of voter weight.
        selected: indices of the funded projects, in funding order.
        prices: for each funded project, what a supporter pays at most per unit of weight.
        available: for each candidate not funded, what its supporters still had at the end.
        valid_until: the outcome is provably the same for every share in [share, valid_until)
            (None: up to infinity); only computed when asked for.
        cost: total cost of `selected`.
    """

    share: Rational
    selected: list[int]
    prices: dict[int, Rational]
    available: dict[int, Rational]
    valid_until: Rational | None
    cost: int


class _Profile:
    """The election prepared once for any number of MES runs: projects indexed in identifier order
    (so a smaller index wins a tie), identical ballots grouped, supporters listed per project."""

    def __init__(self, election: ApprovalElection, sat: Satisfaction) -> None:
        self.ids: list[ProjectId] = sorted(election.costs)
        self.costs: list[int] = [election.costs[project] for project in self.ids]
        self.budget = election.budget
        index = {project: position for position, project in enumerate(self.ids)}
        group_of: dict[frozenset[int], int] = {}
        group_weights: list[int] = []
        for voter, ballot in enumerate(election.ballots):
            key = frozenset(index[project] for project in ballot)
            group = group_of.setdefault(key, len(group_weights))
            if group == len(group_weights):
                group_weights.append(0)
            group_weights[group] += election.voter_weight(voter)
        self.total_weight = sum(group_weights)
        self.supporters: list[list[int]] = [[] for _ in self.ids]
        for key, group in group_of.items():
            for project in key:
                self.supporters[project].append(group)
        self.supporter_weights: list[list[int]] = [
            [group_weights[group] for group in groups] for groups in self.supporters
        ]
        self.group_count = len(group_weights)
        # Satisfaction of a supporter per unit of weight: the price ρ asks ρ × this from each of them.
        self.satisfaction: list[int] = [cost if sat == "cost" else 1 for cost in self.costs]
        supported = [project for project, groups in enumerate(self.supporters) if groups]
        self.free: list[int] = [p for p in supported if self.costs[p] == 0 and sat == "cardinality"]
        self.candidates: list[int] = [p for p in supported if self.costs[p] > 0]

    def run(self, share: Rational, *, track: bool) -> _Run:
        """Run MES with `share` per unit of weight; with `track`, also find how far the share can grow
        with the same outcome (see `_Run.valid_until`)."""
        return _MesRun(self, share, track).result()

    def is_exhaustive(self, run: _Run, limit: Rational) -> bool:
        """True when no candidate left out would fit in `limit` besides the outcome (pabutools checks
        only approved projects of positive cost here)."""
        funded = set(run.selected)
        return all(project in funded or run.cost + self.costs[project] > limit for project in self.candidates)

    def allocation(self, run: _Run | None, money: MoneyFormat) -> Allocation:
        """The public outcome of a run, with an explanation per project."""
        selected = list(self.free)
        texts: dict[ProjectId, str] = {}
        for project in self.free:
            texts[self.ids[project]] = f"Financé : coût nul, {self._supporters_text(project)}"
        if run is not None:
            selected += run.selected
            for order, project in enumerate(run.selected, start=1):
                texts[self.ids[project]] = (
                    f"Financé (choix n° {order}) : {self._supporters_text(project)}, chacun paie au plus "
                    f"{money(run.prices[project])} sur sa part de {money(run.share)}"
                )
            for project, available in run.available.items():
                texts[self.ids[project]] = (
                    f"Non financé : ses {self._supporters_text(project)} n'ont plus que {money(available)} "
                    f"à eux tous, il coûte {money(self.costs[project])}"
                )
        for project, project_id in enumerate(self.ids):
            if project_id not in texts:
                texts[project_id] = (
                    "Non financé : aucun soutien"
                    if not self.supporters[project]
                    else "Non financé : coût nul, il n'apporte rien en satisfaction par coût"
                )
        funded = set(selected)
        return Allocation(
            selected=tuple(self.ids[project] for project in selected),
            amounts={
                project_id: self.costs[project] if project in funded else 0
                for project, project_id in enumerate(self.ids)
            },
            total_cost=sum(self.costs[project] for project in selected),
            budget=self.budget,
            explanations=texts,
        )

    def _supporters_text(self, project: int) -> str:
        count = sum(self.supporter_weights[project])
        return f"{count} soutien{'s' if count > 1 else ''}"


class _MesRun:
    """The state of one MES run: voters' remaining money per class, the lazily updated prices, and the
    interval of shares on which the run's decisions hold."""

    def __init__(self, profile: _Profile, share: Rational, track: bool) -> None:
        self.profile = profile
        self.share = share
        self.track = track
        self.valid_until: Rational | None = None
        # Every group starts in class 0; a class is the remaining money per unit of weight.
        self.class_of_group = [0] * profile.group_count
        self.class_money: list[_Affine] = [_Affine(share, mpq(1))]
        self.class_by_money: dict[_Affine, int] = {self.class_money[0]: 0}

    def result(self) -> _Run:
        """Fund projects until none is affordable."""
        profile = self.profile
        # Heap of (lower bound of ρ, project): the bound is the last computed ρ, or cost / total
        # satisfaction at first (ρ if nobody were short of money); ρ never decreases during a run.
        lower_bounds: dict[int, _Affine] = {}
        heap: list[tuple[Rational, int]] = []
        for project in profile.candidates:
            weight = sum(profile.supporter_weights[project])
            bound = mpq(profile.costs[project], weight * profile.satisfaction[project])
            lower_bounds[project] = _Affine(bound, mpq(0))
            heap.append((bound, project))
        heapq.heapify(heap)
        selected: list[int] = []
        prices: dict[int, Rational] = {}
        available: dict[int, Rational] = {}
        while heap:
            best: tuple[Rational, int] | None = None
            best_price = _ZERO
            evaluated: list[tuple[int, _Affine]] = []
            while heap and (best is None or heap[0] < best):
                _, project = heapq.heappop(heap)
                priced = self._price(project)
                if priced is None:
                    available[project] = self._available(project).at
                    continue
                price, rho = priced
                lower_bounds[project] = rho
                evaluated.append((project, rho))
                if best is None or (rho.at, project) < best:
                    best, best_price = (rho.at, project), price
            if best is None:
                break
            winner = best[1]
            if self.track:
                self._keep_winner(winner, lower_bounds, heap, evaluated)
            for project, rho in evaluated:
                if project != winner:
                    heapq.heappush(heap, (rho.at, project))
            selected.append(winner)
            prices[winner] = best_price.at
            self._pay(winner, best_price)
        return _Run(
            share=self.share,
            selected=selected,
            prices=prices,
            available=available,
            valid_until=self.valid_until,
            cost=sum(profile.costs[project] for project in selected),
        )

    def _supporter_classes(self, project: int) -> dict[int, int]:
        """Weight of the project's supporters in each class of remaining money."""
        weights: dict[int, int] = {}
        class_of_group = self.class_of_group
        for group, weight in zip(
            self.profile.supporters[project], self.profile.supporter_weights[project], strict=True
        ):
            money_class = class_of_group[group]
            weights[money_class] = weights.get(money_class, 0) + weight
        return weights

    def _available(self, project: int) -> _Affine:
        """Money the project's supporters still have."""
        total = _ZERO
        for money_class, weight in self._supporter_classes(project).items():
            money = self.class_money[money_class]
            total = _Affine(total.at + weight * money.at, total.slope + weight * money.slope)
        return total

    def _price(self, project: int) -> tuple[_Affine, _Affine] | None:
        """(payment per unit of weight asked from a supporter who has enough, ρ) for the project, or
        None when its supporters cannot afford it (it is then dropped for the rest of the run)."""
        cost = self.profile.costs[project]
        classes = sorted(
            (
                (self.class_money[money_class], weight)
                for money_class, weight in self._supporter_classes(project).items()
                if self.class_money[money_class] != _ZERO
            ),
            key=lambda item: item[0].at,
        )
        available_at = sum((money.at * weight for money, weight in classes), mpq(0))
        if available_at < cost:
            if self.track:
                available = self._available(project)
                self._require(_Affine(cost - available.at, -available.slope))
            return None
        # Supporters short of money (the first ones, by remaining money) give all they have; the
        # others pay the same amount `payment` each, so that the project is exactly paid for.
        paid_at, paid_slope = mpq(0), mpq(0)
        remaining_weight = sum(weight for _, weight in classes)
        short = 0
        for money, weight in classes:
            if (cost - paid_at) / remaining_weight <= money.at:
                break
            paid_at += weight * money.at
            paid_slope += weight * money.slope
            remaining_weight -= weight
            short += 1
        payment = _Affine((cost - paid_at) / remaining_weight, -paid_slope / remaining_weight)
        if self.track:
            for position, (money, _) in enumerate(classes):
                self._require(payment - money if position < short else money - payment)
        satisfaction = self.profile.satisfaction[project]
        return payment, _Affine(payment.at / satisfaction, payment.slope / satisfaction)

    def _pay(self, project: int, payment: _Affine) -> None:
        """Every supporter pays `payment` per unit of weight, or all they have if that is less."""
        new_class: dict[int, int] = {}
        for money_class in self._supporter_classes(project):
            money = self.class_money[money_class]
            left = money - payment if payment.at <= money.at else _ZERO
            target = self.class_by_money.get(left)
            if target is None:
                target = len(self.class_money)
                self.class_money.append(left)
                self.class_by_money[left] = target
            new_class[money_class] = target
        class_of_group = self.class_of_group
        for group in self.profile.supporters[project]:
            class_of_group[group] = new_class[class_of_group[group]]

    def _keep_winner(
        self,
        winner: int,
        lower_bounds: dict[int, _Affine],
        heap: list[tuple[Rational, int]],
        evaluated: list[tuple[int, _Affine]],
    ) -> None:
        """Require that the winner still wins for larger shares: its ρ stays below the (lower bound of
        the) ρ of every other candidate still in the running; equal is enough for larger identifiers."""
        rho = lower_bounds[winner]
        for project in [project for _, project in heap] + [project for project, _ in evaluated]:
            if project != winner:
                self._require(lower_bounds[project] - rho)

    def _require(self, quantity: _Affine) -> None:
        """Record a decision: `quantity` is ≥ 0 at this share and must stay so; it does as long as the
        share stays below the root of the affine function (kept exclusive, which is safe)."""
        if quantity.slope < 0:
            root = self.share + quantity.at / -quantity.slope
            if self.valid_until is None or root < self.valid_until:
                self.valid_until = root


def _complete_by_raising_shares(profile: _Profile) -> _Run | None:
    """The "add1" completion, exactly as pabutools computes it (see the module docstring), reusing a run
    for all the shares on which its outcome provably stays the same."""
    budget = mpq(profile.budget)
    weight = profile.total_weight
    if budget == 0:
        # Nothing of positive cost can be funded (pabutools would search forever with a step of 0).
        return profile.run(budget, track=False)
    if sum(profile.costs[project] for project in profile.candidates) <= budget:
        # Every outcome fits: pabutools' outer search runs to its bound B (n + 1), where the share
        # alone pays for everything and MES funds every candidate.
        return profile.run(budget * (weight + 1) / weight, track=False)
    pieces: list[_Run] = []

    def outcome_at(share: Rational) -> _Run:
        for piece in pieces:
            if piece.share == share or (
                piece.share < share and (piece.valid_until is None or share < piece.valid_until)
            ):
                return piece
        piece = profile.run(share, track=True)
        pieces.append(piece)
        return piece

    def inner_search(limit: Rational) -> _Run | None:
        """From a share of limit / n, add 1 until the outcome is exhaustive for `limit` (kept) or costs
        more than `limit` (the previous one is kept; None stands for pabutools' empty start)."""
        start = limit / weight
        steps = 0
        previous: _Run | None = None
        while True:
            run = outcome_at(start + steps)
            if run.cost > limit:
                return previous
            if profile.is_exhaustive(run, limit):
                return run
            previous = run
            if run.valid_until is None:
                raise AssertionError("MES with an unbounded share funds every candidate")
            # Every share start + k below valid_until gives this same outcome: skip them.
            steps = max(steps + 1, math.ceil(run.valid_until - start))

    step = budget / _BUDGET_STEPS
    bound = budget * (weight + 1)
    limit = budget
    kept: _Run | None = None
    while limit <= bound:
        found = inner_search(limit)
        if found is not None and found.cost > budget:
            break
        kept = found
        limit += step
    return kept
