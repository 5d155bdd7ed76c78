"""Use cases of co-budgeting rounds: declare, vote, close, compute, publish.

A round's rules are public before anyone votes and frozen by the first ballot. Ballots are
secret until the close; the result is stored with its fingerprint and rule version, and
computing it again has no second effect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

import msgspec
from sqlalchemy import ColumnElement, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.accounts.services import administered_kinds, administered_organizations, is_organization_admin
from commons.budgeting.anonymity import MIN_COLLEGE_VOTERS, exported_colleges
from commons.budgeting.compute import (
    CENTS,
    RULE_VERSION,
    MatchingInputs,
    Outcome,
    RoundInputs,
    WalletInputs,
    allocate,
    allocate_from_wallets,
    match,
)
from commons.budgeting.models import (
    Ballot,
    Candidate,
    College,
    Delegation,
    Eligibility,
    MatchEstimate,
    Registration,
    Round,
    RoundResult,
    RoundRule,
    RoundStatus,
    WalletSpending,
)
from commons.budgeting.pabulib import PabulibError, PabulibInstance, PabulibProject, PabulibVoter, dumps, loads
from commons.budgeting.progress import Reporter, RoundProgress, current_board
from commons.budgeting.rules.colleges import Colleges
from commons.budgeting.rules.wallets import Delegation as RuleDelegation
from commons.budgeting.rules.wallets import DelegationCycle, resolve_delegations, share_pool
from commons.budgeting.schemas import BallotIn, DelegationIn, RoundCreate, RoundImport, RoundUpdate, SpendingIn
from commons.challenges.models import Challenge, ChallengeStatus
from commons.challenges.services import get_challenge
from commons.db import as_utc, commit_or_conflict, utcnow
from commons.eligibility.models import EligibilityCredential
from commons.eligibility.rules import require_verified
from commons.eligibility.services import require_eligible
from commons.errors import Conflict, Forbidden, InvalidInput, NotFound
from commons.events.models import OutboxEvent
from commons.events.outbox import EventType, record_event
from commons.funders.services import Grant, Payout, pay_out
from commons.pledges.models import Pledge, PledgeStatus
from commons.projects.models import Membership, MembershipRole, Need, Project, ResourceKind
from commons.web.page_cache import purge_after_commit

STAKEHOLDER_KINDS = frozenset(
    {"collectivite", "association", "entreprise", "habitant", "universite", "fondation", "media"}
)


async def _administered_challenge(session: AsyncSession, actor: User, challenge_id: int) -> Challenge:
    challenge = await get_challenge(session, challenge_id, viewer=actor)
    if not await is_organization_admin(session, actor, challenge.organization_id):
        raise Forbidden("Seuls les administrateurs de l'organisation qui porte l'appel gèrent ses co-budgets.")
    return challenge


# What froze a round's rules, by rule (once frozen, rule, limits, budget and settings stay).
FROZEN_BY = {
    RoundRule.GREEDY: "le premier bulletin",
    RoundRule.EQUAL_SHARES: "le premier bulletin",
    RoundRule.QUADRATIC: "la première contribution abondée",
    RoundRule.RATIO: "la première contribution abondée",
    RoundRule.WALLETS: "la première répartition d'un portefeuille",
}


def _check_limits(round_: Round) -> None:
    if round_.closes_at <= round_.opens_at:
        raise InvalidInput("La clôture du co-budget doit suivre son ouverture.")
    if round_.max_choices is not None and round_.max_choices < round_.min_choices:
        raise InvalidInput("Le nombre maximal de choix est inférieur au nombre minimal.")
    if round_.seed_cents * len(round_.candidates) > round_.budget_cents:
        raise InvalidInput("L'amorçage des projets présélectionnés dépasse le budget du co-budget.")


def parse_ratio(value: str | int) -> Fraction:
    """A ratio as people write it: an integer ("2"), a fraction ("3/2") or a decimal ("1,5")."""
    text = str(value).strip().replace(",", ".").replace(" ", "")
    try:
        ratio = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise InvalidInput(f"Ratio invalide « {value} » : écrivez un entier (2) ou une fraction (3/2).") from None
    if not 0 < ratio <= 100 or ratio.denominator > 1000:
        raise InvalidInput(f"Ratio invalide « {value} » : il doit être positif et au plus 100.")
    return ratio


def round_ratio(round_: Round) -> Fraction:
    return Fraction(round_.ratio_numerator, round_.ratio_denominator)


def ratio_text(round_: Round) -> str:
    """The ratio as written back to people: "2" or "3/2"."""
    ratio = round_ratio(round_)
    return str(ratio.numerator) if ratio.denominator == 1 else f"{ratio.numerator}/{ratio.denominator}"


def _set_ratio(round_: Round, value: str | int) -> None:
    ratio = parse_ratio(value)
    round_.ratio_numerator, round_.ratio_denominator = ratio.numerator, ratio.denominator


def _check_settings(round_: Round) -> None:
    """Refuse settings that the round's rule does not have, rather than ignore them silently."""
    rule = round_.rule
    if rule.is_approval and round_.project_cap_cents is not None:
        raise InvalidInput("Le plafond par projet ne vaut que pour les abondements et les portefeuilles.")
    if not rule.is_approval:
        if round_.min_choices or round_.max_choices is not None or round_.max_ballot_cents is not None:
            raise InvalidInput(
                "Les limites de bulletin (nombre de choix, montant par bulletin) ne valent que pour les règles "
                "à bulletins (gloutonne, parts égales)."
            )
    ratio_settings = (round_.ratio_numerator, round_.ratio_denominator, round_.person_cap_cents, round_.ratio_mode)
    if rule != RoundRule.RATIO and ratio_settings != (1, 1, None, "first_come"):
        raise InvalidInput(
            "Le ratio, le plafond par personne et le mode d'abondement ne valent que pour l'abondement au ratio."
        )
    if rule != RoundRule.WALLETS and (round_.delegation_allowed or round_.leftover != "pool"):
        raise InvalidInput("La délégation et le sort de l'argent non utilisé ne valent que pour les portefeuilles.")


def _check_registration_time(round_: Round) -> None:
    if round_.rule == RoundRule.WALLETS and round_.opens_at <= utcnow():
        raise InvalidInput(
            "Un co-budget à portefeuilles s'ouvre plus tard : les participants s'inscrivent avant l'ouverture, "
            "puis l'enveloppe est partagée entre eux."
        )


async def _default_candidates(session: AsyncSession, challenge_id: int) -> list[Candidate]:
    """Every project of the call, asking the pool for the minimums of its money needs."""
    projects = await session.scalars(select(Project).where(Project.challenge_id == challenge_id).order_by(Project.id))
    candidates = []
    for project in projects:
        cost = sum(n.min_amount for n in project.needs if n.kind == ResourceKind.MONEY)
        if cost > 0:
            candidates.append(Candidate(project_id=project.id, cost_cents=cost))
    return candidates


