"""Use cases of projects: launch, edit, join, and the views of their needs' progress."""

from __future__ import annotations

from datetime import datetime

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.challenges.models import Challenge, ChallengeStatus
from commons.challenges.services import get_challenge
from commons.db import as_utc, commit_or_conflict, utcnow
from commons.errors import Conflict, Forbidden, InvalidInput, NotFound
from commons.events.outbox import EventType, record_event
from commons.projects.models import Membership, MembershipRole, Need, Project, ResourceKind
from commons.projects.schemas import (
    MembershipCreate,
    MoneyNeedIn,
    NeedIn,
    NeedRead,
    ProjectCreate,
    ProjectUpdate,
    SkillNeedIn,
    TimeNeedIn,
)

_TEXT_FIELDS = (
    "team",
    "modes_of_action",
    "partnerships",
    "governance",
    "commons_rules",
    "citizen_involvement",
    "community_animation",
)


def _need(item: NeedIn, position: int) -> Need:
    label = item.label.strip()
    if not label:
        raise InvalidInput("Chaque besoin a un libellé.")
    match item:
        case MoneyNeedIn():
            kind, skill, low, high = ResourceKind.MONEY, "", item.min_cents, item.max_cents
        case TimeNeedIn():
            kind, skill, low, high = ResourceKind.TIME, item.skill.strip(), item.min_minutes, item.max_minutes
        case SkillNeedIn():
            kind, skill, low, high = ResourceKind.SKILL, item.skill.strip(), item.min_people, item.max_people
    high = low if high is None else high
    if low < 0:
        raise InvalidInput(f"Besoin « {label} » : le minimum ne peut pas être négatif.")
    if high < low:
        raise InvalidInput(f"Besoin « {label} » : le maximum est inférieur au minimum.")
    if high == 0:
        raise InvalidInput(f"Besoin « {label} » : indiquez un montant supérieur à zéro.")
    if kind == ResourceKind.SKILL and not skill:
        raise InvalidInput(f"Besoin « {label} » : précisez la compétence recherchée.")
    return Need(kind=kind, label=label, skill=skill, min_amount=low, max_amount=high, position=position)


def _future_deadline(moment: datetime | None) -> datetime | None:
    """A funding deadline in UTC, refused when already passed."""
    if moment is None:
        return None
    moment = as_utc(moment)
    if moment <= utcnow():
        raise InvalidInput("L'échéance de financement doit être dans le futur.")
    return moment


def _check_accepts_projects(challenge: Challenge) -> None:
    if challenge.status != ChallengeStatus.OPEN:
        raise Conflict("Cet appel n'est pas ouvert : on ne peut pas y lancer de projet.")


async def launch_project(
    session: AsyncSession, *, actor: User, challenge_id: int | None, data: ProjectCreate
) -> Project:
    """Launch a project answering an open call (or a standalone one); its author leads it."""
    if challenge_id is not None:
        _check_accepts_projects(await get_challenge(session, challenge_id, viewer=actor))
    title, summary = data.title.strip(), data.summary.strip()
    if not title or not summary:
        raise InvalidInput("Le titre et le résumé du projet sont obligatoires.")
    project = Project(
        challenge_id=challenge_id,
        author_id=actor.id,
        title=title,
        summary=summary,
        funding_deadline=_future_deadline(data.funding_deadline),
        stretch_goals=data.stretch_goals,
        **{field: getattr(data, field).strip() for field in _TEXT_FIELDS},
        needs=[_need(item, i) for i, item in enumerate(data.needs)],
        memberships=[Membership(user_id=actor.id, role=MembershipRole.LEAD, forms=["support"], resources=[])],
    )
    session.add(project)
    await session.flush()
    record_event(
        session,
        EventType.PROJECT_LAUNCHED,
        project_id=project.id,
        challenge_id=challenge_id,
        author_id=actor.id,
    )
    await session.commit()
    return await get_project(session, project.id, viewer=actor)


async def get_project(session: AsyncSession, project_id: int, *, viewer: User | None) -> Project:
    project = await session.get(Project, project_id, populate_existing=True)
    if project is None:
        raise NotFound(f"Projet {project_id} introuvable.")
    if project.challenge_id is not None:
        # A project on a draft call is as hidden as the call itself.
        await get_challenge(session, project.challenge_id, viewer=viewer)
    return project


