"""The totals shown on project and call pages, recomputed from the pledges by the workers.

Recomputing (rather than adding the event's amount) makes the result right whatever the
order or number of deliveries; the project's row lock makes concurrent recomputations of one
project serialize, so a slower worker cannot overwrite a fresher total with a stale one, and
``Project.totals_as_of`` lets a burst of pledges be counted by one recomputation.

A call's totals are recomputed by a consumer of their own, in their own transaction, straight
from the pledges: no transaction holds a call's row and one of its projects' at once, so pledges
on different projects of a call do not queue behind each other's refreshes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, case, distinct, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from commons.challenges.models import Challenge
from commons.db import utcnow
from commons.events.models import OutboxEvent
from commons.events.outbox import EventType
from commons.pledges.models import STANDING, Pledge
from commons.projects.funding import funding_status
from commons.projects.models import Need, Project, ResourceKind
from commons.web.page_cache import challenge_pages, purge_after_commit


def _sum_of(kind: ResourceKind) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((Pledge.kind == kind, Pledge.amount), else_=0)), 0)


async def refresh_project_totals(session: AsyncSession, project_id: int, *, seen: datetime | None = None) -> bool:
    """Recompute a project's totals, unless they already count what happened at ``seen``.

    The project row is locked, then the time is taken, then the pledges are read: everything
    committed before ``totals_as_of`` is counted. An event published (``published_at``, set by the
    relay after the event's transaction committed) before it is therefore included, and the
    refreshes queued behind the lock during a burst of pledges skip. Returns whether it
    recomputed; does not commit.
    """
    project = await session.scalar(
        select(Project)
        .where(Project.id == project_id)
        .with_for_update(of=Project)
        .execution_options(populate_existing=True)
    )
    if project is None:
        return False
    if seen is not None and project.totals_as_of is not None and project.totals_as_of >= seen:
        return False
    started = utcnow()
    active = (Pledge.project_id == project_id) & Pledge.status.in_(STANDING)
    # Every need of the project in one statement.
    await session.execute(
        update(Need)
        .where(Need.project_id == project_id)
        .values(
            pledged_amount=select(func.coalesce(func.sum(Pledge.amount), 0))
            .where(active, Pledge.need_id == Need.id)
            .scalar_subquery()
        )
        .execution_options(synchronize_session=False)
    )
    needs = list(
        await session.scalars(
            select(Need).where(Need.project_id == project_id).execution_options(populate_existing=True)
        )
    )
    cents, minutes, contributors = (
        await session.execute(
            select(
                _sum_of(ResourceKind.MONEY), _sum_of(ResourceKind.TIME), func.count(distinct(Pledge.contributor_id))
            ).where(active)
        )
    ).one()
    project.pledged_cents, project.pledged_minutes, project.contributor_count = (
        int(cents),
        int(minutes),
        int(contributors),
    )
    project.funding_status = funding_status(
        project.funding_status, ((n.min_amount, n.max_amount, n.pledged_amount) for n in needs)
    )
    project.totals_as_of = started
    return True


async def refresh_challenge_totals(session: AsyncSession, challenge_id: int) -> None:
    """Recompute a call's totals from its projects' pledges, in one statement (no project row is locked)."""
    of_call = Project.challenge_id == challenge_id

    def pledged(kind: ResourceKind) -> ScalarSelect[Any]:
        return (
            select(_sum_of(kind))
            .join(Project, Project.id == Pledge.project_id)
            .where(of_call, Pledge.status.in_(STANDING))
            .scalar_subquery()
        )

    await session.execute(
        update(Challenge)
        .where(Challenge.id == challenge_id)
        .values(
            project_count=select(func.count(Project.id)).where(of_call).scalar_subquery(),
            pledged_cents=pledged(ResourceKind.MONEY),
            pledged_minutes=pledged(ResourceKind.TIME),
        )
        .execution_options(synchronize_session=False)
    )


# The events that change a project's totals, and those that change a call's.
PROJECT_EVENTS = frozenset(
    {
        EventType.PLEDGE_MADE,
        EventType.PLEDGE_WITHDRAWN,
        EventType.PROJECT_UPDATED,
        EventType.PROJECT_SETTLED,
        EventType.PROJECT_CANCELLED,
    }
)
CHALLENGE_EVENTS = PROJECT_EVENTS | {EventType.PROJECT_LAUNCHED, EventType.ROUND_IMPORTED}


async def apply_event(session: AsyncSession, event: OutboxEvent) -> None:
    """The project read-model consumer. An event the relay has not yet marked published (it commits that
    mark after sending) is treated as new."""
    if event.type in PROJECT_EVENTS:
        project_id = event.payload["project_id"]
        if await refresh_project_totals(session, project_id, seen=event.published_at):
            # The page-cache consumer may have purged the page before these totals were committed.
            purge_after_commit(session, {f"/projects/{project_id}"})


async def apply_event_to_challenge(session: AsyncSession, event: OutboxEvent) -> None:
    """The call read-model consumer: the call of the event's project (or the call it names)."""
    if event.type not in CHALLENGE_EVENTS:
        return
    challenge_id = event.payload.get("challenge_id")
    if challenge_id is None and "project_id" in event.payload:
        challenge_id = await session.scalar(
            select(Project.challenge_id).where(Project.id == event.payload["project_id"])
        )
    if challenge_id is not None:
        await refresh_challenge_totals(session, challenge_id)
        purge_after_commit(session, challenge_pages(challenge_id))
