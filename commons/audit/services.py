"""Writing to the audit log in the acting use case's transaction, and reading a project's journal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.audit.models import MESSAGE_MAX_LENGTH, AuditEntry
from commons.expenses.models import Expense
from commons.expenses.visibility import visible_expenses
from commons.projects.services import get_project

JOURNAL_LIMIT = 500


def record(
    session: AsyncSession,
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int,
    message: str,
    project_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an entry to the audit log, in the caller's transaction (it does not commit).

    The entry is kept only if the action's transaction commits, so the log never tells of an action
    that was rolled back, and no committed action lacks its entry.

    Parameters:
      actor: who acted; None for the platform itself.
      action: what was done, as a stable name (``expense.approved``).
      object_type: the kind of object acted on (``expense``), with ``object_id`` its id.
      message: the sentence the journal shows, in French.
      project_id: the project whose journal lists the entry, if any.
      details: the facts as JSON-serializable data.
    """
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        project_id=project_id,
        message=message[:MESSAGE_MAX_LENGTH],
        details=details or {},
    )
    session.add(entry)
    return entry


async def project_journal(
    session: AsyncSession, project_id: int, *, viewer: User | None, limit: int = JOURNAL_LIMIT
) -> list[AuditEntry]:
    """A project's journal, latest first; public wherever the project is (``NotFound`` otherwise).

    Entries about an expense show only to those who may see the expense (``visible_expenses``).
    """
    project = await get_project(session, project_id, viewer=viewer)
    shown_expenses = select(Expense.id).where(visible_expenses(project, viewer))
    return list(
        await session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.project_id == project_id,
                or_(AuditEntry.object_type != "expense", AuditEntry.object_id.in_(shown_expenses)),
            )
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )
