"""Writing domain events, and the names of the events Commons emits."""

from __future__ import annotations

import enum
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from commons.events.models import OutboxEvent


class EventType(enum.StrEnum):
    CHALLENGE_PUBLISHED = "challenge.published"
    CHALLENGE_CLOSED = "challenge.closed"
    PROJECT_LAUNCHED = "project.launched"
    PROJECT_UPDATED = "project.updated"
    PROJECT_SETTLED = "project.settled"
    PROJECT_CANCELLED = "project.cancelled"
    PROJECT_COMPLETED = "project.completed"
    MEMBER_JOINED = "member.joined"
    PLEDGE_MADE = "pledge.made"
    PLEDGE_WITHDRAWN = "pledge.withdrawn"
    PLEDGE_CONFIRMED = "pledge.confirmed"
    ROUND_CLOSED = "round.closed"
    ROUND_IMPORTED = "round.imported"
    ELIGIBILITY_CENSUS_IMPORTED = "eligibility.census_imported"
    ELIGIBILITY_CODES_GENERATED = "eligibility.codes_generated"
    ELIGIBILITY_GRANTED = "eligibility.granted"
    FUNDER_RECEIVED = "funder.received"
    POOL_PAID_OUT = "pool.paid_out"
    EXPENSE_SUBMITTED = "expense.submitted"
    EXPENSE_APPROVED = "expense.approved"
    EXPENSE_REJECTED = "expense.rejected"
    EXPENSE_WITHDRAWN = "expense.withdrawn"
    EXPENSE_PAID = "expense.paid"
    MAIL_REQUESTED = "mail.requested"


def record_event(session: AsyncSession, event_type: EventType, **payload: Any) -> OutboxEvent:
    """Add an event to the outbox, in the caller's transaction.

    It is published only if that transaction commits, so no event describes a change
    that was rolled back, and none is lost if the broker is down at commit time.
    """
    event = OutboxEvent(event_id=str(uuid.uuid4()), type=event_type.value, payload=payload)
    session.add(event)
    return event
