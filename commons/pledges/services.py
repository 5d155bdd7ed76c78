"""Use cases of pledges: pledge against a need, withdraw, and who pledged what."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import Organization, User
from commons.accounts.services import is_organization_admin
from commons.challenges.models import ChallengeStatus
from commons.db import utcnow
from commons.eligibility.rules import require_verified
from commons.errors import Conflict, Forbidden, InvalidInput, NotFound
from commons.events.outbox import EventType, record_event
from commons.formatting import format_amount
from commons.ledger.rules import EUR, MINUTES, AccountKind
from commons.ledger.services import open_account, record_transfer
from commons.pledges.currencies import LocalCurrency, check_currency
from commons.pledges.models import STANDING, Pledge, PledgeStatus
from commons.pledges.schemas import MoneyPledgeIn, PledgeIn, PledgeRead, SkillPledgeIn, TimePledgeIn
from commons.projects.funding import check_accepts_pledges
from commons.projects.models import Project, ResourceKind
from commons.projects.services import get_project, is_lead


def _check_open(project: Project) -> None:
    if project.challenge is not None and project.challenge.status != ChallengeStatus.OPEN:
        raise Conflict("L'appel n'est pas ouvert : les contributions sont fermées.")
    check_accepts_pledges(project.funding_status)
    if project.funding_deadline is not None and project.funding_deadline <= utcnow():
        raise Conflict("L'échéance de financement de ce projet est passée.")


async def _pledging_organization(
    session: AsyncSession, actor: User, organization_id: int | None
) -> Organization | None:
    """The organization a pledge is made for, refused (403) unless the actor administers it; None: own name."""
    if organization_id is None:
        return None
    if not await is_organization_admin(session, actor, organization_id):
        raise Forbidden(
            f"Vous n'administrez pas l'organisation n°{organization_id} : vous ne pouvez contribuer qu'en "
            "votre nom ou au nom d'une organisation que vous administrez."
        )
    return await session.get(Organization, organization_id)


async def make_pledge(
    session: AsyncSession,
    *,
    actor: User,
    project_id: int,
    data: PledgeIn,
    local_currencies: Sequence[LocalCurrency] = (),
) -> Pledge:
    """Pledge against one need of an open project, in the actor's name or an organization's they administer.

    Beyond the need's maximum, a pledge is refused with what is left, unless the project accepts
    stretch goals. Money is in euros or one of ``local_currencies`` (the settings' ones).
    """
    require_verified(actor)
    project = await get_project(session, project_id, viewer=actor)
    _check_open(project)
    need = next((n for n in project.needs if n.id == data.need_id), None)
    if need is None:
        raise InvalidInput(f"Le besoin {data.need_id} n'est pas un besoin du projet {project_id}.")
    currency = EUR
    match data:
        case MoneyPledgeIn():
            kind, amount, skill = ResourceKind.MONEY, data.amount_cents, ""
            currency = check_currency(data.currency, local_currencies)
        case TimePledgeIn():
            kind, amount, skill = ResourceKind.TIME, data.minutes, (data.skill.strip() or need.skill)
        case SkillPledgeIn():
            kind, amount, skill = ResourceKind.SKILL, 1, (data.skill or need.skill).strip()
    if amount <= 0:
        # The schemas already refuse it at the edges; use cases called from code are held to it too.
        raise InvalidInput("Le montant d'une contribution doit être positif.")
    if kind != need.kind:
        raise InvalidInput(
            f"Le besoin « {need.label} » attend une contribution de type {need.kind.value}, pas {kind.value}."
        )
    organization = await _pledging_organization(session, actor, data.on_behalf_of_id)
    # Under the project's row lock, so two pledges at once cannot both pass the maximum. The project
    # (not the need) is locked, first, as the read-model worker does: one lock order, no deadlock.
    await session.execute(select(Project.id).where(Project.id == project.id).with_for_update())
    standing = await session.scalar(
        select(func.coalesce(func.sum(Pledge.amount), 0)).where(Pledge.need_id == need.id, Pledge.status.in_(STANDING))
    )
    room = need.max_amount - int(standing or 0)
    if amount > room and not project.stretch_goals:
        left = format_amount(kind.value, max(room, 0))
        raise InvalidInput(
            f"Le besoin « {need.label} » est presque couvert : il reste {left} avant son maximum."
            if room > 0
            else f"Le besoin « {need.label} » a atteint son maximum : merci, il ne manque plus rien."
        )
    pledge = Pledge(
        project_id=project.id,
        need_id=need.id,
        contributor_id=actor.id,
        kind=kind,
        amount=amount,
        currency=currency,
        skill=skill,
        note=data.note.strip(),
        public_name=data.public_name,
        on_behalf_of=organization,
    )
    session.add(pledge)
    await session.flush()
    record_event(
        session,
        EventType.PLEDGE_MADE,
        pledge_id=pledge.id,
        project_id=project.id,
        need_id=need.id,
        contributor_id=actor.id,
        on_behalf_of_id=data.on_behalf_of_id,
        kind=kind.value,
        amount=amount,
        currency=currency,
    )
    await session.commit()
    return pledge


async def _lock_project_of(session: AsyncSession, pledge_id: int) -> Pledge:
    """The pledge, re-read under its project's row lock.

    Every change to the pledges a project counts takes that lock, as the read-model worker does
    while it sums them, so totals always come from one consistent state and two changes of the
    same pledge cannot both pass their checks.
    """
    project_id = await session.scalar(select(Pledge.project_id).where(Pledge.id == pledge_id))
    if project_id is None:
        raise NotFound(f"Contribution {pledge_id} introuvable.")
    await session.execute(select(Project.id).where(Project.id == project_id).with_for_update())
    pledge = await session.get(Pledge, pledge_id, populate_existing=True)
    assert pledge is not None
    return pledge


async def withdraw_pledge(session: AsyncSession, *, actor: User, pledge_id: int) -> Pledge:
    pledge = await _lock_project_of(session, pledge_id)
    if pledge.contributor_id != actor.id:
        raise Forbidden("Seule la personne qui a fait cette contribution peut la retirer.")
    if pledge.status == PledgeStatus.CONFIRMED:
        raise Conflict("Cette contribution est déjà confirmée : voyez avec les porteurs du projet.")
    if pledge.status != PledgeStatus.PROMISED:
        raise Conflict("Cette contribution est déjà retirée.")
    _check_open(await get_project(session, pledge.project_id, viewer=actor))
    pledge.status = PledgeStatus.WITHDRAWN
    pledge.withdrawn_at = utcnow()
    record_event(
        session,
        EventType.PLEDGE_WITHDRAWN,
        pledge_id=pledge.id,
        project_id=pledge.project_id,
        need_id=pledge.need_id,
        contributor_id=actor.id,
        kind=pledge.kind.value,
        amount=pledge.amount,
    )
    await session.commit()
    return pledge


async def confirm_pledge(session: AsyncSession, *, actor: User, pledge_id: int) -> Pledge:
    """Mark a promise as kept, and move what it gave in the ledger, in one transaction.

    Confirmed by someone who saw it kept, never by its contributor: a lead of the project (money
    received, hours done, skill given) or, for money, an admin of the project's call. Who confirmed
    is recorded; matching rounds count only money confirmed so. The ledger moves money and time from
    the contributor's account to the project's; a skill has no amount to move. Money moves in the
    pledge's own currency: a local currency stays in its unit, so each reconciles on its own.
    """
    pledge = await _lock_project_of(session, pledge_id)
    project = await get_project(session, pledge.project_id, viewer=actor)
    if pledge.contributor_id == actor.id:
        raise Forbidden(
            "Vous ne pouvez pas confirmer votre propre contribution : un porteur du projet (ou, pour de "
            "l'argent, un administrateur de l'appel) confirme l'avoir reçue."
        )
    call_admin = (
        pledge.kind == ResourceKind.MONEY
        and project.challenge is not None
        and await is_organization_admin(session, actor, project.challenge.organization_id)
    )
    if not (is_lead(project, actor) or call_admin):
        raise Forbidden(
            "Seuls les porteurs du projet (ou, pour de l'argent, les administrateurs de l'appel) "
            "confirment une contribution."
        )
    if pledge.status != PledgeStatus.PROMISED:
        raise Conflict("Seule une contribution promise peut être confirmée.")
    pledge.status = PledgeStatus.CONFIRMED
    pledge.confirmed_at = utcnow()
    pledge.confirmed_by_id = actor.id
    unit = {ResourceKind.MONEY: pledge.currency, ResourceKind.TIME: MINUTES}.get(pledge.kind)
    if unit is not None:
        # A currency accepted when the pledge was made stays valid for it, even if since unconfigured.
        accepted = {pledge.currency}
        source = await open_account(
            session, kind=AccountKind.CONTRIBUTOR, owner_id=pledge.contributor_id, unit=unit, local_currencies=accepted
        )
        target = await open_account(
            session, kind=AccountKind.PROJECT, owner_id=pledge.project_id, unit=unit, local_currencies=accepted
        )
        await record_transfer(
            session,
            key=f"pledge:{pledge.id}:confirmed",
            reason=f"Contribution {pledge.id} confirmée",
            legs=[(source, -pledge.amount), (target, pledge.amount)],
        )
    record_event(
        session,
        EventType.PLEDGE_CONFIRMED,
        pledge_id=pledge.id,
        project_id=pledge.project_id,
        need_id=pledge.need_id,
        contributor_id=pledge.contributor_id,
        confirmed_by=actor.id,
        kind=pledge.kind.value,
        amount=pledge.amount,
        currency=pledge.currency,
    )
    await session.commit()
    return pledge


async def project_pledges(session: AsyncSession, *, actor: User, project_id: int) -> list[Pledge]:
    """Who pledged what: for the project's leads only."""
    project = await get_project(session, project_id, viewer=actor)
    if not is_lead(project, actor):
        raise Forbidden("Seuls les porteurs du projet voient le détail des contributions.")
    return list(
        await session.scalars(
            select(Pledge).where(Pledge.project_id == project_id).order_by(Pledge.created_at, Pledge.id)
        )
    )


async def supporting_organizations(session: AsyncSession, project_id: int) -> list[Organization]:
    """The organizations a standing pledge was made for, shown on the project page to everyone.

    Only pledges whose contributor agreed to be named count, as on the transparency pages.
    """
    return list(
        await session.scalars(
            select(Organization)
            .where(
                select(Pledge.id)
                .where(
                    Pledge.project_id == project_id,
                    Pledge.on_behalf_of_id == Organization.id,
                    Pledge.status.in_(STANDING),
                    Pledge.public_name.is_(True),
                )
                .exists()
            )
            .order_by(Organization.name)
        )
    )


async def pledges_of(session: AsyncSession, user: User) -> list[Pledge]:
    return list(
        await session.scalars(select(Pledge).where(Pledge.contributor_id == user.id).order_by(Pledge.created_at.desc()))
    )


def pledge_read(pledge: Pledge) -> PledgeRead:
    money, time = pledge.kind == ResourceKind.MONEY, pledge.kind == ResourceKind.TIME
    organization = pledge.on_behalf_of
    return PledgeRead(
        id=pledge.id,
        project_id=pledge.project_id,
        need_id=pledge.need_id,
        kind=pledge.kind.value,
        status=pledge.status.value,
        contributor={"id": pledge.contributor.id, "name": pledge.contributor.name},
        created_at=pledge.created_at,
        public_name=pledge.public_name,
        amount_cents=pledge.amount if money else None,
        currency=pledge.currency if money else None,
        minutes=pledge.amount if time else None,
        skill=pledge.skill,
        note=pledge.note,
        on_behalf_of=None if organization is None else {"id": organization.id, "name": organization.name},
        confirmed_by_id=pledge.confirmed_by_id,
    )
