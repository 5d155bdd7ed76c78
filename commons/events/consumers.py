"""Applying an event once per consumer, whatever the number of deliveries.

The broker delivers at least once (the relay may resend after a crash, a worker may
die after its commit but before its ack), so each consumer records the event ids it
applied, in the same transaction as its effect.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from commons.events.models import OutboxEvent, ProcessedEvent

Handler = Callable[[AsyncSession, OutboxEvent], Awaitable[None]]


async def consume(session: AsyncSession, *, consumer: str, event_id: str, handler: Handler) -> bool:
    """Apply ``handler`` to the event unless ``consumer`` already did; return whether it ran.

    Parameters:
      consumer: a stable name for the effect (one per actor).
      event_id: the outbox event's id, as sent by the relay.
      handler: the effect; it must not commit, so the effect and the record share a transaction.
    """
    if await session.get(ProcessedEvent, (consumer, event_id)) is not None:
        return False
    event = await session.scalar(select(OutboxEvent).where(OutboxEvent.event_id == event_id))
    if event is None:
        # Only committed events are relayed, so this is a message forged or from another database.
        raise LookupError(f"unknown event {event_id}")
    await handler(session, event)
    session.add(ProcessedEvent(consumer=consumer, event_id=event_id))
    try:
        await session.commit()
    except IntegrityError:
        # Another delivery of the same event won the race: its effect stands, ours is rolled back.
        await session.rollback()
        return False
    return True
