"""Ending a project's funding: all-or-nothing deadlines, cancelled projects, completed projects.

A released pledge keeps its row (history is never deleted); if it had been confirmed, the
ledger transfer that brought its money or time to the project is reversed, not erased.
Settlement is found by a periodic sweep (Dramatiq has no scheduler), so a deadline passed
while nothing ran is settled at the next start; the project's row lock and ``settled_at``
make a second run a no-op. Cancelling and completing are the leads' decisions; which of them is
allowed when is decided by the funding state machine (``commons.projects.funding``) alone.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.db import utcnow
from commons.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from commons.events.models import OutboxEvent
from commons.events.outbox import EventType, record_event
from commons.ledger.rules import EUR
from commons.ledger.services import reverse_transfer, transfer_by_key
from commons.notifications.models import Notification
from commons.pledges.models import STANDING, Pledge, PledgeStatus
from commons.projects.funding import FundingStatus, cancelled, completed, funding_status
from commons.projects.models import Project, ResourceKind
from commons.projects.services import get_project, is_lead

logger = logging.getLogger(__name__)


async def _locked_project(session: AsyncSession, project_id: int) -> Project | None:
    return await session.scalar(
        select(Project)
        .where(Project.id == project_id)
        .with_for_update(of=Project)
        .execution_options(populate_existing=True)
    )


async def _release_standing_pledges(session: AsyncSession, project: Project, why: str) -> list[Pledge]:
    """Release every promised or confirmed pledge of the project, reversing confirmed ones in the ledger."""
    pledges = list(
        await session.scalars(
            select(Pledge).where(Pledge.project_id == project.id, Pledge.status.in_(STANDING)).order_by(Pledge.id)
        )
    )
    now = utcnow()
    for pledge in pledges:
        confirmed = await transfer_by_key(session, f"pledge:{pledge.id}:confirmed")
        if confirmed is not None:
            await reverse_transfer(
                session,
                transfer_id=confirmed.id,
                key=f"pledge:{pledge.id}:released",
                reason=f"{why} (contribution {pledge.id})",
            )
        pledge.status = PledgeStatus.RELEASED
        pledge.released_at = now
    return pledges


def _needs_at_minimum(project: Project, pledged: dict[int, int]) -> bool:
    return all(pledged.get(need.id, 0) >= need.min_amount for need in project.needs)


async def _standing_per_need(session: AsyncSession, project_id: int) -> dict[int, int]:
    rows = await session.execute(
        select(Pledge.need_id, Pledge.amount).where(Pledge.project_id == project_id, Pledge.status.in_(STANDING))
    )
    totals: dict[int, int] = {}
    for need_id, amount in rows:
        totals[need_id] = totals.get(need_id, 0) + amount
    return totals


async def settle_project(session: AsyncSession, project_id: int) -> bool | None:
    """Settle a project whose all-or-nothing deadline has passed; None if there was nothing to do.

    Returns True when the pledges are kept (every need reached its minimum), False when released.
    The caller commits.
    """
    project = await _locked_project(session, project_id)
    if (
        project is None
        or project.settled_at is not None
        or project.funding_deadline is None
        or project.funding_deadline > utcnow()
        or project.funding_status.is_final
    ):
        return None
    kept = _needs_at_minimum(project, await _standing_per_need(session, project.id))
    released = [] if kept else await _release_standing_pledges(session, project, "Minimum non atteint à l'échéance")
    project.settled_at = utcnow()
    record_event(
        session,
        EventType.PROJECT_SETTLED,
        project_id=project.id,
        kept=kept,
        released_pledge_ids=[p.id for p in released],
        contributor_ids=sorted({p.contributor_id for p in released}),
    )
    return kept


async def conditional_cents(session: AsyncSession, project: Project) -> int:
    """The euros a project received from pledges that its all-or-nothing deadline may still release.

    Until the deadline is settled, that money may have to go back to its contributors, so it must
    not be spent (an expense paid with it would leave nothing to give back)."""
    if project.funding_deadline is None or project.settled_at is not None:
        return 0
    confirmed = await session.scalar(
        select(func.coalesce(func.sum(Pledge.amount), 0)).where(
            Pledge.project_id == project.id,
            Pledge.kind == ResourceKind.MONEY,
            Pledge.currency == EUR,
            Pledge.status == PledgeStatus.CONFIRMED,
        )
    )
    return int(confirmed or 0)


async def settle_due_projects(session: AsyncSession) -> int:
    """The sweep: settle every project whose deadline has passed; safe to run anywhere, any number of times.

    A project that cannot be settled is rolled back, logged and left for the next sweep, so it never
    holds up the others."""
    due = list(
        await session.scalars(
            select(Project.id).where(
                Project.funding_deadline <= utcnow(),
                Project.settled_at.is_(None),
                Project.funding_status.not_in((FundingStatus.CANCELLED, FundingStatus.COMPLETED)),
            )
        )
    )
    settled = 0
    for project_id in sorted(due):
        try:
            if await settle_project(session, project_id) is not None:
                settled += 1
        except DomainError:
            await session.rollback()
            logger.exception("project %s could not be settled; left for the next sweep", project_id)
            continue
        await session.commit()
    return settled


async def _led_locked_project(session: AsyncSession, actor: User, project_id: int, refusal: str) -> Project:
    """The project under its row lock, for a decision of its leads; ``refusal`` (403) for anyone else."""
    visible = await get_project(session, project_id, viewer=actor)
    if not is_lead(visible, actor):
        raise Forbidden(refusal)
    project = await _locked_project(session, project_id)
    if project is None:
        raise NotFound(f"Projet {project_id} introuvable.")
    return project


async def cancel_project(session: AsyncSession, *, actor: User, project_id: int) -> Project:
    """The leads cancel their project: every pledge is released and its contributor told."""
    project = await _led_locked_project(session, actor, project_id, "Seuls les porteurs du projet peuvent l'annuler.")
    status = cancelled(project.funding_status)
    try:
        released = await _release_standing_pledges(session, project, "Projet annulé")
    except InvalidInput as exc:
        # The ledger refuses to give back money or time the project no longer holds (already spent).
        raise Conflict(
            "Ce projet a déjà dépensé une partie de ce qu'il a reçu : il ne peut plus être annulé en rendant "
            f"toutes les contributions ({exc.message})"
        ) from exc
    project.funding_status = status
    record_event(
        session,
        EventType.PROJECT_CANCELLED,
        project_id=project.id,
        released_pledge_ids=[p.id for p in released],
        contributor_ids=sorted({p.contributor_id for p in released}),
    )
    await session.commit()
    return project


async def complete_project(session: AsyncSession, *, actor: User, project_id: int) -> Project:
    """The leads mark their project completed, once its minimum is reached: a final state, no more pledges.

    The minimum is judged on the standing pledges read under the project's lock, not on the totals the
    workers maintain (which may lag a pledge just made or withdrawn). Standing pledges are kept as they
    are; the contributors are told through the ``project.completed`` event.
    """
    refusal = "Seuls les porteurs du projet peuvent le marquer comme terminé."
    project = await _led_locked_project(session, actor, project_id, refusal)
    pledged = await _standing_per_need(session, project.id)
    now = funding_status(
        project.funding_status, ((n.min_amount, n.max_amount, pledged.get(n.id, 0)) for n in project.needs)
    )
    project.funding_status = completed(now)
    contributors = await session.scalars(
        select(Pledge.contributor_id).where(Pledge.project_id == project.id, Pledge.status.in_(STANDING)).distinct()
    )
    record_event(
        session,
        EventType.PROJECT_COMPLETED,
        project_id=project.id,
        completed_by=actor.id,
        contributor_ids=sorted(contributors),
    )
    await session.commit()
    return project


async def notify_completed(session: AsyncSession, event: OutboxEvent) -> None:
    """The consumer of ``project.completed``: each contributor of the project is told, once."""
    project = await session.get(Project, event.payload["project_id"])
    if project is None:
        return
    message = f"Le projet « {project.title} » est terminé : merci pour votre contribution !"
    for user_id in event.payload["contributor_ids"]:
        session.add(
            Notification(
                user_id=user_id, event_id=event.event_id, message=message[:500], link=f"/projects/{project.id}"
            )
        )