async def create_round(session: AsyncSession, *, actor: User, challenge_id: int, data: RoundCreate) -> Round:
    challenge = await _administered_challenge(session, actor, challenge_id)
    if challenge.status == ChallengeStatus.CLOSED:
        raise Conflict("L'appel est clos : on ne peut plus y ouvrir de co-budget.")
    if data.candidates is None:
        candidates = await _default_candidates(session, challenge_id)
    else:
        projects = set(await session.scalars(select(Project.id).where(Project.challenge_id == challenge_id)))
        foreign = [c.project_id for c in data.candidates if c.project_id not in projects]
        if foreign:
            raise InvalidInput(f"Le projet {foreign[0]} ne répond pas à cet appel.")
        if len({c.project_id for c in data.candidates}) != len(data.candidates):
            raise InvalidInput("Un projet figure deux fois parmi les candidats.")
        candidates = [Candidate(project_id=c.project_id, cost_cents=c.cost_cents) for c in data.candidates]
    names = [college.name.strip() for college in data.colleges]
    for college in data.colleges:
        unknown = set(college.kinds) - STAKEHOLDER_KINDS
        if unknown:
            raise InvalidInput(f"Collège « {college.name} » : famille inconnue « {sorted(unknown)[0]} ».")
        if names.count(college.name.strip()) > 1:
            # A college is known by its name in the published inputs: two of the same name would merge.
            raise InvalidInput(
                f"Deux collèges s'appellent « {college.name.strip()} » : donnez-leur des noms distincts."
            )
    if data.rule == RoundRule.RATIO and data.ratio is None:
        raise InvalidInput("Indiquez le ratio de l'abondement : 2 pour « 1 € donné, 2 € de l'enveloppe ».")
    round_ = Round(
        challenge_id=challenge_id,
        title=data.title.strip(),
        rule=data.rule,
        satisfaction=data.satisfaction,
        completion=data.completion,
        budget_cents=data.budget_cents,
        seed_cents=data.seed_cents,
        opens_at=as_utc(data.opens_at),
        closes_at=as_utc(data.closes_at),
        min_choices=data.min_choices,
        max_choices=data.max_choices,
        max_ballot_cents=data.max_ballot_cents,
        project_cap_cents=data.project_cap_cents,
        ratio_numerator=1,
        ratio_denominator=1,
        person_cap_cents=data.person_cap_cents,
        ratio_mode=data.ratio_mode,
        delegation_allowed=data.delegation_allowed,
        leftover=data.leftover,
        eligibility=data.eligibility,
        candidates=candidates,
        colleges=[College(name=c.name.strip(), weight=c.weight, kinds=sorted(set(c.kinds))) for c in data.colleges],
    )
    if data.ratio is not None:
        _set_ratio(round_, data.ratio)
    _check_limits(round_)
    _check_settings(round_)
    _check_registration_time(round_)
    session.add(round_)
    await session.flush()
    await _pay_seeds(session, round_)
    if round_.rule.is_matching:
        # Pledges made since the opening already count: the estimate starts from them.
        await refresh_estimate(session, round_, seen=None)
    await session.commit()
    return await get_round(session, round_.id, viewer=actor)


async def _pay_seeds(session: AsyncSession, round_: Round) -> None:
    """Pay every candidate its seed funding out of the call's pool now, before the vote, so projects
    can mature; refused with nothing written unless the money received covers every seed in full."""
    if not round_.seed_cents:
        return
    payout = await pay_out(
        session,
        challenge_id=round_.challenge_id,
        round_id=round_.id,
        grants=[Grant(c.project_id, round_.seed_cents, divisible=False, purpose="seed") for c in round_.candidates],
    )
    short = [grant for grant in payout.grants if grant.paid_cents < grant.asked_cents]
    if short:
        await session.rollback()
        raise Conflict(
            f"L'amorçage de {CENTS(round_.seed_cents)} par projet ne peut pas être versé à tous les candidats : "
            f"{short[0].reason or 'la cagnotte de l’appel ne le couvre pas.'} Marquez d'abord les apports des "
            "financeurs comme reçus, ou réduisez l'amorçage."
        )


async def get_round(session: AsyncSession, round_id: int, *, viewer: User | None) -> Round:
    round_ = await session.get(Round, round_id, populate_existing=True)
    if round_ is None:
        raise NotFound(f"Co-budget {round_id} introuvable.")
    await get_challenge(session, round_.challenge_id, viewer=viewer)
    return round_


async def list_rounds(session: AsyncSession, *, challenge_id: int, viewer: User | None) -> list[Round]:
    await get_challenge(session, challenge_id, viewer=viewer)
    return list(await session.scalars(select(Round).where(Round.challenge_id == challenge_id).order_by(Round.opens_at)))


async def update_round(session: AsyncSession, *, actor: User, round_id: int, data: RoundUpdate) -> Round:
    round_ = await get_round(session, round_id, viewer=actor)
    await _administered_challenge(session, actor, round_.challenge_id)
    if await _has_started(session, round_) or round_.status != RoundStatus.SCHEDULED:
        raise Conflict(
            f"Les règles de ce co-budget sont figées depuis {FROZEN_BY[round_.rule]} : règle, limites, budget "
            "et réglages ne peuvent plus changer."
        )
    if data.seed_cents is not msgspec.UNSET and data.seed_cents != round_.seed_cents:
        raise Conflict("L'amorçage est versé aux candidats à la création du co-budget : il ne change plus.")
    for name, value in msgspec.structs.asdict(data).items():
        if value is msgspec.UNSET:
            continue
        if name == "ratio":
            _set_ratio(round_, value)
        else:
            setattr(round_, name, as_utc(value) if isinstance(value, datetime) else value)
    _check_limits(round_)
    _check_settings(round_)
    if data.opens_at is not msgspec.UNSET:
        _check_registration_time(round_)
    if round_.rule.is_matching:
        await refresh_estimate(session, round_, seen=None)
    await session.commit()
    return round_


async def _has_started(session: AsyncSession, round_: Round) -> bool:
    """Whether the rules are frozen: by a ballot or a spending (``frozen_at``), or a matched pledge.

    The estimate worker marks a matching round frozen when it first counts a pledge; the pledges
    themselves are checked too, so a change cannot slip in before the worker has run.
    """
    if round_.frozen_at is not None:
        return True
    return round_.rule.is_matching and bool((await matching_inputs(session, round_)).gifts)


async def ballot_count(session: AsyncSession, round_id: int) -> int:
    return int(await session.scalar(select(func.count(Ballot.id)).where(Ballot.round_id == round_id)) or 0)


def _college_for(round_: Round, kinds: set[str]) -> College | None:
    """The first college listing one of ``kinds`` (the kinds of the organizations a person administers),
    else the one listing ``habitant``; None when no college welcomes the person."""
    for college in round_.colleges:
        if (kinds or {"habitant"}) & set(college.kinds):
            return college
    return next((college for college in round_.colleges if "habitant" in college.kinds), None)


async def college_of(session: AsyncSession, round_: Round, user: User) -> College | None:
    """The person's college: the first listing a kind of an organization they administer, else ``habitant``."""
    if not round_.colleges:
        return None
    college = _college_for(round_, {o.kind.value for o in await administered_organizations(session, user)})
    if college is None:
        raise Forbidden("Aucun collège de ce co-budget ne vous accueille.")
    return college


