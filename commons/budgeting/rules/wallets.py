"""Wallets (Cobudget style): the pool is split among participants, who each spread their share.

Definition (Cobudget, the "buckets" tool of the Enspiral network, and DESIGN §3): every participant
of the round receives an equal wallet; each puts money on the projects they want; a project that
collects at least its minimum is funded, up to its maximum; money put on the other projects goes
back by the round's declared rule. A participant may delegate a percentage of what they hold to
another participant, transitively. The exact rules, all in integer cents:

1. **Wallets.** The pool is divided by the number of participants, rounded down; the remainder cents
   go one each to the first participants in sorted order of their id (``equal_wallets``). With
   colleges (``commons.budgeting.rules.colleges``), each college controls the part of the pool
   proportional to its declared weight, whatever its size: the pool is first split among the colleges
   that have at least one participant (``split_among_colleges``), then each college's part equally
   among its participants by the same rule; a participant no college welcomes gets nothing
   (``share_pool``).
2. **Delegations** (``resolve_delegations``). They form a graph that must have no cycle (a cycle
   raises ``DelegationCycle`` naming the people in it). People are handled so that every delegator
   comes before their delegates; each passes ``percent`` of everything they hold at that moment (own
   wallet plus what was delegated to them) to each delegate, rounded down: the remainder cents stay
   with the delegator, so the total is conserved exactly. The result does not depend on the order of
   the delegations given.
3. **Spending.** Each person's spending must be within their spending power, on known projects, and
   never more than the per-project cap on one project.
4. **First pass.** A project receives the sum of what was put on it. Above its maximum, each
   person's part is scaled to the maximum by largest remainders (ties: smaller person id), and the
   excess is not kept. A project is funded when what it keeps is positive and reaches its minimum;
   everything put on the other projects is not kept.
5. **What is not kept.** With ``leftover="pool"`` it all goes back to the pool (``returned``). With
   ``leftover="respread"`` it is given back to each person who put it, who re-spreads it in one
   second pass over the funded projects they had already backed that still have room below their
   maximum, in proportion to what they kept there (largest remainders, ties: smaller project id),
   never beyond their per-project cap. Where a project gets more offers than its room, the offers
   are scaled to the room (largest remainders, ties: smaller person id). Whatever cannot be placed
   (no project to re-spread to, a cap, no room) goes back to the pool. Projects not funded in the
   first pass stay unfunded.

Totals reconcile exactly: Σ funded + returned + unspent == pool, where ``unspent`` is the money of
the wallets that nobody put on any project.
"""

from __future__ import annotations

import graphlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from commons.budgeting.rules.colleges import Colleges
from commons.budgeting.rules.election import MoneyFormat, ProjectId
from commons.budgeting.rules.ratio import apportion

Leftover = Literal["pool", "respread"]


@dataclass(frozen=True, slots=True)
class WalletProject:
    """A project open to wallets: funded only if it reaches ``minimum_cents``, never above ``maximum_cents``."""

    minimum_cents: int
    maximum_cents: int

    def __post_init__(self) -> None:
        """Refuse bounds that make no sense."""
        if not isinstance(self.minimum_cents, int) or self.minimum_cents < 0:
            raise ValueError(f"the minimum must be a non-negative integer (cents), got {self.minimum_cents!r}")
        if not isinstance(self.maximum_cents, int) or self.maximum_cents < self.minimum_cents:
            raise ValueError(
                f"the maximum must be an integer at least the minimum ({self.minimum_cents}), "
                f"got {self.maximum_cents!r}"
            )


@dataclass(frozen=True, slots=True)
class Delegation:
    """``delegator`` hands ``percent`` (1 to 100) of everything they hold to ``delegate``."""

    delegator: str
    delegate: str
    percent: int


class DelegationCycle(ValueError):
    """Delegations that loop back to a person; the message names the people in the cycle."""

    def __init__(self, people: Sequence[str]) -> None:
        """Keep the cycle as a list of people, first one repeated at the end (a → b → a)."""
        self.people = tuple(people)
        super().__init__(f"délégation circulaire : {' → '.join(self.people)}")


