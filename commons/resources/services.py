"""Reading a project's or a call's pledges into its funding mix.

The callers check that the viewer may see the project or the call; these functions only read
aggregated amounts, never who gave what.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import Organization, OrganizationAdmin, OrganizationKind
from commons.pledges.models import Pledge
from commons.projects.models import Need, Project
from commons.resources.funding_mix import Contribution, FundingMix, funding_mix
from commons.resources.valuation import ValuationTable


def _contributions_query() -> Select[Any]:
    """Pledges summed by kind, status, skill and public funder (or none).

    A contributor's money is public when they administer an organization of kind collectivité.
    The admins are read once each (``DISTINCT``): administering two collectivités must not count a
    pledge twice.
    """
    public_funders = (
        select(OrganizationAdmin.user_id)
        .join(Organization, Organization.id == OrganizationAdmin.organization_id)
        .where(Organization.kind == OrganizationKind.COLLECTIVITE)
        .distinct()
        .subquery()
    )
    return (
        select(
            Pledge.kind,
            Pledge.status,
            Pledge.skill,
            Need.skill,
            public_funders.c.user_id,
            func.sum(Pledge.amount),
        )
        .join(Need, Need.id == Pledge.need_id)
        .outerjoin(public_funders, public_funders.c.user_id == Pledge.contributor_id)
        .group_by(Pledge.kind, Pledge.status, Pledge.skill, Need.skill, public_funders.c.user_id)
    )


async def _mix(
    session: AsyncSession, query: Select[Any], valuation: ValuationTable, own_revenue_cents: int
) -> FundingMix:
    rows = await session.execute(query)
    contributions = [
        Contribution(
            kind=kind,
            status=status,
            amount=int(amount),
            skill=pledge_skill or need_skill,
            public=public_funder is not None,
        )
        for kind, status, pledge_skill, need_skill, public_funder, amount in rows
    ]
    return funding_mix(contributions, valuation, own_revenue_cents=own_revenue_cents)


async def project_funding_mix(
    session: AsyncSession, project_id: int, *, valuation: ValuationTable, own_revenue_cents: int = 0
) -> FundingMix:
    """A project's funding mix from its pledges (see ``funding_mix`` for which count and how).

    Parameters:
        project_id: the project, already checked as visible by the caller.
        valuation: the table valuing volunteer time (``Settings.valuation``).
        own_revenue_cents: the services the project sells, declared by its lead (no field for it yet).
    """
    query = _contributions_query().where(Pledge.project_id == project_id)
    return await _mix(session, query, valuation, own_revenue_cents)


async def challenge_funding_mix(
    session: AsyncSession, challenge_id: int, *, valuation: ValuationTable, own_revenue_cents: int = 0
) -> FundingMix:
    """A call's funding mix: the pledges to all its projects, as ``project_funding_mix`` counts them.

    Parameters:
        challenge_id: the call, already checked as visible by the caller.
        valuation: the table valuing volunteer time (``Settings.valuation``).
        own_revenue_cents: the services its projects sell, declared by their leads (no field for it yet).
    """
    query = (
        _contributions_query()
        .join(Project, Project.id == Pledge.project_id)
        .where(Project.challenge_id == challenge_id)
    )
    return await _mix(session, query, valuation, own_revenue_cents)
