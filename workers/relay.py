"""The outbox relay: sends committed events to the broker, then marks them published.

It is the only place that calls the broker for domain events. Rows are claimed with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several relays can run side by side. A
send that fails leaves the row unpublished, to be sent at the next pass: an event may
be delivered twice (consumers are idempotent), never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import dramatiq
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.db import utcnow
from commons.events.models import OutboxEvent
from workers.actors import subscribers

logger = logging.getLogger(__name__)


class Relay:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], broker: dramatiq.Broker, batch_size: int = 100
    ) -> None:
        self.sessionmaker = sessionmaker
        self.broker = broker
        self.batch_size = batch_size
        self.wakeup = asyncio.Event()

    def _send(self, events: list[tuple[str, str]]) -> None:
        for event_type, event_id in events:
            for actor_name in subscribers(event_type):
                self.broker.get_actor(actor_name).send(event_id)

    async def drain_once(self) -> int:
        """Publish one batch of pending events; return how many were published."""
        async with self.sessionmaker() as session:
            pending = list(
                await session.scalars(
                    select(OutboxEvent)
                    .where(OutboxEvent.published_at.is_(None))
                    .order_by(OutboxEvent.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            )
            if not pending:
                return 0
            # The broker client blocks: keep it off the event loop.
            await asyncio.to_thread(self._send, [(e.type, e.event_id) for e in pending])
            now = utcnow()
            for event in pending:
                event.published_at = now
            await session.commit()
            return len(pending)

    async def drain(self) -> int:
        total = 0
        while count := await self.drain_once():
            total += count
        return total

    async def run(self, stopping: asyncio.Event, interval: float = 0.25) -> None:
        """Drain until ``stopping`` is set: at each interval, or at once when ``wakeup`` is set.

        The loop is stopped between passes, never cancelled inside one: a cancelled database call
        can leave its connection inside a transaction (on SQLite, holding the write lock).
        """
        while not stopping.is_set():
            try:
                await self.drain()
            except Exception:
                logger.exception("outbox relay pass failed; retrying")
            self.wakeup.clear()
            if not stopping.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wakeup.wait(), timeout=interval)