@dataclass(frozen=True, slots=True)
class WalletOutcome:
    """The outcome of a wallet round.

    Attributes:
        wallets: each participant's own share of the pool (rule 1), in cents.
        spending_power: what each participant decides on after delegations.
        funded: the money kept by each funded project (only funded projects appear).
        returned: the money going back to the pool at the end.
        spent_by: for every participant, what they put on each project and was kept (positive only).
        explanations: a short French sentence for every project.
        unspent: the money of the wallets nobody put on any project; with the others it reconciles:
            Σ funded + returned + unspent == pool.
    """

    wallets: Mapping[str, int]
    spending_power: Mapping[str, int]
    funded: Mapping[ProjectId, int]
    returned: int
    spent_by: Mapping[str, Mapping[ProjectId, int]]
    explanations: Mapping[ProjectId, str]
    unspent: int


def _check_participants(participants: Sequence[str]) -> None:
    if len(set(participants)) != len(participants):
        repeated = sorted({person for person in participants if participants.count(person) > 1})
        raise ValueError(f"participants are listed more than once: {', '.join(repeated)}")


def equal_wallets(participants: Sequence[str], pool: int) -> dict[str, int]:
    """Split ``pool`` equally among ``participants``; the remainder cents go to the first ids in sorted order."""
    if not isinstance(pool, int) or pool < 0:
        raise ValueError(f"the pool must be a non-negative integer (cents), got {pool!r}")
    _check_participants(participants)
    if not participants:
        return {}
    share, extra = divmod(pool, len(participants))
    lucky = set(sorted(participants)[:extra])
    return {person: share + (person in lucky) for person in participants}


def share_pool(participants: Sequence[str], pool: int, colleges: Colleges | None = None) -> dict[str, int]:
    """Each participant's own wallet (rule 1): equal shares of ``pool``, or, with ``colleges``, equal shares
    of their college's part of it; a participant no college welcomes gets 0."""
    if colleges is None:
        return equal_wallets(participants, pool)
    _check_participants(participants)
    wallets = dict.fromkeys(participants, 0)
    for college, envelope in colleges.envelopes(pool, participants).items():
        members = [person for person in participants if colleges.members.get(person) == college]
        wallets.update(equal_wallets(members, envelope))
    return wallets


def resolve_delegations(
    participants: Sequence[str], delegations: Sequence[Delegation], wallets: Mapping[str, int]
) -> dict[str, int]:
    """Spending power after delegations (rule 2 of the module docstring), for every participant.

    Parameters:
        participants: the people of the round.
        delegations: who hands which percentage of what they hold to whom.
        wallets: each participant's own money, in cents (a participant missing here holds 0).
    Raises:
        DelegationCycle: the delegations loop (a person delegating to themselves included).
        ValueError: an unknown person, a percentage outside 1..100 or summing above 100 for one
            delegator, the same delegation given twice, or a negative wallet.
    """
    _check_participants(participants)
    people = set(participants)
    for person, cents in wallets.items():
        if person not in people:
            raise ValueError(f"{person!r} has a wallet but is not a participant")
        if not isinstance(cents, int) or cents < 0:
            raise ValueError(f"{person!r}: the wallet must be a non-negative integer (cents), got {cents!r}")
    outgoing: dict[str, dict[str, int]] = {}
    for delegation in delegations:
        for person in (delegation.delegator, delegation.delegate):
            if person not in people:
                raise ValueError(
                    f"delegation {delegation.delegator!r} → {delegation.delegate!r}: {person!r} is not a participant"
                )
        if delegation.delegator == delegation.delegate:
            raise DelegationCycle([delegation.delegator, delegation.delegate])
        if not isinstance(delegation.percent, int) or not 1 <= delegation.percent <= 100:
            raise ValueError(
                f"delegation {delegation.delegator!r} → {delegation.delegate!r}: the percentage must be an "
                f"integer from 1 to 100, got {delegation.percent!r}"
            )
        given = outgoing.setdefault(delegation.delegator, {})
        if delegation.delegate in given:
            raise ValueError(f"delegation {delegation.delegator!r} → {delegation.delegate!r} is given twice")
        given[delegation.delegate] = delegation.percent
        if sum(given.values()) > 100:
            raise ValueError(f"{delegation.delegator!r} delegates more than 100 % of their wallet")
    power = {person: wallets.get(person, 0) for person in participants}
    for person in _delegators_first(outgoing):
        held = power[person]
        for delegate, percent in sorted(outgoing.get(person, {}).items()):
            passed = held * percent // 100
            power[delegate] += passed
            power[person] -= passed
    return power


