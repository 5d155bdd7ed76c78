"""The outbox relay: sends committed events to the broker, then marks them published.

It is the only place that calls the broker for domain events. Rows are claimed with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several relays can run side by side. A
send that fails leaves the row unpublished, to be sent at the next pass: an event may
be delivered twice (consumers are idempotent), never lost.

Redis accepting a message is not the end of its story: a Redis without persistence that
restarts, or a queue flushed by hand, loses it. So the relay keeps checking each published
event: once its ``check_at`` is due, it sends the event again to the subscribed consumers
that have not recorded it yet, a bounded number of times, each wait twice the one before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import dramatiq
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.db import utcnow
from commons.events.models import OutboxEvent, ProcessedEvent
from workers.actors import subscribers

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Redelivery:
    """When to check that an event's consumers all recorded it, and how many times to send it again.

    Parameters:
      delay: the wait after the first delivery; each later wait is twice the one before.
      attempts: how many times an event is sent again before the relay gives up (and logs an error).
    """

    delay: timedelta = timedelta(seconds=30)
    attempts: int = 5

    def next_check(self, now: datetime, deliveries: int) -> datetime:
        """When to check the consumers after the ``deliveries``-th delivery (the last check only reports)."""
        return now + self.delay * (1 << (deliveries - 1))


class Relay:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        broker: dramatiq.Broker,
        batch_size: int = 100,
        redelivery: Redelivery | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.broker = broker
        self.batch_size = batch_size
        self.redelivery = redelivery or Redelivery()
        self.wakeup = asyncio.Event()

    def _send(self, deliveries: list[tuple[str, list[str]]]) -> None:
        """Send each event id to the named actors."""
        for event_id, actor_names in deliveries:
            for actor_name in actor_names:
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
            await asyncio.to_thread(self._send, [(e.event_id, subscribers(e.type)) for e in pending])
            now = utcnow()
            for event in pending:
                event.published_at = now
                event.deliveries = 1
                event.check_at = self.redelivery.next_check(now, 1) if subscribers(event.type) else None
            await session.commit()
            return len(pending)

    async def drain(self) -> int:
        total = 0
        while count := await self.drain_once():
            total += count
        return total

    async def redeliver_once(self) -> int:
        """Check one batch of published events whose check is due; return how many were sent again."""
        async with self.sessionmaker() as session:
            now = utcnow()
            due = list(
                await session.scalars(
                    select(OutboxEvent)
                    .where(OutboxEvent.check_at <= now)
                    .order_by(OutboxEvent.check_at)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            )
            if not due:
                return 0
            recorded = await session.execute(
                select(ProcessedEvent.event_id, ProcessedEvent.consumer).where(
                    ProcessedEvent.event_id.in_([e.event_id for e in due])
                )
            )
            done: dict[str, set[str]] = {}
            for event_id, consumer in recorded:
                done.setdefault(event_id, set()).add(consumer)
            resend: list[tuple[str, list[str]]] = []
            for event in due:
                missing = [name for name in subscribers(event.type) if name not in done.get(event.event_id, set())]
                if not missing:
                    event.check_at = None
                elif event.deliveries > self.redelivery.attempts:
                    logger.error("event %s (%s) never reached %s; giving up", event.event_id, event.type, missing)
                    event.check_at = None
                else:
                    resend.append((event.event_id, missing))
                    event.deliveries += 1
                    event.check_at = self.redelivery.next_check(now, event.deliveries)
            if resend:
                logger.warning("sending %d events again: their consumers did not record them in time", len(resend))
                await asyncio.to_thread(self._send, resend)
            await session.commit()
            return len(resend)

    async def run(self, stopping: asyncio.Event, interval: float = 0.25) -> None:
        """Drain until ``stopping`` is set: at each interval, or at once when ``wakeup`` is set.

        The loop is stopped between passes, never cancelled inside one: a cancelled database call
        can leave its connection inside a transaction (on SQLite, holding the write lock).
        """
        while not stopping.is_set():
            try:
                await self.drain()
                await self.redeliver_once()
            except Exception:
                logger.exception("outbox relay pass failed; retrying")
            self.wakeup.clear()
            if not stopping.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wakeup.wait(), timeout=interval)