async def colleges_of(session: AsyncSession, round_: Round, user_ids: Collection[int]) -> dict[int, str]:
    """The college name of each of ``user_ids``, decided as ``college_of`` does, now, in one query.

    Matching pledges store no college: the inputs of matching rounds place each person when they are
    gathered. People no college welcomes are left out (they have no part).
    """
    if not round_.colleges:
        return {}
    kinds = await administered_kinds(session, user_ids)
    found = {user_id: _college_for(round_, own) for user_id, own in kinds.items()}
    return {user_id: college.name for user_id, college in found.items() if college is not None}


def _check_open_for_votes(round_: Round, what: str = "les bulletins") -> None:
    now = utcnow()
    if round_.status != RoundStatus.SCHEDULED or now >= round_.closes_at:
        raise Conflict(f"Ce co-budget est clos : {what} ne sont plus acceptés.")
    if now < round_.opens_at:
        raise Conflict("Ce co-budget n'est pas encore ouvert.")


def _check_ballot(round_: Round, approvals: list[int]) -> None:
    costs = {c.project_id: c.cost_cents for c in round_.candidates}
    if len(set(approvals)) != len(approvals):
        raise InvalidInput("Un projet est choisi deux fois.")
    unknown = [p for p in approvals if p not in costs]
    if unknown:
        raise InvalidInput(f"Le projet {unknown[0]} n'est pas candidat à ce co-budget.")
    if len(approvals) < round_.min_choices:
        raise InvalidInput(f"Choisissez au moins {round_.min_choices} projet(s).")
    if round_.max_choices is not None and len(approvals) > round_.max_choices:
        raise InvalidInput(f"Choisissez au plus {round_.max_choices} projet(s).")
    total = sum(costs[p] for p in approvals)
    if round_.max_ballot_cents is not None and total > round_.max_ballot_cents:
        raise InvalidInput("Vos choix dépassent le montant permis par bulletin.")


async def submit_ballot(session: AsyncSession, *, actor: User, round_id: int, data: BallotIn) -> Ballot:
    """Cast or replace the actor's ballot: one per person and round, even under concurrent submissions,
    if the round's eligibility check admits the person (a verified address, and a census or code if asked).

    An atomic upsert on the unique (round, voter) pair, so two simultaneous submissions by the
    same person leave one ballot (the last written), never two and never an error.
    """
    round_ = await get_round(session, round_id, viewer=actor)
    if not round_.rule.is_approval:
        raise Conflict("Ce co-budget ne se vote pas par bulletin : voyez ses règles.")
    _check_open_for_votes(round_)
    await require_eligible(session, round_, actor)
    _check_ballot(round_, data.approvals)
    college = await college_of(session, round_, actor)
    now = utcnow()
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    values = {"approvals": sorted(data.approvals), "college_id": college.id if college else None, "updated_at": now}
    await session.execute(
        insert(Ballot)
        .values(round_id=round_id, voter_id=actor.id, **values)
        .on_conflict_do_update(index_elements=["round_id", "voter_id"], set_=values)
    )
    # The first ballot freezes the rules.
    await session.execute(update(Round).where(Round.id == round_id, Round.frozen_at.is_(None)).values(frozen_at=now))
    await session.commit()
    ballot = await session.scalar(
        select(Ballot)
        .where(Ballot.round_id == round_id, Ballot.voter_id == actor.id)
        .execution_options(populate_existing=True)
    )
    assert ballot is not None
    return ballot


async def own_ballot(session: AsyncSession, *, actor: User, round_id: int) -> Ballot | None:
    await get_round(session, round_id, viewer=actor)
    return await session.scalar(select(Ballot).where(Ballot.round_id == round_id, Ballot.voter_id == actor.id))


def _close(session: AsyncSession, round_: Round) -> None:
    round_.status = RoundStatus.CLOSED
    round_.closed_at = utcnow()
    record_event(session, EventType.ROUND_CLOSED, round_id=round_.id, challenge_id=round_.challenge_id)


async def close_round(session: AsyncSession, *, actor: User, round_id: int) -> Round:
    """Close a round before its time (an admin action); the result is computed by a worker."""
    round_ = await get_round(session, round_id, viewer=actor)
    await _administered_challenge(session, actor, round_.challenge_id)
    if round_.status != RoundStatus.SCHEDULED:
        raise Conflict("Ce co-budget est déjà clos.")
    _close(session, round_)
    await session.commit()
    return round_


async def close_due_rounds(session: AsyncSession) -> int:
    """Close every round whose time has come; safe to run anywhere, any number of times.

    Dramatiq has no scheduler: this sweep runs periodically and at start-up, so a closing
    time that passed while nothing ran is handled at the next start.
    """
    due = list(
        await session.scalars(
            select(Round)
            .where(Round.status == RoundStatus.SCHEDULED, Round.closes_at <= utcnow())
            .with_for_update(skip_locked=True, of=Round)
        )
    )
    for round_ in due:
        _close(session, round_)
    await session.commit()
    return len(due)


async def round_inputs(session: AsyncSession, round_: Round) -> RoundInputs:
    colleges = {c.id: c.name for c in round_.colleges}
    ballots = await session.scalars(select(Ballot).where(Ballot.round_id == round_.id).order_by(Ballot.id))
    return RoundInputs(
        rule=round_.rule.value,
        satisfaction="cardinality" if round_.satisfaction == "cardinality" else "cost",
        completion="add1u" if round_.completion == "add1u" else "add1" if round_.completion == "add1" else "none",
        costs={str(c.project_id): c.cost_cents for c in round_.candidates},
        ballots=[
            (frozenset(str(p) for p in b.approvals), colleges.get(b.college_id) if b.college_id else None)
            for b in ballots
        ],
        college_weights=_college_weights(round_),
        budget_cents=round_.budget_cents,
        seed_cents=round_.seed_cents,
    )


def _college_weights(round_: Round) -> dict[str, int]:
    return {c.name: c.weight for c in round_.colleges}


def _pool(round_: Round) -> int:
    """What the rule shares: the budget less the seed funding paid to every candidate."""
    return round_.budget_cents - round_.seed_cents * len(round_.candidates)


# --- Matching rounds: pledges matched by the pool, estimated as they arrive -----------------------

ESTIMATE_EVENTS = frozenset(
    {EventType.PLEDGE_MADE, EventType.PLEDGE_WITHDRAWN, EventType.PLEDGE_CONFIRMED, EventType.PROJECT_CANCELLED}
)