def _delegators_first(outgoing: Mapping[str, Mapping[str, int]]) -> list[str]:
    """People in an order where every delegator precedes their delegates; a cycle raises."""
    graph = graphlib.TopologicalSorter[str]()
    for delegator in sorted(outgoing):
        for delegate in sorted(outgoing[delegator]):
            graph.add(delegate, delegator)
    try:
        return list(graph.static_order())
    except graphlib.CycleError as error:
        # graphlib lists the cycle so that each person delegates to the next, first one repeated last.
        loop: list[str] = error.args[1][:-1]
        start = loop.index(min(loop))
        ordered = loop[start:] + loop[:start]
        raise DelegationCycle([*ordered, ordered[0]]) from None


def _check_spending(
    projects: Mapping[ProjectId, WalletProject],
    power: Mapping[str, int],
    spending: Mapping[str, Mapping[ProjectId, int]],
    cap: int | None,
    money: MoneyFormat,
) -> None:
    for person, amounts in spending.items():
        if person not in power:
            raise ValueError(f"{person!r} spends but is not a participant")
        for project, cents in amounts.items():
            if project not in projects:
                raise ValueError(f"{person!r} spends on an unknown project {project!r}")
            if not isinstance(cents, int) or cents < 0:
                raise ValueError(f"{person!r} on {project!r}: the amount must be a non-negative integer (cents)")
            if cap is not None and cents > cap:
                raise ValueError(
                    f"{person!r} puts {money(cents)} on {project!r}, above the cap of {money(cap)} per project"
                )
        if sum(amounts.values()) > power[person]:
            raise ValueError(
                f"{person!r} spends {money(sum(amounts.values()))} but can spend only {money(power[person])}"
            )


def allocate_wallets(
    projects: Mapping[ProjectId, WalletProject],
    participants: Sequence[str],
    pool: int,
    spending: Mapping[str, Mapping[ProjectId, int]],
    *,
    delegations: Sequence[Delegation] = (),
    project_cap_cents: int | None = None,
    leftover: Leftover = "pool",
    colleges: Colleges | None = None,
    money: MoneyFormat = MoneyFormat(decimals=2),  # noqa: B008 - an immutable value
) -> WalletOutcome:
    """Fund projects from participants' wallets (see the module docstring for every rule).

    Parameters:
        projects: the projects open to the round, with their minimum and maximum.
        participants: the people of the round; each gets an equal wallet (within their college, if any).
        pool: the money to split, in cents (≥ 0).
        spending: what each person puts on each project, in cents.
        delegations: shares of wallets handed to other participants.
        project_cap_cents: the most one person may put on one project, if declared.
        leftover: where money put on unfunded projects (or above a maximum) goes: "pool" or "respread".
        colleges: the participants' colleges and their weights; the pool is then split by college first.
        money: how amounts are written in explanations and error messages.
    """
    if leftover not in ("pool", "respread"):
        raise ValueError(f"unknown leftover rule {leftover!r}, expected 'pool' or 'respread'")
    if project_cap_cents is not None and (not isinstance(project_cap_cents, int) or project_cap_cents < 0):
        raise ValueError(f"the cap must be a non-negative integer (cents), got {project_cap_cents!r}")
    wallets = share_pool(participants, pool, colleges)
    power = resolve_delegations(participants, delegations, wallets)
    _check_spending(projects, power, spending, project_cap_cents, money)
    kept: dict[str, dict[ProjectId, int]] = {person: {} for person in sorted(participants)}
    given_back = dict.fromkeys(sorted(participants), 0)
    first: dict[ProjectId, int] = {}
    received: dict[ProjectId, int] = {}
    put_on: dict[ProjectId, dict[str, int]] = {project: {} for project in sorted(projects)}
    for person in sorted(spending):
        for project, cents in spending[person].items():
            if cents:
                put_on[project][person] = cents
    for project, put in put_on.items():
        received[project] = sum(put.values())
        limit = projects[project].maximum_cents
        shares = put if received[project] <= limit else apportion(limit, put)
        keep = sum(shares.values())
        if keep == 0 or keep < projects[project].minimum_cents:
            shares = dict.fromkeys(put, 0)
        else:
            first[project] = keep
        for person, cents in put.items():
            given_back[person] += cents - shares[person]
            if shares[person]:
                kept[person][project] = shares[person]
    returned = sum(given_back.values())
    second: dict[ProjectId, int] = {}
    if leftover == "respread":
        second, returned = _respread(projects, first, kept, given_back, project_cap_cents)
    funded = {project: first[project] + second.get(project, 0) for project in first}
    explanations = {
        project: _explain(
            projects[project], received[project], funded.get(project), second.get(project, 0), leftover, money
        )
        for project in sorted(projects)
    }
    return WalletOutcome(
        wallets=wallets,
        spending_power=power,
        funded=funded,
        returned=returned,
        spent_by=kept,
        explanations=explanations,
        unspent=pool - sum(sum(amounts.values()) for amounts in spending.values()),
    )


