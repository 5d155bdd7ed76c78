"""Use cases of co-budgeting rounds: declare, vote, close, compute, publish.

A round's rules are public before anyone votes and frozen by the first ballot. Ballots are
secret until the close; the result is stored with its fingerprint and rule version, and
computing it again has no second effect.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.accounts.services import administered_organizations, is_organization_admin
from commons.budgeting.compute import RULE_VERSION, RoundInputs, allocate
from commons.budgeting.models import Ballot, Candidate, College, Round, RoundResult, RoundStatus
from commons.budgeting.pabulib import PabulibError, PabulibInstance, PabulibProject, PabulibVoter, dumps, loads
from commons.budgeting.schemas import BallotIn, RoundCreate, RoundImport, RoundUpdate
from commons.challenges.models import Challenge, ChallengeStatus
from commons.challenges.services import get_challenge
from commons.db import as_utc, utcnow
from commons.errors import Conflict, Forbidden, InvalidInput, NotFound
from commons.events.models import OutboxEvent
from commons.events.outbox import EventType, record_event
from commons.projects.models import Membership, MembershipRole, Need, Project, ResourceKind

STAKEHOLDER_KINDS = frozenset(
    {"collectivite", "association", "entreprise", "habitant", "universite", "fondation", "media"}
)


async def _administered_challenge(session: AsyncSession, actor: User, challenge_id: int) -> Challenge:
    challenge = await get_challenge(session, challenge_id, viewer=actor)
    if not await is_organization_admin(session, actor, challenge.organization_id):
        raise Forbidden("Seuls les administrateurs de l'organisation qui porte l'appel gèrent ses co-budgets.")
    return challenge


def _check_limits(round_: Round) -> None:
    if round_.closes_at <= round_.opens_at:
        raise InvalidInput("La clôture du co-budget doit suivre son ouverture.")
    if round_.max_choices is not None and round_.max_choices < round_.min_choices:
        raise InvalidInput("Le nombre maximal de choix est inférieur au nombre minimal.")
    if round_.seed_cents * len(round_.candidates) > round_.budget_cents:
        raise InvalidInput("L'amorçage des projets présélectionnés dépasse le budget du co-budget.")


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
    for college in data.colleges:
        unknown = set(college.kinds) - STAKEHOLDER_KINDS
        if unknown:
            raise InvalidInput(f"Collège « {college.name} » : famille inconnue « {sorted(unknown)[0]} ».")
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
        candidates=candidates,
        colleges=[College(name=c.name.strip(), weight=c.weight, kinds=sorted(set(c.kinds))) for c in data.colleges],
    )
    _check_limits(round_)
    session.add(round_)
    await session.commit()
    return await get_round(session, round_.id, viewer=actor)


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
    if round_.frozen_at is not None or round_.status != RoundStatus.SCHEDULED:
        raise Conflict(
            "Les règles de ce co-budget sont figées depuis le premier bulletin : règle, limites et budget "
            "ne peuvent plus changer."
        )
    for field, value in msgspec.structs.asdict(data).items():
        if value is msgspec.UNSET:
            continue
        setattr(round_, field, as_utc(value) if isinstance(value, datetime) else value)
    _check_limits(round_)
    await session.commit()
    return round_


async def ballot_count(session: AsyncSession, round_id: int) -> int:
    return int(await session.scalar(select(func.count(Ballot.id)).where(Ballot.round_id == round_id)) or 0)


async def college_of(session: AsyncSession, round_: Round, user: User) -> College | None:
    """The voter's college: the first listing a kind of an organization they administer, else ``habitant``."""
    if not round_.colleges:
        return None
    kinds = {o.kind.value for o in await administered_organizations(session, user)} or {"habitant"}
    for college in round_.colleges:
        if kinds & set(college.kinds):
            return college
    for college in round_.colleges:
        if "habitant" in college.kinds:
            return college
    raise Forbidden("Aucun collège de ce co-budget ne vous accueille.")