def is_lead(project: Project, user: User | None) -> bool:
    return user is not None and any(m.user_id == user.id and m.role == MembershipRole.LEAD for m in project.memberships)


def is_member(project: Project, user: User | None) -> bool:
    return user is not None and any(m.user_id == user.id for m in project.memberships)


async def _led_project(session: AsyncSession, actor: User, project_id: int) -> Project:
    project = await get_project(session, project_id, viewer=actor)
    if not is_lead(project, actor):
        raise Forbidden("Seuls les porteurs du projet peuvent le modifier.")
    return project


async def update_project(session: AsyncSession, *, actor: User, project_id: int, data: ProjectUpdate) -> Project:
    project = await _led_project(session, actor, project_id)
    if project.challenge is not None and project.challenge.status == ChallengeStatus.CLOSED:
        raise Conflict("L'appel est clos : le projet ne peut plus être modifié.")
    for field, value in msgspec.structs.asdict(data).items():
        if value is msgspec.UNSET:
            continue
        if field == "funding_deadline":
            if project.settled_at is not None:
                raise Conflict("L'échéance de ce projet est passée et réglée : elle ne peut plus changer.")
            project.funding_deadline = _future_deadline(value)
        elif field == "stretch_goals":
            project.stretch_goals = value
        elif field == "approvals_required":
            project.approvals_required = value
        elif field == "needs":
            start = len(project.needs)
            project.needs.extend(_need(item, start + i) for i, item in enumerate(value))
        elif field in ("title", "summary"):
            if not value.strip():
                raise InvalidInput("Le titre et le résumé du projet sont obligatoires.")
            setattr(project, field, value.strip())
        else:
            setattr(project, field, value.strip())
    # Needs added or raised may change the funding status (a fully funded project reopens).
    record_event(session, EventType.PROJECT_UPDATED, project_id=project.id)
    await session.commit()
    return await get_project(session, project.id, viewer=actor)


async def join_project(session: AsyncSession, *, actor: User, project_id: int, data: MembershipCreate) -> Membership:
    project = await get_project(session, project_id, viewer=actor)
    if project.challenge is not None and project.challenge.status != ChallengeStatus.OPEN:
        raise Conflict("L'appel n'est pas ouvert : on ne peut pas rejoindre ce projet.")
    if is_member(project, actor):
        raise Conflict("Vous faites déjà partie de ce projet.")
    membership = Membership(
        project_id=project.id,
        user_id=actor.id,
        role=MembershipRole.MEMBER,
        forms=sorted({f.value for f in data.forms}),
        resources=sorted({r.value for r in data.resources}),
        offers=data.offers.strip(),
        expects=data.expects.strip(),
    )
    session.add(membership)
    await session.flush()
    record_event(session, EventType.MEMBER_JOINED, project_id=project.id, user_id=actor.id)
    await commit_or_conflict(session, "Vous faites déjà partie de ce projet.")
    return membership


async def list_projects(session: AsyncSession, *, challenge_id: int, viewer: User | None) -> list[Project]:
    await get_challenge(session, challenge_id, viewer=viewer)
    return list(
        await session.scalars(
            select(Project).where(Project.challenge_id == challenge_id).order_by(Project.created_at, Project.id)
        )
    )


async def projects_of(session: AsyncSession, user: User) -> list[Project]:
    """The projects a person leads or joined."""
    return list(
        await session.scalars(
            select(Project)
            .join(Membership, Membership.project_id == Project.id)
            .where(Membership.user_id == user.id)
            .order_by(Project.created_at.desc())
        )
    )


_UNIT_NAMES = {ResourceKind.MONEY: "cents", ResourceKind.TIME: "minutes", ResourceKind.SKILL: "people"}


def need_read(need: Need) -> NeedRead:
    """A need's progress with its amounts named after their unit, as the API promises."""
    unit = _UNIT_NAMES[need.kind]
    progress = min(100, need.pledged_amount * 100 // need.min_amount) if need.min_amount else 100
    return NeedRead(
        id=need.id,
        kind=need.kind.value,
        label=need.label,
        skill=need.skill,
        progress_percent=progress,
        percent_of_max=need.pledged_amount * 100 // need.max_amount,
        **{
            f"min_{unit}": need.min_amount,
            f"max_{unit}": need.max_amount,
            f"pledged_{unit}": need.pledged_amount,
        },
    )