def _respread(
    projects: Mapping[ProjectId, WalletProject],
    first: Mapping[ProjectId, int],
    kept: dict[str, dict[ProjectId, int]],
    given_back: Mapping[str, int],
    cap: int | None,
) -> tuple[dict[ProjectId, int], int]:
    """The second pass (rule 5): adds to ``kept`` in place; returns what each project gained and what goes back."""
    room = {project: projects[project].maximum_cents - cents for project, cents in first.items()}
    returned = 0
    offers: dict[ProjectId, dict[str, int]] = {}
    for person, cents in given_back.items():
        if not cents:
            continue
        backed = {
            project: amount
            for project, amount in sorted(kept[person].items())
            if room[project] > 0 and (cap is None or amount < cap)
        }
        if not backed:
            returned += cents
            continue
        for project, share in apportion(cents, backed).items():
            offer = share if cap is None else min(share, cap - kept[person][project])
            returned += share - offer
            if offer:
                offers.setdefault(project, {})[person] = offer
    gained: dict[ProjectId, int] = {}
    for project in sorted(offers):
        offered = offers[project]
        accepted = offered if sum(offered.values()) <= room[project] else apportion(room[project], offered)
        returned += sum(offered.values()) - sum(accepted.values())
        gained[project] = sum(accepted.values())
        for person, cents in accepted.items():
            if cents:
                kept[person][project] += cents
    return gained, returned


def _explain(
    project: WalletProject, received: int, funded: int | None, second: int, leftover: Leftover, money: MoneyFormat
) -> str:
    """One French sentence: whether the project is funded and where its money went."""
    if funded is None:
        if received == 0:
            return f"Non financé : personne n'y a mis d'argent (minimum de {money(project.minimum_cents)})."
        where = "retourne à l'enveloppe" if leftover == "pool" else "est rendu aux participants pour un second tour"
        return (
            f"Non financé : {money(received)} reçus, sous le minimum de {money(project.minimum_cents)} ; "
            f"cet argent {where}."
        )
    text = f"Financé : {money(funded)}"
    if second:
        text += f" (dont {money(second)} au second tour)"
    text += f" ; {money(received)} reçus, minimum de {money(project.minimum_cents)} atteint"
    if received > project.maximum_cents:
        excess = received - project.maximum_cents
        text += f", plafonné à son maximum de {money(project.maximum_cents)} ({money(excess)} rendus)"
    return f"{text}."