async def matching_inputs(session: AsyncSession, round_: Round) -> MatchingInputs:
    """The money a matching round counts, anonymized, in arrival order.

    Only money received counts: a pledge made to a candidate while the round was open (opens_at ≤
    created_at < the close, its closing time or an earlier admin close) and confirmed as received
    before the close by someone other than its contributor (a lead of the project or an admin of
    the call). A promise costs nothing to make, so matching promises paid for fake ones; and since
    confirmed money cannot be withdrawn, nothing done after the close changes what was matched. A
    pledge released after the close (its project missed an all-or-nothing minimum) still counts,
    so the final result does not depend on when the worker runs. People become "p1", "p2", … in the
    order of their first pledge; with colleges, each is placed in their college now (``colleges_of``).
    """
    end = min(round_.closes_at, round_.closed_at) if round_.closed_at else round_.closes_at
    rows = await session.execute(
        select(Pledge.project_id, Pledge.contributor_id, Pledge.amount)
        .where(
            Pledge.project_id.in_([c.project_id for c in round_.candidates]),
            Pledge.kind == ResourceKind.MONEY,
            Pledge.created_at >= round_.opens_at,
            Pledge.created_at < end,
            Pledge.confirmed_at < end,
            Pledge.confirmed_by_id != Pledge.contributor_id,
            or_(Pledge.status == PledgeStatus.CONFIRMED, Pledge.released_at >= end),
            *_eligible_contributors(round_),
        )
        .order_by(Pledge.created_at, Pledge.id)
    )
    ordinals: dict[int, str] = {}
    gifts = []
    for project_id, person, amount in rows:
        ordinal = ordinals.setdefault(person, f"p{len(ordinals) + 1}")
        gifts.append((str(project_id), ordinal, amount))
    colleges = await colleges_of(session, round_, ordinals)
    return MatchingInputs(
        rule="quadratic" if round_.rule == RoundRule.QUADRATIC else "ratio",
        costs={str(c.project_id): c.cost_cents for c in round_.candidates},
        gifts=gifts,
        pool_cents=_pool(round_),
        project_cap_cents=round_.project_cap_cents,
        person_cap_cents=round_.person_cap_cents,
        ratio=round_ratio(round_),
        ratio_mode="proportional" if round_.ratio_mode == "proportional" else "first_come",
        colleges={ordinals[user_id]: name for user_id, name in colleges.items()},
        college_weights=_college_weights(round_),
    )


def _eligible_contributors(round_: Round) -> list[ColumnElement[bool]]:
    """With a census or codes, only the money of people holding one of the round's credentials is matched."""
    if round_.eligibility == Eligibility.EMAIL:
        return []
    holders = select(EligibilityCredential.holder_id).where(
        EligibilityCredential.round_id == round_.id, EligibilityCredential.holder_id.is_not(None)
    )
    return [Pledge.contributor_id.in_(holders)]


async def refresh_estimate(session: AsyncSession, round_: Round, *, seen: datetime | None) -> bool:
    """Recompute a matching round's estimated match, unless it already counts what happened at ``seen``.

    The estimate row is locked, then the time is taken, then the pledges are read: everything
    committed before ``computed_at`` is counted. An event published (``published_at``, set by the
    relay after the event's transaction committed) before ``computed_at`` is therefore included,
    and a burst of pledges is counted by the first recompute that follows it. Returns whether it
    recomputed; does not commit.
    """
    estimate = await session.scalar(select(MatchEstimate).where(MatchEstimate.round_id == round_.id).with_for_update())
    if estimate is None:
        estimate = MatchEstimate(round_id=round_.id, version=0)
        session.add(estimate)
    elif seen is not None and estimate.computed_at is not None and estimate.computed_at >= seen:
        return False
    started = utcnow()
    inputs = await matching_inputs(session, round_)
    outcome = match(inputs)
    estimate.amounts = dict(outcome.amounts)
    estimate.contributors = dict(outcome.supporters)
    estimate.total_cents = outcome.total
    estimate.version += 1
    estimate.computed_at = started
    if inputs.gifts and round_.frozen_at is None:
        round_.frozen_at = started  # the first matched pledge freezes the rules
    return True


async def refresh_estimates(session: AsyncSession, event: OutboxEvent) -> None:
    """The estimate consumer: a money pledge changed on a project; refresh the open rounds matching it.

    An event not yet marked published (the relay commits that mark after sending) is treated as new.
    """
    if event.type not in ESTIMATE_EVENTS or event.payload.get("kind", ResourceKind.MONEY.value) != "money":
        return
    rounds = await session.scalars(
        select(Round)
        .join(Candidate, Candidate.round_id == Round.id)
        .where(
            Candidate.project_id == event.payload["project_id"],
            Round.status == RoundStatus.SCHEDULED,
            Round.rule.in_([RoundRule.QUADRATIC, RoundRule.RATIO]),
        )
        .order_by(Round.id)
    )
    for round_ in rounds:
        await refresh_estimate(session, round_, seen=event.published_at)


async def get_estimate(session: AsyncSession, *, round_id: int, viewer: User | None) -> MatchEstimate:
    round_ = await get_round(session, round_id, viewer=viewer)
    estimate = await session.scalar(select(MatchEstimate).where(MatchEstimate.round_id == round_.id))
    if not round_.rule.is_matching or estimate is None:
        raise NotFound("Ce co-budget n'abonde pas les contributions : il n'a pas d'abondement estimé.")
    return estimate


async def estimates_of(session: AsyncSession, rounds: Sequence[Round]) -> dict[int, MatchEstimate]:
    """The current estimates of the open matching rounds among ``rounds``, by round id."""
    wanted = [r.id for r in rounds if r.rule.is_matching and r.status == RoundStatus.SCHEDULED]
    if not wanted:
        return {}
    found = await session.scalars(select(MatchEstimate).where(MatchEstimate.round_id.in_(wanted)))
    return {e.round_id: e for e in found}


# --- Wallet rounds: registered participants spread equal wallets, and may delegate --------------


@dataclass(frozen=True, slots=True)
class Participants:
    """A wallet round's participants (registration order), with their ordinals and names."""

    ordinals: Mapping[int, str]
    names: Mapping[str, str]

    @classmethod
    def of(cls, registrations: Sequence[Registration]) -> Participants:
        ordinals = {r.user_id: f"p{i}" for i, r in enumerate(registrations, start=1)}
        return cls(ordinals=ordinals, names={ordinals[r.user_id]: r.user.name for r in registrations})


@dataclass(frozen=True, slots=True)
class Wallet:
    """One person's wallet in a round: what they have, passed on, received, spread, and what is left.

    Before the opening, the amounts are what the wallets would be if the round opened now.
    """

    registered: bool
    participant_count: int
    college: str | None = None
    wallet_cents: int = 0
    delegated_cents: int = 0
    received_cents: int = 0
    power_cents: int = 0
    spending: Mapping[int, int] = field(default_factory=dict)
    delegation: Delegation | None = None
    received_from: Sequence[Delegation] = ()

    @property
    def spent_cents(self) -> int:
        return sum(self.spending.values())

    @property
    def left_cents(self) -> int:
        return self.power_cents - self.spent_cents


@dataclass(frozen=True, slots=True)
class _WalletData:
    """A wallet round's stored state, read at once, with the participants' colleges (None without colleges)."""

    participants: Participants
    delegations: list[Delegation]
    spending: dict[int, dict[int, int]]
    colleges: Colleges | None

    def rule_delegations(self, without: int | None = None) -> list[RuleDelegation]:
        ordinals = self.participants.ordinals
        return [
            RuleDelegation(delegator=ordinals[d.delegator_id], delegate=ordinals[d.delegate_id], percent=d.percent)
            for d in self.delegations
            if d.delegator_id != without
        ]


