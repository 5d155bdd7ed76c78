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

Speed: voters with identical ballots are grouped, and voters with the same remaining money form a
class; each project keeps the weight of its supporters per class up to date as voters pay, so pricing a
project only sorts a few classes. ρ only grows during a run, so a project is re-priced only when its
last ρ could beat the best one found in the round (lazy evaluation with a heap). For the completions,
a run at share b also tries to certify an interval [b, b'] on which every decision, hence the outcome,
is provably the same (see `_MesRun`), and the search reuses the run for every share of the interval
instead of rerunning MES (on Częstochowa, 190 runs instead of more than 886). All the arithmetic is
exact (gmpy2 rationals).
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
    share_increment: int = 1,
    money: MoneyFormat = MoneyFormat(),  # noqa: B008 - an immutable value
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
    """
    if sat not in ("cost", "cardinality"):
        raise ValueError(f"unknown satisfaction {sat!r}, expected 'cost' or 'cardinality'")
    if completion not in ("none", "add1", "add1u"):
        raise ValueError(f"unknown completion {completion!r}, expected 'none', 'add1' or 'add1u'")
    profile = _Profile(election, sat)
    if profile.total_weight == 0:
        run = None
    elif completion == "none":
        run = profile.run(mpq(election.budget, profile.total_weight))
    else:
        if share_increment < 1:
            raise ValueError(f"the share increment must be a positive integer, got {share_increment}")
        run = _complete_by_raising_shares(profile, share_increment)
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
class _Money:
    """The remaining money (per unit of weight) of a class of voters, as a function of the share b.

    `at` is its exact value at the share b0 of the run. When the run certifies an interval of shares
    [b0, b1], `low` and `high` are the slopes of two lines through (b0, at) between which the money lies
    for every share of the interval; otherwise they are 0.
    """

    at: Rational
    low: Rational
    high: Rational


_NO_MONEY = _Money(mpq(0), mpq(0), mpq(0))


@dataclass(frozen=True, slots=True)
class _Line:
    """A line through (b0, at) with the given slope: a bound valid over the certified interval."""

    at: Rational
    slope: Rational


@dataclass(frozen=True, slots=True)
class _Pricing:
    """How a project would be paid for at the share of the run.

    Attributes:
        payment: what a supporter with enough money pays per unit of weight.
        rho: the price per unit of satisfaction (the quantity MES minimises), with the slope of a lower
            bound of it over the certified interval.
        payment_low_slope: slope of a lower bound of `payment` over the certified interval.
        supporters: the (money, weight) classes of the supporters, by increasing money.
        short: how many of those classes (the first ones) cannot pay `payment` and give all they have.
    """

    payment: Rational
    rho: _Line
    payment_low_slope: Rational
    supporters: list[tuple[_Money, int]]
    short: int


@dataclass(frozen=True, slots=True)
class _Run:
    """One run of MES at a given share per unit of weight.

    Attributes:
        share: the share b0 of every unit of voter weight.
        selected: indices of the funded projects, in funding order.
        prices: for each funded project, what a supporter pays at most per unit of weight.
        available: for each candidate not funded, what its supporters still had at the end.
        valid_until: the outcome is provably the same for every share in [share, valid_until].
        cost: total cost of `selected`.
    """

    share: Rational
    selected: list[int]
    prices: dict[int, Rational]
    available: dict[int, Rational]
    valid_until: Rational
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
        self.group_weights = group_weights
        self.group_projects: list[tuple[int, ...]] = [()] * len(group_weights)
        for key, group in group_of.items():
            self.group_projects[group] = tuple(key)
        # Satisfaction of a supporter per unit of weight: the price ρ asks ρ × this from each of them.
        self.satisfaction: list[int] = [cost if sat == "cost" else 1 for cost in self.costs]
        supported = [project for project, groups in enumerate(self.supporters) if groups]
        self.free: list[int] = [p for p in supported if self.costs[p] == 0 and sat == "cardinality"]
        self.candidates: list[int] = [p for p in supported if self.costs[p] > 0]

    def run(self, share: Rational, *, until: Rational | None = None) -> _Run:
        """Run MES with `share` per unit of weight; with `until`, also try to certify that the outcome
        is the same for every share up to `until` (see `_Run.valid_until`)."""
        return _MesRun(self, share, until).result()

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
    """One MES run: voters' remaining money per class, lazily updated prices and, when asked, the
    certification that every decision stays the same for all shares of [share, until].

    Certification. Over the interval, a class's money is kept between two lines through its exact value
    at `share`. For a rival project, pretending that the supporters found short of money at `share`
    give at most their upper line and the others pay the rest equally gives a lower bound of its ρ at
    every share of the interval (asking everyone min(money, payment) never collects more). For the funded
    project, the true payment is the largest of such formulas over all ways of splitting the supporters,
    a convex function of the share once the money is replaced by its lower line; it therefore lies below
    the chord between its values at `share` and `until`. A decision holds on the whole interval when it
    holds at both ends for these lines, because they are affine. The payments move the lines of the
    classes accordingly. Checks are sufficient, not necessary: a failed check only shrinks the interval
    to the single share `share`, whose outcome is always exact.
    """

    def __init__(self, profile: _Profile, share: Rational, until: Rational | None) -> None:
        self.profile = profile
        self.share = share
        self.span: Rational | None = None if until is None or until <= share else until - share
        self.certified = self.span is not None
        # Every group starts in class 0; a class is a value of remaining money.
        self.class_of_group = [0] * len(profile.group_weights)
        # Candidates neither funded nor dropped yet, and the weight of each one's supporters per class,
        # kept up to date as voters pay.
        self.running = [False] * len(profile.ids)
        for project in profile.candidates:
            self.running[project] = True
        self.supporters_per_class: list[dict[int, int]] = [
            {0: sum(weights)} if weights else {} for weights in profile.supporter_weights
        ]
        start = _Money(share, mpq(1), mpq(1)) if self.span is not None else _Money(share, mpq(0), mpq(0))
        self.class_money: list[_Money] = [start]
        self.class_by_money: dict[_Money, int] = {start: 0}

    def result(self) -> _Run:
        """Fund projects until none is affordable."""
        profile = self.profile
        # Heap of (lower bound of ρ, project): the bound is the last computed ρ, or cost / total
        # satisfaction at first (ρ if nobody were short of money); ρ never decreases during a run.
        lower_bounds: dict[int, _Line] = {}
        heap: list[tuple[Rational, int]] = []
        for project in profile.candidates:
            weight = sum(profile.supporter_weights[project])
            bound = mpq(profile.costs[project], weight * profile.satisfaction[project])
            lower_bounds[project] = _Line(bound, mpq(0))
            heap.append((bound, project))
        heapq.heapify(heap)
        selected: list[int] = []
        prices: dict[int, Rational] = {}
        available: dict[int, Rational] = {}
        while heap:
            best: tuple[Rational, int] | None = None
            best_pricing: _Pricing | None = None
            evaluated: list[int] = []
            while heap and (best is None or heap[0] < best):
                _, project = heapq.heappop(heap)
                pricing = self._price(project, available)
                if pricing is None:
                    continue
                lower_bounds[project] = pricing.rho
                evaluated.append(project)
                if best is None or (pricing.rho.at, project) < best:
                    best, best_pricing = (pricing.rho.at, project), pricing
            if best is None or best_pricing is None:
                break
            winner = best[1]
            payment_high_slope = self._certify_winner(
                winner, best_pricing, lower_bounds, [p for _, p in heap] + evaluated
            )
            for project in evaluated:
                if project != winner:
                    heapq.heappush(heap, (lower_bounds[project].at, project))
            selected.append(winner)
            prices[winner] = best_pricing.payment
            self._pay(winner, best_pricing, payment_high_slope)
        return _Run(
            share=self.share,
            selected=selected,
            prices=prices,
            available=available,
            valid_until=self.share + self.span if self.certified and self.span is not None else self.share,
            cost=sum(profile.costs[project] for project in selected),
        )

    def _low_end(self, money: _Money) -> Rational:
        """The money's lower line at the end of the certified interval."""
        assert self.span is not None
        return money.at + money.low * self.span

    def _high_end(self, money: _Money) -> Rational:
        """The money's upper line at the end of the certified interval."""
        assert self.span is not None
        return money.at + money.high * self.span

    def _supporters_money(self, project: int) -> list[tuple[_Money, int]]:
        """The (money, weight) classes of the project's supporters who still have money, by increasing
        money."""
        return sorted(
            (
                (self.class_money[money_class], weight)
                for money_class, weight in self.supporters_per_class[project].items()
                if self.class_money[money_class] != _NO_MONEY
            ),
            key=lambda item: item[0].at,
        )

    def _price(self, project: int, available: dict[int, Rational]) -> _Pricing | None:
        """The price of a project, or None when its supporters cannot afford it; it is then dropped for
        the rest of the run and what they still have is noted in `available`."""
        classes = self._supporters_money(project)
        total = sum((money.at * weight for money, weight in classes), mpq(0))
        cost = self.profile.costs[project]
        if total < cost:
            available[project] = total
            self.running[project] = False
            if self.certified and sum(self._high_end(m) * w for m, w in classes) >= cost:
                self.certified = False  # its supporters might afford it before the end of the interval
            return None
        return self._pricing(project, classes)

    def _pricing(self, project: int, classes: list[tuple[_Money, int]]) -> _Pricing:
        """The price of a project its supporters (`classes`) can afford."""
        payment, short = _equal_payment(self.profile.costs[project], [(m.at, w) for m, w in classes])
        remaining_weight = sum(weight for _, weight in classes[short:])
        payment_low_slope = -sum(money.high * weight for money, weight in classes[:short]) / remaining_weight
        satisfaction = self.profile.satisfaction[project]
        rho = _Line(payment / satisfaction, payment_low_slope / satisfaction)
        return _Pricing(payment, rho, payment_low_slope, classes, short)

    def _certify_winner(
        self, winner: int, pricing: _Pricing, lower_bounds: dict[int, _Line], rivals: list[int]
    ) -> Rational:
        """Check that the winner still wins at the end of the interval (its ρ, bounded above by the
        chord, below the lower bound of every rival's; equal is enough against a larger identifier).
        Returns the slope of the chord bounding the winner's payment from above (0 if not certifying)."""
        if not self.certified or self.span is None:
            return mpq(0)
        cost = self.profile.costs[winner]
        ends = sorted((self._low_end(money), weight) for money, weight in pricing.supporters)
        if sum(value * weight for value, weight in ends) < cost:
            self.certified = False
            return mpq(0)
        payment_end, _ = _equal_payment(cost, ends)
        payment_high_slope = (payment_end - pricing.payment) / self.span
        rho_end = (pricing.payment + payment_high_slope * self.span) / self.profile.satisfaction[winner]
        for project in rivals:
            if project != winner and not self._stays_behind(project, winner, rho_end, lower_bounds):
                self.certified = False
                break
        return payment_high_slope

    def _stays_behind(self, rival: int, winner: int, rho_end: Rational, lower_bounds: dict[int, _Line]) -> bool:
        """Whether the rival's ρ stays above the winner's at the end of the interval (equal is enough for
        a larger identifier). A bound left from an earlier round may be too loose: the rival's ρ is
        then recomputed now, which gives a tighter bound and keeps it for the next rounds."""

        def ahead(bound: _Line) -> bool:
            assert self.span is not None
            end = bound.at + bound.slope * self.span
            return end > rho_end or (end == rho_end and rival > winner)

        if ahead(lower_bounds[rival]):
            return True
        classes = self._supporters_money(rival)
        if sum(money.at * weight for money, weight in classes) < self.profile.costs[rival]:
            return False
        lower_bounds[rival] = self._pricing(rival, classes).rho
        return ahead(lower_bounds[rival])

    def _pay(self, project: int, pricing: _Pricing, payment_high_slope: Rational) -> None:
        """Every supporter pays the payment per unit of weight, or all they have if that is less."""
        new_class: dict[int, int] = {}
        for position, (money, _) in enumerate(pricing.supporters):
            left = self._after_payment(money, pricing, payment_high_slope, short=position < pricing.short)
            target = self.class_by_money.get(left)
            if target is None:
                target = len(self.class_money)
                self.class_money.append(left)
                self.class_by_money[left] = target
            new_class[self.class_by_money[money]] = target
        class_of_group = self.class_of_group
        supporters_per_class, running = self.supporters_per_class, self.running
        running[project] = False
        group_weights, group_projects = self.profile.group_weights, self.profile.group_projects
        for group in self.profile.supporters[project]:
            old = class_of_group[group]
            new = new_class.get(old, old)
            if new == old:
                continue
            class_of_group[group] = new
            weight = group_weights[group]
            for approved in group_projects[group]:
                if not running[approved]:
                    continue
                counts = supporters_per_class[approved]
                still = counts[old] - weight
                if still:
                    counts[old] = still
                else:
                    del counts[old]
                counts[new] = counts.get(new, 0) + weight

    def _after_payment(self, money: _Money, pricing: _Pricing, payment_high_slope: Rational, *, short: bool) -> _Money:
        """A class's money after paying for a project: exact at the share, and its lines moved by the
        payment's (its lower line by the payment's upper chord, its upper line by the chord of
        max(0, upper line - payment's lower line), which is convex)."""
        left = mpq(0) if short else money.at - pricing.payment
        if not self.certified or self.span is None:
            return _Money(left, mpq(0), mpq(0)) if left else _NO_MONEY
        low = mpq(0) if short else money.low - payment_high_slope
        high_end = max(mpq(0), self._high_end(money) - (pricing.payment + pricing.payment_low_slope * self.span))
        return _Money(left, low, (high_end - left) / self.span)


def _equal_payment(cost: int, classes: list[tuple[Rational, int]]) -> tuple[Rational, int]:
    """The payment q such that the classes, by increasing money, pay `cost` together, each unit of
    weight giving min(money, q); returns q and how many classes (the first ones) give less than q.
    The money of all classes together must cover the cost."""
    paid = mpq(0)
    remaining_weight = sum(weight for _, weight in classes)
    for short, (money, weight) in enumerate(classes):
        payment = (cost - paid) / remaining_weight
        if payment <= money:
            return payment, short
        paid += weight * money
        remaining_weight -= weight
    raise ValueError("the classes cannot pay the cost")


def _complete_by_raising_shares(profile: _Profile, increment: int) -> _Run | None:
    """The "add1" completion, exactly as pabutools computes it (see the module docstring), reusing a run
    for all the shares on which its outcome is certified to stay the same."""
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
    span = mpq(increment)

    def outcome_at(share: Rational) -> _Run:
        """MES at this share, from a certified run if one covers it; the length of the interval to
        certify adapts (doubling after a success, halving after a failure)."""
        nonlocal span
        for piece in pieces:
            if piece.share <= share <= piece.valid_until:
                return piece
        piece = profile.run(share, until=share + span)
        pieces.append(piece)
        span = span * 2 if piece.valid_until > share else max(span / 2, mpq(increment, 16))
        return piece

    def inner_search(limit: Rational) -> _Run | None:
        """From a share of limit / n, add `increment` until the outcome is exhaustive for `limit` (kept)
        or costs more than `limit` (the previous one is kept; None stands for pabutools' empty start)."""
        start = limit / weight
        steps = 0
        previous: _Run | None = None
        while True:
            run = outcome_at(start + steps * increment)
            if run.cost > limit:
                return previous
            if profile.is_exhaustive(run, limit):
                return run
            previous = run
            # Every share start + k × increment up to valid_until gives this same outcome: skip them.
            steps = max(steps + 1, math.floor((run.valid_until - start) / increment) + 1)

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