def _check_open_for_votes(round_: Round) -> None:
    now = utcnow()
    if round_.status != RoundStatus.SCHEDULED or now >= round_.closes_at:
        raise Conflict("Ce co-budget est clos : les bulletins ne sont plus acceptés.")
    if now < round_.opens_at:
        raise Conflict("Ce co-budget n'est pas encore ouvert au vote.")


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
    """Cast or replace the actor's ballot: one per person and round, even under concurrent submissions.

    An atomic upsert on the unique (round, voter) pair, so two simultaneous submissions by the
    same person leave one ballot (the last written), never two and never an error.
    """
    round_ = await get_round(session, round_id, viewer=actor)
    _check_open_for_votes(round_)
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
        college_weights={c.name: c.weight for c in round_.colleges},
        budget_cents=round_.budget_cents,
        seed_cents=round_.seed_cents,
    )


async def compute_result(session: AsyncSession, event: OutboxEvent) -> None:
    """The allocation consumer: compute and store a closed round's result (once)."""
    round_ = await session.scalar(select(Round).where(Round.id == event.payload["round_id"]).with_for_update(of=Round))
    if round_ is None or round_.status != RoundStatus.CLOSED:
        return
    inputs = await round_inputs(session, round_)
    allocation = allocate(inputs)
    votes = {str(c.project_id): 0 for c in round_.candidates}
    for approved, _ in inputs.ballots:
        for project in approved:
            votes[project] += 1
    lines = []
    for candidate in round_.candidates:
        key = str(candidate.project_id)
        allocated = allocation.amounts.get(key, 0)
        lines.append(
            {
                "project_id": candidate.project_id,
                "title": candidate.project.title,
                "cost_cents": candidate.cost_cents,
                "votes": votes[key],
                "seed_cents": round_.seed_cents,
                "allocated_cents": allocated,
                "total_cents": allocated + round_.seed_cents,
                "selected": key in allocation.selected,
                "rank": allocation.selected.index(key) + 1 if key in allocation.selected else None,
                "explanation": allocation.explanations.get(key, ""),
            }
        )
    session.add(
        RoundResult(
            round_id=round_.id,
            rule=round_.rule.value,
            rule_version=RULE_VERSION,
            fingerprint=inputs.fingerprint(),
            voter_count=len(inputs.ballots),
            total_cents=allocation.total_cost + round_.seed_cents * len(round_.candidates),
            lines=lines,
        )
    )
    round_.status = RoundStatus.PUBLISHED


async def get_result(session: AsyncSession, *, round_id: int, viewer: User | None) -> RoundResult:
    round_ = await get_round(session, round_id, viewer=viewer)
    result = await session.scalar(select(RoundResult).where(RoundResult.round_id == round_.id))
    if result is None:
        raise NotFound("Le résultat de ce co-budget n'est pas encore publié.")
    return result


async def export_round(session: AsyncSession, *, round_id: int, viewer: User | None) -> str:
    """The published round as a pabulib `.pb` file, so anyone can recompute its result with other tools.

    Ballots are anonymized (sorted by content, numbered from 1; the voter's college is kept since
    it sets their weight); amounts are written in euro cents, as Commons computes them.
    """
    round_ = await get_round(session, round_id, viewer=viewer)
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
    if inputs.college_weights:
        meta["college_weights"] = ",".join(f"{name}:{w}" for name, w in sorted(inputs.college_weights.items()))
    ballots = sorted((sorted(approved, key=int), college or "") for approved, college in inputs.ballots)
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


async def import_round(session: AsyncSession, *, actor: User, challenge_id: int, data: RoundImport) -> Round:
    """Bring a vote held elsewhere into a call: its projects, a closed round and its anonymized ballots.

    All in one transaction (nothing is left half-imported); the round is closed at once, so the
    worker computes its result by the declared rule like any other round. Amounts in the file are
    currency units, read as euros.
    """
    challenge = await _administered_challenge(session, actor, challenge_id)
    if challenge.status == ChallengeStatus.CLOSED:
        raise Conflict("L'appel est clos : on ne peut plus y importer de co-budget.")
    try:
        instance = loads(data.pb)
    except PabulibError as error:
        raise InvalidInput(f"Fichier pabulib invalide : {error}") from None
    if not instance.projects:
        raise InvalidInput("Le fichier ne contient aucun projet.")
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