async def _wallet_data(session: AsyncSession, round_: Round) -> _WalletData:
    registrations = list(
        await session.scalars(select(Registration).where(Registration.round_id == round_.id).order_by(Registration.id))
    )
    delegations = list(
        await session.scalars(select(Delegation).where(Delegation.round_id == round_.id).order_by(Delegation.id))
    )
    spending: dict[int, dict[int, int]] = {}
    for line in await session.scalars(
        select(WalletSpending).where(WalletSpending.round_id == round_.id).order_by(WalletSpending.id)
    ):
        spending.setdefault(line.user_id, {})[line.project_id] = line.amount_cents
    participants = Participants.of(registrations)
    colleges = None
    if round_.colleges:
        names = {college.id: college.name for college in round_.colleges}
        colleges = Colleges(
            weights=_college_weights(round_),
            members={
                participants.ordinals[r.user_id]: names[r.college_id] for r in registrations if r.college_id is not None
            },
        )
    return _WalletData(participants=participants, delegations=delegations, spending=spending, colleges=colleges)


def _powers(round_: Round, data: _WalletData, delegations: Sequence[RuleDelegation]) -> dict[str, int]:
    """Each participant's spending power after ``delegations``; a cycle is refused, named by people's names."""
    people = list(data.participants.ordinals.values())
    try:
        return resolve_delegations(people, delegations, share_pool(people, _pool(round_), data.colleges))
    except DelegationCycle as cycle:
        names = " → ".join(data.participants.names[p] for p in cycle.people)
        raise InvalidInput(f"Délégation refusée : elle formerait un cycle ({names}).") from None


async def wallet_of(session: AsyncSession, *, round_id: int, actor: User) -> Wallet:
    round_ = await get_round(session, round_id, viewer=actor)
    _require_wallets(round_)
    data = await _wallet_data(session, round_)
    me = data.participants.ordinals.get(actor.id)
    if me is None:
        return Wallet(registered=False, participant_count=len(data.participants.ordinals))
    people = list(data.participants.ordinals.values())
    wallets = share_pool(people, _pool(round_), data.colleges)
    power = _powers(round_, data, data.rule_delegations())
    # What I hold before passing my share on: the powers with my own delegation left out.
    held = _powers(round_, data, data.rule_delegations(without=actor.id))[me]
    return Wallet(
        registered=True,
        participant_count=len(people),
        college=data.colleges.members.get(me) if data.colleges else None,
        wallet_cents=wallets[me],
        delegated_cents=held - power[me],
        received_cents=held - wallets[me],
        power_cents=power[me],
        spending=data.spending.get(actor.id, {}),
        delegation=next((d for d in data.delegations if d.delegator_id == actor.id), None),
        received_from=[d for d in data.delegations if d.delegate_id == actor.id],
    )


async def participants_of(session: AsyncSession, *, round_id: int, viewer: User | None) -> list[User]:
    """The people registered in a wallet round, in registration order (to choose a delegate)."""
    round_ = await get_round(session, round_id, viewer=viewer)
    registrations = await session.scalars(
        select(Registration).where(Registration.round_id == round_.id).order_by(Registration.id)
    )
    return [r.user for r in registrations]


def _require_wallets(round_: Round) -> None:
    if round_.rule != RoundRule.WALLETS:
        raise Conflict("Ce co-budget n'a pas de portefeuilles : voyez ses règles.")


async def _locked_wallet_round(session: AsyncSession, round_id: int, actor: User) -> Round:
    """The wallet round, its row locked: wallet changes of one round happen one after the other,
    so a delegation and a spending can never together leave someone spending more than they have."""
    await get_round(session, round_id, viewer=actor)
    round_ = await session.scalar(
        select(Round).where(Round.id == round_id).with_for_update(of=Round).execution_options(populate_existing=True)
    )
    assert round_ is not None
    _require_wallets(round_)
    return round_


async def register(session: AsyncSession, *, actor: User, round_id: int) -> Wallet:
    """Join a wallet round before it opens (one registration per person, a second is a no-op), if the
    round's eligibility check admits the person (a verified address, and a census or code if asked)."""
    round_ = await _locked_wallet_round(session, round_id, actor)
    if round_.status != RoundStatus.SCHEDULED or utcnow() >= round_.opens_at:
        raise Conflict("Les inscriptions sont closes : la liste des participants est figée depuis l'ouverture.")
    await require_eligible(session, round_, actor)
    # Refuses a person no college welcomes, as a ballot would; the college is kept with the registration.
    college = await college_of(session, round_, actor)
    dialect = session.get_bind().dialect.name
    insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(
        insert_(Registration)
        .values(round_id=round_id, user_id=actor.id, college_id=college.id if college else None, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["round_id", "user_id"])
    )
    await session.commit()
    return await wallet_of(session, round_id=round_id, actor=actor)


async def unregister(session: AsyncSession, *, actor: User, round_id: int) -> None:
    """Leave a wallet round before it opens; delegations from or to the person go with them."""
    round_ = await _locked_wallet_round(session, round_id, actor)
    if round_.status != RoundStatus.SCHEDULED or utcnow() >= round_.opens_at:
        raise Conflict("La liste des participants est figée depuis l'ouverture : on ne peut plus se désinscrire.")
    await session.execute(
        delete(Delegation).where(
            Delegation.round_id == round_id,
            or_(Delegation.delegator_id == actor.id, Delegation.delegate_id == actor.id),
        )
    )
    await session.execute(
        delete(Registration).where(Registration.round_id == round_id, Registration.user_id == actor.id)
    )
    await session.commit()


def _participant(data: _WalletData, actor: User) -> str:
    ordinal = data.participants.ordinals.get(actor.id)
    if ordinal is None:
        raise Forbidden("Seules les personnes inscrites avant l'ouverture ont un portefeuille dans ce co-budget.")
    return ordinal


async def save_spending(session: AsyncSession, *, actor: User, round_id: int, data: SpendingIn) -> Wallet:
    """Replace the actor's spread of their wallet, within their spending power, until the close."""
    require_verified(actor)
    round_ = await _locked_wallet_round(session, round_id, actor)
    _check_open_for_votes(round_, "les répartitions")
    state = await _wallet_data(session, round_)
    me = _participant(state, actor)
    candidates = {c.project_id for c in round_.candidates}
    lines = {line.project_id: line.amount_cents for line in data.lines if line.amount_cents > 0}
    if len({line.project_id for line in data.lines}) != len(data.lines):
        raise InvalidInput("Un projet figure deux fois dans votre répartition.")
    unknown = [p for p in lines if p not in candidates]
    if unknown:
        raise InvalidInput(f"Le projet {unknown[0]} n'est pas candidat à ce co-budget.")
    cap = round_.project_cap_cents
    over = [p for p, cents in lines.items() if cap is not None and cents > cap]
    if cap is not None and over:
        raise InvalidInput(f"On peut mettre au plus {CENTS(cap)} sur un projet.")
    power = _powers(round_, state, state.rule_delegations())[me]
    if sum(lines.values()) > power:
        raise InvalidInput(
            f"Vous répartissez {CENTS(sum(lines.values()))}, mais votre portefeuille ne contient que {CENTS(power)}."
        )
    await session.execute(
        delete(WalletSpending).where(WalletSpending.round_id == round_id, WalletSpending.user_id == actor.id)
    )
    now = utcnow()
    session.add_all(
        WalletSpending(round_id=round_id, user_id=actor.id, project_id=p, amount_cents=c, updated_at=now)
        for p, c in sorted(lines.items())
    )
    if lines and round_.frozen_at is None:
        round_.frozen_at = now  # the first spending freezes the rules
    await commit_or_conflict(session, "Votre répartition a changé en même temps ailleurs : réessayez.")
    return await wallet_of(session, round_id=round_id, actor=actor)


def _check_nobody_overspends(round_: Round, state: _WalletData, delegations: Sequence[RuleDelegation]) -> None:
    """A delegation change must leave everyone's spread within their new spending power."""
    power = _powers(round_, state, delegations)
    for user_id, lines in state.spending.items():
        ordinal = state.participants.ordinals[user_id]
        if sum(lines.values()) > power[ordinal]:
            raise InvalidInput(
                f"Délégation refusée : {state.participants.names[ordinal]} a déjà réparti "
                f"{CENTS(sum(lines.values()))} et n'aurait plus que {CENTS(power[ordinal])}. "
                "Cette répartition doit d'abord être réduite."
            )


def _check_open_for_delegation(round_: Round) -> None:
    if not round_.delegation_allowed:
        raise InvalidInput("Ce co-budget n'autorise pas la délégation.")
    if round_.status != RoundStatus.SCHEDULED or utcnow() >= round_.closes_at:
        raise Conflict("Ce co-budget est clos : les délégations ne changent plus.")


async def delegate(session: AsyncSession, *, actor: User, round_id: int, data: DelegationIn) -> Wallet:
    """Hand a percentage of one's wallet to another participant (replacing one's previous delegation)."""
    require_verified(actor)
    round_ = await _locked_wallet_round(session, round_id, actor)
    _check_open_for_delegation(round_)
    state = await _wallet_data(session, round_)
    me = _participant(state, actor)
    target = state.participants.ordinals.get(data.delegate_id)
    if target is None:
        raise InvalidInput("La personne choisie ne participe pas à ce co-budget.")
    delegations = [
        *state.rule_delegations(without=actor.id),
        RuleDelegation(delegator=me, delegate=target, percent=data.percent),
    ]
    _check_nobody_overspends(round_, state, delegations)
    await session.execute(
        delete(Delegation).where(Delegation.round_id == round_id, Delegation.delegator_id == actor.id)
    )
    session.add(
        Delegation(round_id=round_id, delegator_id=actor.id, delegate_id=data.delegate_id, percent=data.percent)
    )
    await commit_or_conflict(session, "Votre délégation a changé en même temps ailleurs : réessayez.")
    return await wallet_of(session, round_id=round_id, actor=actor)


async def withdraw_delegation(session: AsyncSession, *, actor: User, round_id: int) -> Wallet:
    """Take back one's delegation, unless the delegate already spread what it gave them."""
    round_ = await _locked_wallet_round(session, round_id, actor)
    _check_open_for_delegation(round_)
    state = await _wallet_data(session, round_)
    _participant(state, actor)
    _check_nobody_overspends(round_, state, state.rule_delegations(without=actor.id))
    await session.execute(
        delete(Delegation).where(Delegation.round_id == round_id, Delegation.delegator_id == actor.id)
    )
    await session.commit()
    return await wallet_of(session, round_id=round_id, actor=actor)


async def wallet_inputs(session: AsyncSession, round_: Round) -> WalletInputs:
    """A wallet round's anonymized inputs: each candidate's minimum (its cost) and maximum (the sum of
    its money needs' maximums, at least its cost), the participants as ordinals, spending, delegations,
    and with colleges each participant's college (placed at registration) and the weights."""
    state = await _wallet_data(session, round_)
    ordinals = state.participants.ordinals
    projects = {}
    for c in round_.candidates:
        maximum = sum(n.max_amount for n in c.project.needs if n.kind == ResourceKind.MONEY)
        projects[str(c.project_id)] = (c.cost_cents, max(c.cost_cents, maximum))
    return WalletInputs(
        projects=projects,
        participants=list(ordinals.values()),
        spending={
            ordinals[user]: {str(p): cents for p, cents in sorted(lines.items())}
            for user, lines in sorted(state.spending.items(), key=lambda item: ordinals[item[0]])
        },
        delegations=[(d.delegator, d.delegate, d.percent) for d in state.rule_delegations()],
        pool_cents=_pool(round_),
        project_cap_cents=round_.project_cap_cents,
        leftover="respread" if round_.leftover == "respread" else "pool",
        colleges=dict(state.colleges.members) if state.colleges else {},
        college_weights=_college_weights(round_),
    )


# --- The result at the close ---------------------------------------------------------------------


async def result_inputs(session: AsyncSession, round_: Round) -> RoundInputs | MatchingInputs | WalletInputs:
    """The canonical inputs of a round's result, whatever its rule (what its fingerprint is computed from)."""
    if round_.rule.is_matching:
        return await matching_inputs(session, round_)
    if round_.rule == RoundRule.WALLETS:
        return await wallet_inputs(session, round_)
    return await round_inputs(session, round_)


def _line(round_: Round, candidate: Candidate, outcome: Outcome, **extra: Any) -> dict[str, Any]:
    key = str(candidate.project_id)
    allocated = outcome.amounts.get(key, 0)
    return {
        "project_id": candidate.project_id,
        "title": candidate.project.title,
        "cost_cents": candidate.cost_cents,
        "votes": outcome.supporters.get(key, 0),
        "seed_cents": round_.seed_cents,
        "allocated_cents": allocated,
        "total_cents": allocated + round_.seed_cents,
        "selected": key in outcome.selected,
        "rank": None,
        "explanation": outcome.explanations.get(key, ""),
    } | extra


async def _approval_result(round_: Round, inputs: RoundInputs) -> RoundResult:
    """An approval round's result, computed in a thread so the event loop keeps serving (equal shares
    with a completion may take minutes on a large round), its progress reported to the board meanwhile."""
    reporter = Reporter(round_.id, show_share=not inputs.college_weights)
    try:
        allocation = await asyncio.to_thread(allocate, inputs, reporter)
    finally:
        # Done or failed, it is no longer in flight; cleared just before the consumer commits the result.
        await asyncio.to_thread(reporter.close)
    votes = {str(c.project_id): 0 for c in round_.candidates}
    for approved, _ in inputs.ballots:
        for project in approved:
            votes[project] += 1
    outcome = Outcome(
        amounts=allocation.amounts,
        selected=frozenset(allocation.selected),
        supporters=votes,
        explanations=allocation.explanations,
    )
    lines = [
        _line(
            round_,
            c,
            outcome,
            rank=allocation.selected.index(str(c.project_id)) + 1 if str(c.project_id) in outcome.selected else None,
        )
        for c in round_.candidates
    ]
    return RoundResult(
        fingerprint=inputs.fingerprint(),
        voter_count=len(inputs.ballots),
        total_cents=allocation.total_cost + round_.seed_cents * len(round_.candidates),
        lines=lines,
    )


