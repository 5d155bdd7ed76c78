"""A project's or a call's funding mix, and the own revenue its leads declare.

The funding mix reads three sources: pledges (public when made on behalf of a collectivité,
private otherwise: companies, foundations, associations, citizens in their own name), payouts from
calls' pools (public when the funder is a collectivité, private otherwise) and the revenue lines
the leads declare (own revenue: services the project sells). Volunteer time is valued as before.

The callers check that the viewer may see the project or the call; the mix only reads aggregated
amounts, never who gave what. Revenue lines are public (they are part of the mix); only a project's
leads declare or remove them.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import Organization, OrganizationKind, User
from commons.errors import Conflict, Forbidden, NotFound
from commons.funders.models import Funder, PayoutShare
from commons.pledges.models import Pledge, PledgeStatus
from commons.projects.funding import FundingStatus
from commons.projects.models import Need, Project, ResourceKind
from commons.projects.services import get_project, is_lead
from commons.resources.funding_mix import Contribution, FundingMix, funding_mix
from commons.resources.models import RevenueLine
from commons.resources.schemas import RevenueLineCreate
from commons.resources.valuation import ValuationTable


def _pledges_query(projects: ColumnElement[bool]) -> Select[ResourceKind, PledgeStatus, str, str, bool, int]:
    """Pledges summed by kind, status, skill and whether made on behalf of a collectivité."""
    public = Organization.kind == OrganizationKind.COLLECTIVITE
    return (
        select(Pledge.kind, Pledge.status, Pledge.skill, Need.skill, public, func.sum(Pledge.amount))
        .join(Need, Need.id == Pledge.need_id)
        .outerjoin(Organization, Organization.id == Pledge.on_behalf_of_id)
        .where(projects)
        .group_by(Pledge.kind, Pledge.status, Pledge.skill, Need.skill, public)
    )


def _payouts_query(projects: ColumnElement[bool]) -> Select[bool, int]:
    """Payouts from calls' pools summed by whether the funder is a collectivité."""
    public = Organization.kind == OrganizationKind.COLLECTIVITE
    return (
        select(public, func.sum(PayoutShare.cents))
        .join(Funder, Funder.id == PayoutShare.funder_id)
        .join(Organization, Organization.id == Funder.organization_id)
        .where(projects)
        .group_by(public)
    )


async def _mix(
    session: AsyncSession,
    valuation: ValuationTable,
    *,
    pledges: ColumnElement[bool],
    payouts: ColumnElement[bool],
    revenue: ColumnElement[bool],
) -> FundingMix:
    contributions = [
        Contribution(
            kind=kind,
            status=status,
            amount=int(amount),
            skill=pledge_skill or need_skill,
            public=bool(public),
        )
        for kind, status, pledge_skill, need_skill, public, amount in await session.execute(_pledges_query(pledges))
    ]
    contributions += [
        Contribution(kind=ResourceKind.MONEY, status=PledgeStatus.CONFIRMED, amount=int(amount), public=bool(public))
        for public, amount in await session.execute(_payouts_query(payouts))
    ]
    own_revenue = await session.scalar(select(func.coalesce(func.sum(RevenueLine.amount_cents), 0)).where(revenue))
    return funding_mix(contributions, valuation, own_revenue_cents=int(own_revenue or 0))


async def project_funding_mix(session: AsyncSession, project_id: int, *, valuation: ValuationTable) -> FundingMix:
    """A project's funding mix: its pledges, the payouts it received, its declared revenue.

    Parameters:
        project_id: the project, already checked as visible by the caller.
        valuation: the table valuing volunteer time (``Settings.valuation``).
    """
    return await _mix(
        session,
        valuation,
        pledges=Pledge.project_id == project_id,
        payouts=PayoutShare.project_id == project_id,
        revenue=RevenueLine.project_id == project_id,
    )


async def challenge_funding_mix(session: AsyncSession, challenge_id: int, *, valuation: ValuationTable) -> FundingMix:
    """A call's funding mix: the sum of its projects' (see ``project_funding_mix``).

    Parameters:
        challenge_id: the call, already checked as visible by the caller.
        valuation: the table valuing volunteer time (``Settings.valuation``).
    """
    projects = select(Project.id).where(Project.challenge_id == challenge_id)
    return await _mix(
        session,
        valuation,
        pledges=Pledge.project_id.in_(projects),
        payouts=PayoutShare.project_id.in_(projects),
        revenue=RevenueLine.project_id.in_(projects),
    )


# --------------------------------------------------------------------------- own revenue


async def list_revenue(session: AsyncSession, *, project_id: int, viewer: User | None) -> list[RevenueLine]:
    """A project's declared revenue lines, oldest first; ``NotFound`` if the viewer may not see it."""
    await get_project(session, project_id, viewer=viewer)
    query = select(RevenueLine).where(RevenueLine.project_id == project_id).order_by(RevenueLine.id)
    return list(await session.scalars(query))


async def _led(session: AsyncSession, actor: User, project_id: int) -> Project:
    project = await get_project(session, project_id, viewer=actor)
    if not is_lead(project, actor):
        raise Forbidden("Seuls les porteurs du projet déclarent ses recettes.")
    return project


async def declare_revenue(
    session: AsyncSession, *, actor: User, project_id: int, data: RevenueLineCreate
) -> RevenueLine:
    """Add a revenue line to a project (its leads only): services sold, over a period."""
    project = await _led(session, actor, project_id)
    if project.funding_status == FundingStatus.CANCELLED:
        raise Conflict("Ce projet est annulé : il ne déclare plus de recettes.")
    line = RevenueLine(
        project_id=project.id,
        amount_cents=data.amount_cents,
        description=data.description.strip(),
        period=data.period.strip(),
        declared_by_id=actor.id,
    )
    session.add(line)
    await session.commit()
    await session.refresh(line)
    return line


async def remove_revenue(session: AsyncSession, *, actor: User, project_id: int, line_id: int) -> None:
    """Remove a revenue line declared by mistake (the project's leads only)."""
    await _led(session, actor, project_id)
    line = await session.get(RevenueLine, line_id)
    if line is None or line.project_id != project_id:
        raise NotFound(f"Recette {line_id} introuvable dans ce projet.")
    await session.delete(line)
    await session.commit()
