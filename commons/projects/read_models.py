"""The totals shown on project and call pages, recomputed from the pledges by the workers.

Recomputing (rather than adding the event's amount) makes the result right whatever the
order or number of deliveries; the row locks make concurrent recomputations serialize,
so a slower worker cannot overwrite a fresher total with a stale one.
"""

from __future__ import annotations

from sqlalchemy import case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.challenges.models import Challenge
from commons.events.models import OutboxEvent
from commons.events.outbox import EventType
from commons.pledges.models import STANDING, Pledge
from commons.projects.funding import funding_status
from commons.projects.models import Need, Project, ResourceKind


async def refresh_project_totals(session: AsyncSession, project_id: int) -> None:
    project = await session.scalar(
        select(Project)
        .where(Project.id == project_id)
        .with_for_update(of=Project)
        .execution_options(populate_existing=True)
    )
    if project is None:
        return
    active = (Pledge.project_id == project_id) & Pledge.status.in_(STANDING)
    per_need = dict(
        (
            await session.execute(
                select(Pledge.need_id, func.sum(Pledge.amount)).where(active).group_by(Pledge.need_id)
            )
        ).all()
    )
    needs = list(await session.scalars(select(Need).where(Need.project_id == project_id)))
    for need in needs:
        need.pledged_amount = int(per_need.get(need.id, 0))
    project.funding_status = funding_status(
        project.funding_status, ((n.min_amount, n.max_amount, n.pledged_amount) for n in needs)
    )
    cents, minutes, contributors = (
        await session.execute(
            select(
                func.coalesce(func.sum(case((Pledge.kind == ResourceKind.MONEY, Pledge.amount), else_=0)), 0),
                func.coalesce(func.sum(case((Pledge.kind == ResourceKind.TIME, Pledge.amount), else_=0)), 0),
                func.count(distinct(Pledge.contributor_id)),
            ).where(active)
        )
    ).one()
    project.pledged_cents, project.pledged_minutes, project.contributor_count = (
        int(cents),
        int(minutes),
        int(contributors),
    )
    await session.flush()
    if project.challenge_id is not None:
        await refresh_challenge_totals(session, project.challenge_id)


async def refresh_challenge_totals(session: AsyncSession, challenge_id: int) -> None:
    challenge = await session.scalar(
        select(Challenge)
        .where(Challenge.id == challenge_id)
        .with_for_update(of=Challenge)
        .execution_options(populate_existing=True)
    )
    if challenge is None:
        return
    count, cents, minutes = (
        await session.execute(
            select(
                func.count(Project.id),
                func.coalesce(func.sum(Project.pledged_cents), 0),
                func.coalesce(func.sum(Project.pledged_minutes), 0),
            ).where(Project.challenge_id == challenge_id)
        )
    ).one()
    challenge.project_count, challenge.pledged_cents, challenge.pledged_minutes = (
        int(count),
        int(cents),
        int(minutes),
    )


_PROJECT_EVENTS = (
    EventType.PLEDGE_MADE,
    EventType.PLEDGE_WITHDRAWN,
    EventType.PROJECT_UPDATED,
    EventType.PROJECT_SETTLED,
    EventType.PROJECT_CANCELLED,
)


async def apply_event(session: AsyncSession, event: OutboxEvent) -> None:
    """The read-model consumer: which totals an event changes."""
    if event.type in _PROJECT_EVENTS:
        await refresh_project_totals(session, event.payload["project_id"])
    elif (
        event.type in (EventType.PROJECT_LAUNCHED, EventType.ROUND_IMPORTED)
        and event.payload.get("challenge_id") is not None
    ):
        await refresh_challenge_totals(session, event.payload["challenge_id"])