def _matching_result(round_: Round, inputs: MatchingInputs) -> RoundResult:
    outcome = match(inputs)
    given = {project: sum(people.values()) for project, people in inputs.contributions().items()}
    people = len({person for _, person, _ in inputs.gifts})
    explanation = (
        f"{people} personne(s) ont donné {CENTS(sum(given.values()))} pendant le co-budget ; "
        f"l'enveloppe de {CENTS(inputs.pool_cents)} les abonde de {CENTS(outcome.total)}."
    )
    envelopes = inputs.envelopes()
    if envelopes:
        explanation += (
            f" Elle est partagée entre les collèges des donateurs selon leur poids ({_college_parts(envelopes)}) ; "
            "chaque collège abonde les dons de ses membres."
        )
    return RoundResult(
        fingerprint=inputs.fingerprint(),
        voter_count=people,
        total_cents=outcome.total + round_.seed_cents * len(round_.candidates),
        lines=[_line(round_, c, outcome, contributed_cents=given[str(c.project_id)]) for c in round_.candidates],
        explanation=explanation,
    )


def _wallet_result(round_: Round, inputs: WalletInputs) -> RoundResult:
    full, outcome = allocate_from_wallets(inputs)
    count, envelopes = len(inputs.participants), inputs.envelopes()
    if envelopes:
        shares = (
            f"{count} participant(s) : l'enveloppe de {CENTS(inputs.pool_cents)} est partagée entre leurs collèges "
            f"selon leur poids ({_college_parts(envelopes)}), puis à parts égales dans chaque collège."
        )
    else:
        shares = f"{count} participant(s) ont chacun reçu une part égale de {CENTS(inputs.pool_cents)}."
    return RoundResult(
        fingerprint=inputs.fingerprint(),
        voter_count=count,
        total_cents=outcome.total + round_.seed_cents * len(round_.candidates),
        lines=[
            _line(round_, c, outcome, minimum_cents=inputs.projects[str(c.project_id)][0]) for c in round_.candidates
        ],
        explanation=(
            f"{shares} {CENTS(full.returned)} retournent à l'enveloppe (projets sous leur minimum) ; "
            f"{CENTS(full.unspent)} n'ont été placés sur aucun projet."
        ),
    )


def _college_parts(envelopes: Mapping[str, int]) -> str:
    """Each college's part of the pool, in words: "Associations : 300 €, Habitants : 600 €"."""
    return ", ".join(f"{name} : {CENTS(cents)}" for name, cents in sorted(envelopes.items()))


async def computing_progress(round_: Round) -> RoundProgress | None:
    """How far the computation of a closed round's result went; None once published, or while nothing was
    reported (a rule computed at once, or not started)."""
    if round_.status != RoundStatus.CLOSED:
        return None
    # The Redis board's client blocks: keep it off the event loop.
    return await asyncio.to_thread(current_board().read, round_.id)


class StaleResult(Exception):
    """A result computed from inputs that changed before it could be stored: it is computed again."""


async def compute_result(session: AsyncSession, event: OutboxEvent) -> None:
    """The allocation consumer: compute and store a closed round's result (once), by its rule.

    No lock is held while the rule runs (equal shares may take minutes): the inputs are read and that
    transaction ends; the result is stored in a short transaction that checks the round is still closed
    and unpublished and its inputs unchanged. Inputs that changed meanwhile raise ``StaleResult``, so the
    actor's retry computes again from the new ones.
    """
    round_id = event.payload["round_id"]
    round_ = await session.scalar(select(Round).where(Round.id == round_id))
    if round_ is None or round_.status != RoundStatus.CLOSED:
        return
    inputs = await result_inputs(session, round_)
    # Only reads so far (the event's processing is recorded with the result, below): ending this
    # transaction releases what it holds (on SQLite, the write lock) for the computation's duration.
    await session.commit()
    if isinstance(inputs, MatchingInputs):
        result = _matching_result(round_, inputs)
    elif isinstance(inputs, WalletInputs):
        result = _wallet_result(round_, inputs)
    else:
        result = await _approval_result(round_, inputs)
    round_ = await session.scalar(
        select(Round).where(Round.id == round_id).with_for_update(of=Round).execution_options(populate_existing=True)
    )
    if round_ is None or round_.status != RoundStatus.CLOSED:
        # Published by another delivery meanwhile, or gone: that outcome stands.
        return
    if (await result_inputs(session, round_)).fingerprint() != result.fingerprint:
        raise StaleResult(f"the inputs of round {round_id} changed while its result was computed")
    result.round_id = round_.id
    result.rule = round_.rule.value
    result.rule_version = RULE_VERSION
    payout = await pay_out(
        session, challenge_id=round_.challenge_id, round_id=round_.id, grants=_result_grants(round_, result.lines)
    )
    result.lines = [_with_payment(line, payout) for line in result.lines]
    session.add(result)
    round_.status = RoundStatus.PUBLISHED
    # Published without an event of its own: its pages are purged here.
    purge_after_commit(session, {f"/rounds/{round_id}/result", f"/challenges/{round_.challenge_id}"})


# How each kind of rule's grants are paid out of the pool: approval winners and wallet-funded projects
# get their amount in full or not at all (a part would leave them short of their cost or minimum);
# a match may be paid in part.
_PAYOUT_PURPOSE = {"approval": "allocation", "matching": "match", "wallets": "wallet"}


def _result_grants(round_: Round, lines: Sequence[Mapping[str, Any]]) -> list[Grant]:
    """What a result asks from the call's pool, in priority order: approval winners in the order the
    rule funded them (so a winner the funders cannot cover does not block the next ones), the other
    rules in the candidates' order."""
    family = "approval" if round_.rule.is_approval else "matching" if round_.rule.is_matching else "wallets"
    asked = [line for line in lines if line["selected"] and line["allocated_cents"] > 0]
    if family == "approval":
        asked.sort(key=lambda line: line["rank"])
    return [
        Grant(
            project_id=line["project_id"],
            cents=line["allocated_cents"],
            divisible=family == "matching",
            purpose=_PAYOUT_PURPOSE[family],
        )
        for line in asked
    ]


def _with_payment(line: Mapping[str, Any], payout: Payout) -> dict[str, Any]:
    """A result line with what the funders actually paid it, and why it is less than allocated."""
    notes = (grant.reason for grant in payout.grants if grant.project_id == line["project_id"] and grant.reason)
    return {**line, "paid_cents": payout.paid_to(line["project_id"]), "payment_note": " ".join(notes)}


async def get_result(session: AsyncSession, *, round_id: int, viewer: User | None) -> RoundResult:
    round_ = await get_round(session, round_id, viewer=viewer)
    result = await session.scalar(select(RoundResult).where(RoundResult.round_id == round_.id))
    if result is None:
        raise NotFound("Le résultat de ce co-budget n'est pas encore publié.")
    return result


