"""Who hears of an expense event: in-app notifications, as for pledges (``commons.notifications``).

The consumer ``commons.expenses.notify`` (``workers/actors.py``) applies ``notify_expense`` once per
event; the person who acted is never notified of their own action.

- reported: the project's leads, who approve and pay;
- approved: its author; once it has every approval, the leads too (one of them pays it);
- rejected or paid: its author;
- withdrawn: the leads.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.events.models import OutboxEvent
from commons.events.outbox import EventType
from commons.expenses.models import Expense
from commons.formatting import format_cents
from commons.notifications.models import Notification
from commons.projects.models import MembershipRole, Project


async def notify_expense(session: AsyncSession, event: OutboxEvent) -> None:
    """The notification consumer of expense events: one message per person concerned."""
    payload = event.payload
    expense = await session.get(Expense, payload["expense_id"])
    project = await session.get(Project, payload["project_id"])
    actor = await session.get(User, payload["actor_id"])
    if expense is None or project is None or actor is None:
        return
    leads = {m.user_id for m in project.memberships if m.role == MembershipRole.LEAD}
    what = f"la dépense « {expense.purpose} » ({format_cents(expense.amount_cents)}) du projet « {project.title} »"
    author = {expense.author_id}
    match event.type:
        case EventType.EXPENSE_SUBMITTED:
            recipients, message = leads, f"{actor.name} a déclaré {what} : elle attend des approbations."
        case EventType.EXPENSE_APPROVED if payload["missing"] == 0:
            recipients = leads | author
            message = f"{actor.name} a approuvé {what} : elle a toutes ses approbations et peut être payée."
        case EventType.EXPENSE_APPROVED:
            missing = payload["missing"]
            recipients = author
            message = (
                f"{actor.name} a approuvé {what} : il manque encore {missing} approbation{'s' if missing > 1 else ''}."
            )
        case EventType.EXPENSE_REJECTED:
            because = f" : « {payload['reason']} »" if payload["reason"] else ""
            recipients, message = author, f"{actor.name} a refusé {what}{because}."
        case EventType.EXPENSE_WITHDRAWN:
            recipients, message = leads, f"{actor.name} a retiré {what}."
        case EventType.EXPENSE_PAID:
            recipients, message = author, f"{actor.name} a payé {what}."
        case _:
            return
    link = f"/projects/{project.id}#depenses"
    for user_id in sorted(recipients - {actor.id}):
        session.add(Notification(user_id=user_id, event_id=event.event_id, message=message[:500], link=link))
