"""Use cases of calls for commons: draft, edit, publish, close, follow, list.

Only the admins of a call's organization may change it; a draft is visible to them alone.
"""

from __future__ import annotations

import msgspec
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import Organization, OrganizationAdmin, OrganizationKind, User
from commons.accounts.services import administered_organizations, is_organization_admin
from commons.challenges.models import LICENCES, Challenge, ChallengeFollower, ChallengeStatus, Indicator
from commons.challenges.schemas import ChallengeCreate, ChallengeUpdate, IndicatorIn
from commons.db import as_utc, commit_or_conflict, utcnow
from commons.errors import Conflict, Forbidden, InvalidInput, NotFound
from commons.events.outbox import EventType, record_event
from commons.funders.authority import sync_authority_funder
from commons.territories.models import Territory

# Organizations that fund and post calls.
FUNDER_KINDS = frozenset({OrganizationKind.COLLECTIVITE, OrganizationKind.FONDATION})


def _required_text(value: str, label: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(f"Le champ « {label} » est obligatoire.")
    return value


def _check_licence(licence: str) -> str:
    if licence not in LICENCES:
        raise InvalidInput(f"Licence inconnue « {licence} ». Licences possibles : {', '.join(LICENCES)}.")
    return licence


def _indicators(items: list[IndicatorIn]) -> list[Indicator]:
    return [
        Indicator(name=_required_text(item.name, "indicateur"), unit=item.unit.strip(), position=i)
        for i, item in enumerate(items)
    ]


async def _check_territory(session: AsyncSession, territory_id: int | None) -> None:
    if territory_id is not None and await session.get(Territory, territory_id) is None:
        raise InvalidInput(f"Territoire {territory_id} inconnu.")


async def _posting_organization(session: AsyncSession, actor: User, organization_id: int | None) -> int:
    """The organization a call is posted for: the one named, or the actor's only funder organization."""
    funders = [o for o in await administered_organizations(session, actor) if o.kind in FUNDER_KINDS]
    if organization_id is None:
        if len(funders) == 1:
            return funders[0].id
        if not funders:
            raise Forbidden("Seuls les administrateurs d'une collectivité ou d'une fondation publient un appel.")
        raise InvalidInput("Vous administrez plusieurs organisations : précisez organization_id.")
    if not any(o.id == organization_id for o in funders):
        raise Forbidden("Vous n'administrez pas cette organisation (ou elle ne peut pas publier d'appel).")
    return organization_id


async def create_challenge(session: AsyncSession, *, actor: User, data: ChallengeCreate) -> Challenge:
    organization_id = await _posting_organization(session, actor, data.organization_id)
    await _check_territory(session, data.territory_id)
    challenge = Challenge(
        organization_id=organization_id,
        author_id=actor.id,
        title=_required_text(data.title, "titre"),
        problem=_required_text(data.problem, "défi"),
        licence=_check_licence(data.licence),
        cost_ceiling_cents=data.cost_ceiling_cents,
        externalities=data.externalities.strip(),
        commons_governance=data.commons_governance.strip(),
        themes=sorted({t.strip().lower() for t in data.themes if t.strip()}),
        territory_id=data.territory_id,
        pool_cents=data.pool_cents,
        deadline=as_utc(data.deadline) if data.deadline else None,
        indicators=_indicators(data.indicators),
    )
    session.add(challenge)
    await session.flush()
    # The author hears of the projects that answer the call.
    session.add(ChallengeFollower(challenge_id=challenge.id, user_id=actor.id))
    await sync_authority_funder(session, challenge)
    await session.commit()
    return await get_challenge(session, challenge.id, viewer=actor)


async def _editable(session: AsyncSession, actor: User, challenge_id: int) -> Challenge:
    challenge = await session.get(Challenge, challenge_id)
    if challenge is None:
        raise NotFound(f"Appel {challenge_id} introuvable.")
    # A 403 even on a draft: scripts rely on "403 for anyone but its authority".
    if not await is_organization_admin(session, actor, challenge.organization_id):
        raise Forbidden("Seuls les administrateurs de l'organisation qui porte cet appel peuvent le modifier.")
    return challenge


async def update_challenge(
    session: AsyncSession, *, actor: User, challenge_id: int, data: ChallengeUpdate
) -> Challenge:
    challenge = await _editable(session, actor, challenge_id)
    if challenge.status == ChallengeStatus.CLOSED:
        raise Conflict("Cet appel est clos : il ne peut plus être modifié.")
    changes = msgspec.structs.asdict(data)
    for field, value in changes.items():
        if value is msgspec.UNSET:
            continue
        if field == "indicators":
            challenge.indicators = _indicators(value)
        elif field == "licence":
            challenge.licence = _check_licence(value)
        elif field in ("title", "problem"):
            setattr(challenge, field, _required_text(value, "titre" if field == "title" else "défi"))
        elif field == "territory_id":
            await _check_territory(session, value)
            challenge.territory_id = value
        elif field == "themes":
            challenge.themes = sorted({t.strip().lower() for t in value if t.strip()})
        elif field == "deadline":
            challenge.deadline = as_utc(value) if value else None
        else:
            setattr(challenge, field, value.strip() if isinstance(value, str) else value)
    await sync_authority_funder(session, challenge)
    await session.commit()
    return await get_challenge(session, challenge.id, viewer=actor)


async def publish_challenge(session: AsyncSession, *, actor: User, challenge_id: int) -> Challenge:
    challenge = await _editable(session, actor, challenge_id)
    if challenge.status != ChallengeStatus.DRAFT:
        raise Conflict("Seul un brouillon peut être publié.")
    challenge.status = ChallengeStatus.OPEN
    challenge.published_at = utcnow()
    record_event(session, EventType.CHALLENGE_PUBLISHED, challenge_id=challenge.id)
    await session.commit()
    return challenge


async def close_challenge(session: AsyncSession, *, actor: User, challenge_id: int) -> Challenge:
    challenge = await _editable(session, actor, challenge_id)
    if challenge.status != ChallengeStatus.OPEN:
        raise Conflict("Seul un appel ouvert peut être clos.")
    challenge.status = ChallengeStatus.CLOSED
    challenge.closed_at = utcnow()
    record_event(session, EventType.CHALLENGE_CLOSED, challenge_id=challenge.id)
    await session.commit()
    return challenge


def _visible_to(query: Select[Challenge], viewer: User | None) -> Select[Challenge]:
    if viewer is None:
        return query.where(Challenge.status != ChallengeStatus.DRAFT)
    own = select(OrganizationAdmin.organization_id).where(OrganizationAdmin.user_id == viewer.id)
    return query.where((Challenge.status != ChallengeStatus.DRAFT) | Challenge.organization_id.in_(own))


async def get_challenge(session: AsyncSession, challenge_id: int, *, viewer: User | None) -> Challenge:
    challenge = await session.scalar(_visible_to(select(Challenge).where(Challenge.id == challenge_id), viewer))
    if challenge is None:
        raise NotFound(f"Appel {challenge_id} introuvable.")
    return challenge


async def list_challenges(
    session: AsyncSession,
    *,
    viewer: User | None,
    status: ChallengeStatus | None = None,
    territory_id: int | None = None,
    theme: str | None = None,
    text: str | None = None,
) -> list[Challenge]:
    query = _visible_to(select(Challenge), viewer)
    if status is not None:
        query = query.where(Challenge.status == status)
    if territory_id is not None:
        query = query.where(Challenge.territory_id == territory_id)
    if text:
        pattern = f"%{text.strip()}%"
        query = query.where(Challenge.title.ilike(pattern) | Challenge.problem.ilike(pattern))
    query = query.order_by(Challenge.published_at.desc().nulls_first(), Challenge.id.desc())
    challenges = list(await session.scalars(query))
    if theme:
        # Themes are a small JSON list: filtering here works the same on both databases.
        wanted = theme.strip().lower()
        challenges = [c for c in challenges if wanted in c.themes]
    return challenges


async def follow_challenge(session: AsyncSession, *, actor: User, challenge_id: int, follow: bool) -> None:
    await get_challenge(session, challenge_id, viewer=actor)
    existing = await session.scalar(
        select(ChallengeFollower).where(
            ChallengeFollower.challenge_id == challenge_id, ChallengeFollower.user_id == actor.id
        )
    )
    if follow and existing is None:
        session.add(ChallengeFollower(challenge_id=challenge_id, user_id=actor.id))
    elif not follow and existing is not None:
        await session.delete(existing)
    await commit_or_conflict(session, "Vous suivez déjà cet appel.")


async def is_following(session: AsyncSession, *, user: User | None, challenge_id: int) -> bool:
    if user is None:
        return False
    found = await session.scalar(
        select(ChallengeFollower.id).where(
            ChallengeFollower.challenge_id == challenge_id, ChallengeFollower.user_id == user.id
        )
    )
    return found is not None


async def can_administer(session: AsyncSession, *, user: User | None, challenge: Challenge) -> bool:
    return user is not None and await is_organization_admin(session, user, challenge.organization_id)


async def list_territories(session: AsyncSession) -> list[Territory]:
    return list(await session.scalars(select(Territory).order_by(Territory.name)))


async def list_funder_organizations(session: AsyncSession, user: User) -> list[Organization]:
    return [o for o in await administered_organizations(session, user) if o.kind in FUNDER_KINDS]