async def export_round(session: AsyncSession, *, round_id: int, viewer: User | None) -> str:
    """The published round as a pabulib `.pb` file, so anyone can recompute its result with other tools.

    Ballots are anonymized (sorted by content, numbered from 1; the voter's college is kept since
    it sets their weight, but colleges of fewer than 5 voters are merged: ``exported_colleges``);
    amounts are written in euro cents, as Commons computes them.
    """
    round_ = await get_round(session, round_id, viewer=viewer)
    if not round_.rule.is_approval:
        raise Conflict("Le format pabulib décrit des votes par bulletin : ce co-budget n'en a pas.")
    result = await session.scalar(select(RoundResult).where(RoundResult.round_id == round_.id))
    if result is None:
        raise Conflict("Les bulletins restent secrets jusqu'à la publication du résultat.")
    inputs = await round_inputs(session, round_)
    selected = {str(line["project_id"]) for line in result.lines if line["selected"]}
    titles = {str(c.project_id): c.project.title for c in round_.candidates}
    meta = {
        "description": round_.title,
        "country": "France",
        "unit": f"appel {round_.challenge_id}",
        "instance": f"co-budget {round_.id}",
        "currency": "EUR",
        "amounts": "cents",
        "rule": f"{inputs.rule}/{inputs.satisfaction}/{inputs.completion}",
        "rule_version": RULE_VERSION,
        "fingerprint": result.fingerprint,
        "seed_per_project": str(round_.seed_cents),
        "date_begin": round_.opens_at.date().isoformat(),
        "date_end": round_.closes_at.date().isoformat(),
        "min_length": str(round_.min_choices),
    }
    if round_.max_choices is not None:
        meta["max_length"] = str(round_.max_choices)
    if round_.max_ballot_cents is not None:
        meta["max_sum_cost"] = str(round_.max_ballot_cents)
    # A college of fewer than MIN_COLLEGE_VOTERS would point at its voters' ballots: see anonymity.
    colleges = exported_colleges([college for _, college in inputs.ballots], inputs.college_weights)
    if colleges.weights:
        meta["college_weights"] = ",".join(f"{name}:{w}" for name, w in sorted(colleges.weights.items()))
        meta["college_min_voters"] = str(MIN_COLLEGE_VOTERS)
    ballots = sorted(
        (sorted(approved, key=int), college or "")
        for (approved, _), college in zip(inputs.ballots, colleges.of_ballots, strict=True)
    )
    instance = PabulibInstance(
        meta=meta,
        projects=[
            PabulibProject(
                id=project,
                cost=cost,
                fields={"name": titles[project], "selected": "1" if project in selected else "0"},
            )
            for project, cost in sorted(inputs.costs.items(), key=lambda item: int(item[0]))
        ],
        voters=[
            PabulibVoter(id=str(number), vote=tuple(approved), fields={"college": college} if college else {})
            for number, (approved, college) in enumerate(ballots, start=1)
        ],
        budget=inputs.budget_cents - inputs.seed_cents * len(inputs.costs),
    )
    return dumps(instance)


def _pabulib_date(text: str | None, default: datetime) -> datetime:
    """pabulib dates are written ``31.03.2024``; anything else falls back to ``default``."""
    try:
        return datetime.strptime(text or "", "%d.%m.%Y").replace(tzinfo=UTC)
    except ValueError:
        return default


# Bounds of an imported vote, far above the largest pabulib instances (Warsaw, Łódź: a few hundred
# projects, some 100,000 voters, budgets of tens of millions) and far below what the BIGINT columns
# and the allocation rules can hold: beyond them a file is an attack or a mistake.
MAX_IMPORTED_UNITS = 10**10
MAX_IMPORTED_PROJECTS = 5_000
MAX_IMPORTED_VOTERS = 1_000_000


def _check_import_bounds(instance: PabulibInstance) -> None:
    if len(instance.projects) > MAX_IMPORTED_PROJECTS:
        raise InvalidInput(f"Fichier pabulib trop grand : plus de {MAX_IMPORTED_PROJECTS} projets.")
    if len(instance.voters) > MAX_IMPORTED_VOTERS:
        raise InvalidInput(f"Fichier pabulib trop grand : plus de {MAX_IMPORTED_VOTERS} votants.")
    if instance.budget > MAX_IMPORTED_UNITS:
        raise InvalidInput(f"Budget trop grand : {instance.budget} (au plus {MAX_IMPORTED_UNITS}).")
    for entry in instance.projects:
        if entry.cost > MAX_IMPORTED_UNITS:
            raise InvalidInput(f"Coût trop grand pour le projet {entry.id} : au plus {MAX_IMPORTED_UNITS}.")


async def import_round(session: AsyncSession, *, actor: User, challenge_id: int, data: RoundImport) -> Round:
    """Bring a vote held elsewhere into a call: its projects, a closed round and its anonymized ballots.

    All in one transaction (nothing is left half-imported); the round is closed at once, so the
    worker computes its result by the declared rule like any other round. Amounts in the file are
    currency units, read as euros.
    """
    challenge = await _administered_challenge(session, actor, challenge_id)
    if challenge.status == ChallengeStatus.CLOSED:
        raise Conflict("L'appel est clos : on ne peut plus y importer de co-budget.")
    if not data.rule.is_approval:
        raise InvalidInput(
            "Un fichier pabulib apporte des bulletins : choisissez la règle gloutonne ou les parts égales."
        )
    try:
        instance = loads(data.pb)
    except PabulibError as error:
        raise InvalidInput(f"Fichier pabulib invalide : {error}") from None
    if not instance.projects:
        raise InvalidInput("Le fichier ne contient aucun projet.")
    _check_import_bounds(instance)
    source = instance.meta.get("description", "un fichier pabulib")
    projects = {
        entry.id: Project(
            challenge_id=challenge_id,
            author_id=actor.id,
            title=(entry.fields.get("name") or f"Projet {entry.id}")[:200],
            summary=entry.fields.get("description") or f"Projet {entry.id} importé de « {source} ».",
            needs=[
                Need(kind=ResourceKind.MONEY, label="Coût", min_amount=entry.cost * 100, max_amount=entry.cost * 100)
            ],
            memberships=[Membership(user_id=actor.id, role=MembershipRole.LEAD, forms=["support"], resources=[])],
        )
        for entry in instance.projects
    }
    session.add_all(projects.values())
    now = utcnow()
    round_ = Round(
        challenge_id=challenge_id,
        title=(data.title.strip() or source)[:200],
        rule=data.rule,
        satisfaction=data.satisfaction,
        completion=data.completion,
        budget_cents=instance.budget * 100,
        opens_at=_pabulib_date(instance.meta.get("date_begin"), now),
        closes_at=_pabulib_date(instance.meta.get("date_end"), now),
        frozen_at=now,
        candidates=[Candidate(project=projects[e.id], cost_cents=e.cost * 100) for e in instance.projects],
    )
    session.add(round_)
    await session.flush()
    if instance.voters:
        await session.execute(
            insert(Ballot),
            [
                {
                    "round_id": round_.id,
                    "voter_id": None,
                    "approvals": sorted({projects[p].id for p in voter.vote}),
                    "updated_at": now,
                }
                for voter in instance.voters
            ],
        )
    record_event(session, EventType.ROUND_IMPORTED, round_id=round_.id, challenge_id=challenge_id)
    _close(session, round_)
    await session.commit()
    return await get_round(session, round_.id, viewer=actor)
