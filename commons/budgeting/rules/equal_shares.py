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

Speed, and why it stays exact. Voters with identical ballots form one group, weighted by their number,
and groups with the same remaining money form a class; every project keeps the weight of its supporters
per class up to date as voters pay (the weights that move are counted per class at C speed, with
`collections.Counter` over each group's project list repeated as many times as its weight), so pricing a
project only sorts its classes. ρ only grows during a run, so a project is re-priced only when its last
ρ could beat the best one found in the round (lazy evaluation with a heap). All arithmetic of this
engine is exact (gmpy2 rationals); no float is ever compared in it.

For the completions, one MES run at a share b0 can also return an open interval (low, high) around b0
on which the outcome (the funded projects and their order) is provably the same (see `_MesRun`): within
one run, every quantity is an exact affine function of the share (a class's money, a price, a sum of
money), as long as the run's decisions stay the same, and every decision is the sign of such a function,
so it can only change at a root the run computes exactly. The searches of "add1" evaluate MES only at
shares outside every interval found so far, jumping to the first share of their grid beyond it; the
intervals are shared by all the searches, whose shares overlap. On large elections the intervals are
short (on Łódź 2022 the funding order changes about twice per unit of share, and a payment changes its
formula, when a class of supporters becomes short of money, far more often), so the search stops
looking for them while the runs they save are worth less than the time spent finding them (measured
as the search goes: only the speed depends on the machine, never the outcome), and runs plain MES.

Those plain runs only need the funded projects, so they are made in floating point by
`commons.budgeting.rules.filtered`, about ten times faster, which carries a bound on the error of every
float and gives up (the run is then made here, exactly) whenever a decision is too close to be certain.
The outcome finally kept by "add1" is computed again at its share, with its prices for the explanations
(`_Profile.outcome`: float amounts within far less than a cent when the filter decides, else exact).
With ``helper_process`` (the platform's worker, the CLI and the benchmark ask for it), on a machine with a
second core, once the float runs have taken `_AHEAD_AFTER` seconds, a helper process makes the run at the
next share of the search while this process makes the current one (`commons.budgeting.rules.ahead`): the
searches walk their shares one increment at a time, so the next share is nearly always the one asked
for, and the float runs take about half as long.
"""

from __future__ import annotations

import collections
import functools
import heapq
import itertools
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from gmpy2 import mpq  # type: ignore[import-untyped]  # gmpy2 ships no type hints

from commons.budgeting.rules.ahead import NOT_READY, Ahead, spare_cores
from commons.budgeting.rules.election import (
    Allocation,
    ApprovalElection,
    MoneyFormat,
    ProjectId,
    Satisfaction,
)
from commons.budgeting.rules.filtered import FloatOutcome, FloatProfile
from commons.budgeting.rules.greedy import greedy

Progress = Callable[[int, Any], None]
"""Told the number of MES runs made so far and the share (a rational) of the latest one."""

Completion = Literal["none", "add1", "add1u"]
"""How the budget left by plain MES is used: not at all, by raising the shares, or shares then greedy."""

Rational = Any
"""An exact rational number, a `gmpy2.mpq` (fifty times faster than `fractions.Fraction` here)."""

_BUDGET_STEPS = 100
"""pabutools' default step of the outer search of "add1": 1/100 of the budget."""

_MAX_REPEATED_WEIGHT = 64
"""Groups weighing more are not expanded into repeated project lists (see `_Profile.counted_projects`)."""

_STEADY_RUNS = 3
""""add1" looks for intervals only after this many shares in a row gave the same outcome."""

_AHEAD_AFTER = 0.5
"""Seconds of float runs after which "add1" starts a helper process making the next run ahead, on a machine
with a second core (starting one costs about a quarter of a second)."""

_WINDOW_STEPS = 2
"""How far (in share increments) on each side of its share a run of "add1" first looks for its interval
(doubled while the intervals found reach that far): a wider window means fewer runs but more
re-pricing in each."""


def equal_shares(
    election: ApprovalElection,
    *,
    sat: Satisfaction = "cost",
    completion: Completion = "none",
    share_increment: int = 1,
    money: MoneyFormat = MoneyFormat(),  # noqa: B008 - an immutable value
    progress: Progress | None = None,
    helper_process: bool = False,
) -> Allocation:
    """Allocate the budget by the Method of Equal Shares (see the module docstring for the definition,
    the tie-breaking and the completions).

    Parameters:
        election: the costs, ballots (and weights: a voter's share is proportional to it) and budget.
        sat: "cost" (default, as equalshares.net) or "cardinality" satisfaction.
        completion: "none", "add1" or "add1u".
        share_increment: how much "add1" adds to every share at a time, in the unit of the costs: 1 for
            whole currency units as in pabulib files, 100 when costs are cents, so that the outcome is
            the one computed in currency units (MES does not depend on the unit of money).
        money: how amounts are written in explanations.
        progress: called before every MES run of a completion with the number of runs so far and the
            share of this one, so a long computation can show how far it went (a completion makes
            hundreds of runs on large elections; their number is not known in advance).
        helper_process: let "add1" make runs ahead in a helper process on a second core (see
            `commons.budgeting.rules.ahead`): faster on large elections, same outcome. Off unless asked,
            since the helper is started with "spawn", which imports the program's main module again: a
            script using it must guard its entry point (``if __name__ == "__main__":``), as with any
            multiprocessing.
    """
    if sat not in ("cost", "cardinality"):
        raise ValueError(f"unknown satisfaction {sat!r}, expected 'cost' or 'cardinality'")
    if completion not in ("none", "add1", "add1u"):
        raise ValueError(f"unknown completion {completion!r}, expected 'none', 'add1' or 'add1u'")
    profile = _Profile(election, sat)
    if profile.total_weight == 0:
        run = None
    elif completion == "none":
        run = profile.outcome(mpq(election.budget, profile.total_weight))
    else:
        if share_increment < 1:
            raise ValueError(f"the share increment must be a positive integer, got {share_increment}")
        run = _complete_by_raising_shares(profile, share_increment, progress, helper_process)
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


_EXHAUSTED = -1
"""The class of groups that have no money left (they stay out of the per-project tables)."""


@dataclass(frozen=True, slots=True)
class _Run:
    """One run of MES at a given share per unit of weight.

    Attributes:
        share: the share b0 of every unit of voter weight.
        selected: indices of the funded projects, in funding order.
        prices: for each funded project, what a supporter pays at most per unit of weight.
        available: for each candidate not funded, what its supporters still had when it was dropped.
        low, high: the outcome is provably the same for every share b with low < b < high (and b0).
        cost: total cost of `selected`.
    """

    share: Rational
    selected: list[int]
    prices: dict[int, Rational]
    available: dict[int, Rational]
    low: Rational
    high: Rational
    cost: int

    def covers(self, share: Rational) -> bool:
        """Whether the outcome of this run is the outcome at `share`."""
        return bool(share == self.share or self.low < share < self.high)


class _Profile:
    """The election prepared once for any number of MES runs: projects indexed in identifier order
    (so a smaller index wins a tie), identical ballots grouped, supporters listed per project."""

    def __init__(self, election: ApprovalElection, sat: Satisfaction) -> None:
        self.ids: list[ProjectId] = sorted(election.costs)
        self.costs: list[int] = [election.costs[project] for project in self.ids]
        self.budget = election.budget
        index = {project: position for position, project in enumerate(self.ids)}
        weight_of: dict[frozenset[ProjectId], int] = {}
        weights = election.weights if election.weights is not None else [1] * len(election.ballots)
        for ballot, weight in zip(election.ballots, weights, strict=True):
            key = ballot if isinstance(ballot, frozenset) else frozenset(ballot)
            weight_of[key] = weight_of.get(key, 0) + weight
        self.group_projects: list[tuple[int, ...]] = [tuple(map(index.__getitem__, key)) for key in weight_of]
        self.group_weights: list[int] = list(weight_of.values())
        self.total_weight = sum(self.group_weights)
        self.supporters: list[list[int]] = [[] for _ in self.ids]
        for group, projects in enumerate(self.group_projects):
            for project in projects:
                self.supporters[project].append(group)
        # Each group's projects repeated as many times as its weight, so that counting them gives
        # weights; groups too heavy for that are counted one by one.
        self.counted_projects: list[tuple[int, ...]] = [
            projects * weight if weight <= _MAX_REPEATED_WEIGHT else ()
            for projects, weight in zip(self.group_projects, self.group_weights, strict=True)
        ]
        self.heavy_groups: frozenset[int] = frozenset(
            group for group, weight in enumerate(self.group_weights) if weight > _MAX_REPEATED_WEIGHT
        )
        self.supporter_weight: list[int] = [
            sum(self.group_weights[group] for group in groups) for groups in self.supporters
        ]
        # Satisfaction of a supporter per unit of weight: the price ρ asks ρ × this from each of them.
        self.satisfaction: list[int] = [cost if sat == "cost" else 1 for cost in self.costs]
        supported = [project for project, groups in enumerate(self.supporters) if groups]
        self.free: list[int] = [p for p in supported if self.costs[p] == 0 and sat == "cardinality"]
        self.candidates: list[int] = [p for p in supported if self.costs[p] > 0]

    def run(self, share: Rational, *, window: Rational | None = None) -> _Run:
        """Run MES with `share` per unit of weight; with `window`, also find the interval of shares
        around it, within `window` on each side, on which the outcome stays the same."""
        return _MesRun(self, share, window).result()

    @functools.cached_property
    def filtered(self) -> FloatProfile:
        """The same election for fast float runs (prepared only when a completion needs them)."""
        return FloatProfile(self.supporters, self.group_weights, self.costs, self.satisfaction, self.candidates)

    def outcome(self, share: Rational, *, explained: bool = True) -> _Run:
        """MES at `share`: by the float filter when it is certain (the funded projects are then exactly
        the exact rule's, the amounts for explanations within far less than a cent), else exactly.
        Without `explained`, a float run leaves out the amounts (searches only look at what is funded)."""
        return self.from_float(share, self.filtered.run(share), explained=explained)

    def from_float(self, share: Rational, outcome: FloatOutcome | None, *, explained: bool) -> _Run:
        """The run at `share` from a float run's outcome (see `outcome`), made exactly when it is None."""
        if outcome is None:
            return self.run(share)
        return _Run(
            share=share,
            selected=outcome.selected,
            prices={project: mpq(payment) for project, payment in outcome.payments.items()} if explained else {},
            available={project: mpq(total) for project, total in outcome.available.items()} if explained else {},
            low=share,
            high=share,
            cost=sum(self.costs[project] for project in outcome.selected),
        )

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
                left = (
                    f"son seul soutien n'a plus que {money(available)}"
                    if self.supporter_weight[project] == 1
                    else f"ses {self._supporters_text(project)} n'ont plus que {money(available)} à eux tous"
                )
                texts[self.ids[project]] = f"Non financé : {left}, il coûte {money(self.costs[project])}"
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
        count = self.supporter_weight[project]
        return f"{count} soutien{'s' if count > 1 else ''}"


@dataclass(slots=True)
class _Pricing:
    """A project's price at the share b0 of the run: what a supporter with enough money pays per unit
    of weight (`payment`, with its slope as a function of the share), and the classes of its supporters
    short of that payment, who give all they have."""

    payment: Rational
    slope: Rational
    short: set[int]


class _MesRun:
    """One MES run at the share b0, and, when a window is given, the interval around b0 on which every
    decision of the run, hence its outcome, stays the same.

    Why the interval is exact. Fix the decisions of the run (which project is funded at each round, and
    which of its supporters are short of the payment). Then every class's money is an affine function
    of the share b (b at the start; a short class is left with 0; a class that pays keeps its money minus
    the payment), and so is every payment: (cost − money of the short classes) / weight of the others.
    Each decision is the sign of an affine function, which the run evaluates at b0 (value, slope) and
    turns into an open interval around b0 where the sign holds:
    - the funded project's short classes have at most the payment, the others at least it;
    - every other project still running is beaten: its ρ (price per unit of satisfaction) is above the
      winner's, or equal with a larger identifier (strictly above for a smaller one). A lower bound of
      its ρ is enough: the ρ computed with the short classes of any earlier pricing in this run never
      exceeds the true ρ (paying min(money, q) collects no more than the formula assumes), and ρ only
      grows as voters pay. When an old bound is not enough over the whole interval, the project is
      priced again at b0 and the fresh bound used;
    - a project dropped as unaffordable has supporters with less money than its cost (it then stays
      unaffordable: money only decreases during a run), and so are all projects at the end.
    The intersection of these intervals (and the window) is the run's interval; the checks are exact
    rational arithmetic, so the outcome at any share inside it is the outcome at b0.
    """

    def __init__(self, profile: _Profile, share: Rational, window: Rational | None) -> None:
        self.profile = profile
        self.share = share
        self.certify = window is not None
        self.low: Rational = share - window if window is not None else share
        self.high: Rational = share + window if window is not None else share
        # Classes: exact money at b0 and its slope as a function of the share (0 when not certifying).
        self.money: list[Rational] = [share]
        self.slope: list[Rational] = [mpq(1) if self.certify else mpq(0)]
        self.class_of: dict[tuple[Rational, Rational], int] = {(self.money[0], self.slope[0]): 0}
        self.class_of_group = [0] * len(profile.group_weights)
        # Candidates neither funded nor dropped, and the weight of each one's supporters per class.
        self.running = [False] * len(profile.ids)
        for project in profile.candidates:
            self.running[project] = True
        self.tables: list[dict[int, int]] = [{0: weight} if weight else {} for weight in profile.supporter_weight]
        # The weight and the money of each project's supporters who still have some, kept up to date.
        self.weights = list(profile.supporter_weight)
        self.totals: list[Rational] = [share * weight for weight in profile.supporter_weight]
        # A lower bound of each running project's ρ, affine in the share: (value at b0, slope).
        self.bounds: dict[int, tuple[Rational, Rational]] = {}
        # Projects found unaffordable (over the whole interval when certifying), with their supporters'
        # money then; those dropped from the run are in `available`.
        self.out_of_reach: dict[int, Rational] = {}
        self.available: dict[int, Rational] = {}

    def result(self) -> _Run:
        """Fund projects until none is affordable."""
        profile = self.profile
        heap: list[tuple[Rational, int]] = []
        for project in profile.candidates:
            bound = mpq(profile.costs[project], profile.supporter_weight[project] * profile.satisfaction[project])
            self.bounds[project] = (bound, mpq(0))
            heap.append((bound, project))
        heapq.heapify(heap)
        selected: list[int] = []
        prices: dict[int, Rational] = {}
        while heap:
            best: tuple[Rational, int] | None = None
            best_pricing: _Pricing | None = None
            evaluated: list[int] = []
            while heap and (best is None or heap[0] < best):
                _, project = heapq.heappop(heap)
                pricing = self._price(project)
                if pricing is None:
                    self.running[project] = False
                    self.available[project] = self.out_of_reach[project]
                    continue
                evaluated.append(project)
                rho = pricing.payment / profile.satisfaction[project]
                if best is None or (rho, project) < best:
                    best, best_pricing = (rho, project), pricing
            if best is None or best_pricing is None:
                break
            winner = best[1]
            self.running[winner] = False
            if self.certify:
                self._certify_round(winner, best_pricing)
            for project in evaluated:
                if project != winner and self.running[project]:
                    heapq.heappush(heap, (self.bounds[project][0], project))
            selected.append(winner)
            prices[winner] = best_pricing.payment
            self._pay(winner, best_pricing)
        return _Run(
            share=self.share,
            selected=selected,
            prices=prices,
            available=self.available,
            low=self.low,
            high=self.high,
            cost=sum(profile.costs[project] for project in selected),
        )

    def _keep(self, value: Rational, slope: Rational) -> None:
        """Shrink the interval to where value + slope × (b − b0) stays positive (it is at b0, or zero
        where equality is allowed: the open interval then stops at b0 on the side where it decreases)."""
        if slope < 0:
            self.high = min(self.high, self.share - value / slope)
        elif slope > 0:
            self.low = max(self.low, self.share - value / slope)

    def _holds(self, value: Rational, slope: Rational, *, strict: bool) -> bool:
        """Whether value + slope × (b − b0) is positive (`strict`) or at least zero over the interval:
        it must be so at b0, and at least zero at both ends (an affine function positive at b0 and not
        negative at an end stays positive in between)."""
        if value < 0 or (strict and value == 0):
            return False
        end = self.high if slope < 0 else self.low
        return bool(value + slope * (end - self.share) >= 0)

    def _price(self, project: int) -> _Pricing | None:
        """The project's price, or None when its supporters cannot afford it: what they have is then
        noted in `out_of_reach` and, when certifying, the interval shrunk to where they still cannot
        (money only decreases during a run, so the project then stays out of reach)."""
        money, slope, table = self.money, self.slope, self.tables[project]
        total, cost = self.totals[project], self.profile.costs[project]
        if total < cost:
            self.out_of_reach[project] = total
            if self.certify:
                self._keep(cost - total, -sum((slope[c] * weight for c, weight in table.items()), mpq(0)))
            return None
        payment, short = _equal_payment(cost, self.weights[project], money, table)
        rich_weight = self.weights[project] - sum(table[c] for c in short)
        payment_slope = -sum((slope[c] * table[c] for c in short), mpq(0)) / rich_weight
        satisfaction = self.profile.satisfaction[project]
        self.bounds[project] = (payment / satisfaction, payment_slope / satisfaction)
        return _Pricing(payment, payment_slope, short)

    def _certify_round(self, winner: int, pricing: _Pricing) -> None:
        """Shrink the interval to where this round's decisions hold (see the class docstring)."""
        payment, payment_slope = pricing.payment, pricing.slope
        for c in self.tables[winner]:
            if c in pricing.short:
                self._keep(payment - self.money[c], payment_slope - self.slope[c])
            else:
                self._keep(self.money[c] - payment, self.slope[c] - payment_slope)
        satisfaction = self.profile.satisfaction[winner]
        rho, rho_slope = payment / satisfaction, payment_slope / satisfaction
        for rival in self.profile.candidates:
            if not self.running[rival] or rival in self.out_of_reach:
                continue
            value, slope = self.bounds[rival]
            if self._holds(value - rho, slope - rho_slope, strict=rival < winner):
                continue
            if self._price(rival) is not None:  # a fresh, tighter bound (or the rival is out of reach)
                value, slope = self.bounds[rival]
                self._keep(value - rho, slope - rho_slope)

    def _pay(self, project: int, pricing: _Pricing) -> None:
        """Every supporter pays the payment per unit of weight, or all they have if that is less."""
        new_class: dict[int, int] = {}
        for c in self.tables[project]:
            left, slope = (self.money[c] - pricing.payment, self.slope[c] - pricing.slope)
            if c in pricing.short or (not left and not slope):
                new_class[c] = _EXHAUSTED
                continue
            target = self.class_of.get((left, slope))
            if target is None:
                target = len(self.money)
                self.money.append(left)
                self.slope.append(slope)
                self.class_of[(left, slope)] = target
            new_class[c] = target
        # The groups that pay, by class; then, per class, the weight moving to the new class for every
        # project they approve, counted at C speed over the groups' weighted project lists.
        class_of_group, running, tables, totals, weights = (
            self.class_of_group,
            self.running,
            self.tables,
            self.totals,
            self.weights,
        )
        moving: dict[int, list[int]] = {}
        for group in self.profile.supporters[project]:
            old = class_of_group[group]
            if old != _EXHAUSTED:
                class_of_group[group] = new_class[old]
                if old in moving:
                    moving[old].append(group)
                else:
                    moving[old] = [group]
        profile = self.profile
        counted, heavy = profile.counted_projects, profile.heavy_groups
        for old, groups in moving.items():
            if len(groups) == 1:  # the usual case once classes get small
                moved = dict.fromkeys(profile.group_projects[groups[0]], profile.group_weights[groups[0]])
            else:
                moved = Counter(itertools.chain.from_iterable(map(counted.__getitem__, groups)))
                for group in heavy.intersection(groups) if heavy else ():
                    for approved in profile.group_projects[group]:
                        moved[approved] += profile.group_weights[group]
            new = new_class[old]
            paid = self.money[old] - (self.money[new] if new != _EXHAUSTED else 0)
            for approved, weight in moved.items():
                if not running[approved]:
                    continue
                table = tables[approved]
                still = table[old] - weight
                if still:
                    table[old] = still
                else:
                    del table[old]
                totals[approved] -= paid * weight
                if new != _EXHAUSTED:
                    table[new] = table.get(new, 0) + weight
                else:
                    weights[approved] -= weight
        tables[project] = {}


def _equal_payment(cost: int, weight: int, money: list[Rational], table: dict[int, int]) -> tuple[Rational, set[int]]:
    """The payment q such that the classes of `table` (class → weight, `weight` in all) pay `cost`
    together, each unit of weight giving min(money, q); returns q and the classes short of q. Their
    money together must cover the cost.

    Starting from q = cost / weight, the classes with less than q give all they have and q is raised to
    what the others must then pay, until no other class is short: the classes short of the final q
    are exactly those pabutools finds by scanning the supporters by increasing money (q only grows,
    and stops at the first q that the poorest remaining class can pay), without sorting them."""
    payment = mpq(cost, weight)
    short: set[int] = set()
    rest = list(table.items())
    paid, short_weight = mpq(0), 0
    while True:
        poorer = [(c, w) for c, w in rest if money[c] < payment]
        if not poorer:
            return payment, short
        rest = [(c, w) for c, w in rest if money[c] >= payment]
        if not rest:
            raise ValueError("the classes cannot pay the cost")
        for c, w in poorer:
            short.add(c)
            paid += money[c] * w
            short_weight += w
        payment = (cost - paid) / (weight - short_weight)


@dataclass(slots=True)
class _SearchCosts:
    """When "add1" looks for intervals. Looking costs an exact run (timed: from one to a hundred float
    runs, more on larger elections); an interval w increments wide saves about w runs of every inner
    search that crosses it (w × the inner searches so far, a guess of those to come), each a float run
    (timed). The search looks only when its last `_STEADY_RUNS` shares gave the same outcome (a sign that
    intervals are wide; on large elections the outcome changes at almost every share), and then either
    while the last interval found was worth its cost, or as a probe once the float runs since the last
    look took `patience` times as long as looking did (doubled after every look not worth its cost, so
    probes cost little when intervals stay short)."""

    searches: int = 0
    runs: int = 0
    looking_time: float = 0.0
    worth: bool = False
    patience: int = 1
    plain_runs: int = 0
    plain_time: float = 0.0
    since_look: float = 0.0

    def looked(self, elapsed: float, width_in_increments: Rational) -> None:
        """Account for a run that looked for its interval."""
        saved_runs = float(width_in_increments) * max(1, self.searches)
        self.worth = saved_runs * self.plain_time / max(1, self.plain_runs) >= elapsed
        self.patience = 1 if self.worth else 2 * self.patience
        self.looking_time = elapsed
        self.since_look = 0.0

    def plain(self, elapsed: float) -> None:
        """Account for a float-filtered run."""
        self.plain_runs += 1
        self.plain_time += elapsed
        self.since_look += elapsed

    def look_next(self, steady: bool) -> bool:
        """Whether the next run looks for its interval (`steady`: the last shares gave one outcome)."""
        if not steady:
            return False
        if self.looking_time == 0:
            return True
        return self.worth or self.since_look >= self.patience * self.looking_time


def _complete_by_raising_shares(
    profile: _Profile, increment: int, progress: Progress | None, helper_process: bool
) -> _Run | None:
    """The "add1" completion, exactly as pabutools computes it (see the module docstring): each MES
    run also gives the interval of shares on which its outcome holds, which every later search reuses,
    or is a float-filtered run (made ahead in a helper process when `helper_process` allows it); the
    outcome kept is computed again at its share, with its amounts."""
    budget = mpq(profile.budget)
    weight = profile.total_weight
    if budget == 0:
        # Nothing of positive cost can be funded (pabutools would search forever with a step of 0).
        return profile.run(budget)
    if sum(profile.costs[project] for project in profile.candidates) <= budget:
        # Every outcome fits: pabutools' outer search runs to its bound B (n + 1), where the share
        # alone pays for everything and MES funds every candidate.
        return profile.run(budget * (weight + 1) / weight)
    pieces: list[_Run] = []
    window = mpq(_WINDOW_STEPS * increment)
    costs = _SearchCosts()
    ahead: Ahead | None = None

    def outcome_at(share: Rational, steady: bool) -> _Run:
        """MES at this share, from a run whose interval covers it if there is one, else by a run that
        looks for its interval when that pays off (see `_SearchCosts`), else by a float-filtered run
        (made ahead by the helper when it has it, see `commons.budgeting.rules.ahead`)."""
        nonlocal window, ahead
        for piece in reversed(pieces):
            if piece.covers(share):
                return piece
        costs.runs += 1
        if progress is not None:
            progress(costs.runs, share)
        start = time.perf_counter()
        if not costs.look_next(steady):
            answer = ahead.take(share) if ahead is not None else NOT_READY
            if answer is NOT_READY:
                if helper_process and ahead is None and costs.plain_time >= _AHEAD_AFTER and spare_cores() > 0:
                    ahead = Ahead(profile.filtered)
                if ahead is not None:
                    ahead.ask(share + increment)
                outcome, helper_time = profile.filtered.run(share), 0.0
            else:
                (outcome, helper_time), start = answer, time.perf_counter()
            run = profile.from_float(share, outcome, explained=False)
            costs.plain(helper_time + time.perf_counter() - start)
            return run
        run = profile.run(share, window=window)
        costs.looked(time.perf_counter() - start, (run.high - run.low) / increment)
        # Look twice as far next time when the interval reached the end of the window.
        window = window * 2 if run.high == share + window else mpq(_WINDOW_STEPS * increment)
        if run.high > run.low:
            pieces.append(run)
        return run

    def inner_search(limit: Rational) -> tuple[Rational, _Run] | None:
        """From a share of limit / n, add `increment` until the outcome is exhaustive for `limit` (kept)
        or costs more than `limit` (the previous one is kept; None stands for pabutools' empty start).
        Returns the share kept and its outcome."""
        costs.searches += 1
        start = limit / weight
        steps = 0
        previous: tuple[Rational, _Run] | None = None
        recent: collections.deque[list[int]] = collections.deque(maxlen=_STEADY_RUNS)
        while True:
            share = start + steps * increment
            run = outcome_at(share, len(recent) == _STEADY_RUNS and all(r == recent[0] for r in recent))
            recent.append(run.selected)
            if run.cost > limit:
                return previous
            if profile.is_exhaustive(run, limit):
                return share, run
            # Every share start + k × increment below run.high gives this same outcome: skip them. The
            # share kept is the last one skipped, as the step-by-step search would have kept it: the
            # outcome's amounts and explanations are computed again at that share.
            steps = max(steps + 1, math.ceil((run.high - start) / increment))
            previous = start + (steps - 1) * increment, run

    step = budget / _BUDGET_STEPS
    bound = budget * (weight + 1)
    limit = budget
    kept: Rational | None = None
    try:
        while limit <= bound:
            found = inner_search(limit)
            if found is not None and found[1].cost > budget:
                break
            kept = found[0] if found is not None else None
            limit += step
    finally:
        if ahead is not None:
            ahead.close()
    return profile.outcome(kept) if kept is not None else None
