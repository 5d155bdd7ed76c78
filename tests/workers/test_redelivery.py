"""Events whose queued messages the broker lost are sent again, and still applied once each."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import redis
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.events.models import OutboxEvent, ProcessedEvent
from commons.events.outbox import EventType, record_event
from commons.settings import Settings
from commons.web.app import create_app
from tests import factories
from tests.conftest import eventually
from tests.workers.processes import worker_process
from workers.actors import subscribers
from workers.broker import build_broker
from workers.relay import Redelivery, Relay


async def _scalar(sessionmaker: async_sessionmaker[AsyncSession], query: Any) -> Any:
    async with sessionmaker() as session:
        return await session.scalar(query)


async def test_relay_sends_again_only_to_the_consumers_that_did_not_record_the_event(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with sessionmaker() as session:
        event = record_event(session, EventType.PLEDGE_MADE, pledge_id=1, project_id=1)
        await session.commit()
    consumers = subscribers(EventType.PLEDGE_MADE)
    assert len(consumers) >= 2
    broker = build_broker(settings)
    relay = Relay(sessionmaker, broker, redelivery=Redelivery(delay=timedelta(0), attempts=2))

    assert await relay.drain() == 1
    assert broker.queues["events"].qsize() == len(consumers)
    # The first consumer applied it; the others' messages were lost.
    async with sessionmaker() as session:
        session.add(ProcessedEvent(consumer=consumers[0], event_id=event.event_id))
        await session.commit()

    assert await relay.redeliver_once() == 1
    assert broker.queues["events"].qsize() == 2 * len(consumers) - 1
    assert await relay.redeliver_once() == 1
    # The attempts are spent: the last check gives up instead of sending forever.
    assert await relay.redeliver_once() == 0
    assert broker.queues["events"].qsize() == 3 * len(consumers) - 2
    stored = await _scalar(sessionmaker, select(OutboxEvent).where(OutboxEvent.event_id == event.event_id))
    assert (stored.deliveries, stored.check_at) == (3, None)


async def test_relay_stops_checking_an_event_once_every_consumer_recorded_it(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with sessionmaker() as session:
        event = record_event(session, EventType.CHALLENGE_CLOSED, challenge_id=1)
        await session.commit()
    broker = build_broker(settings)
    relay = Relay(sessionmaker, broker, redelivery=Redelivery(delay=timedelta(0), attempts=5))
    await relay.drain()
    async with sessionmaker() as session:
        for consumer in subscribers(EventType.CHALLENGE_CLOSED):
            session.add(ProcessedEvent(consumer=consumer, event_id=event.event_id))
        await session.commit()

    assert await relay.redeliver_once() == 0
    stored = await _scalar(sessionmaker, select(OutboxEvent).where(OutboxEvent.event_id == event.event_id))
    assert (stored.deliveries, stored.check_at) == (1, None)


@pytest.mark.faults
async def test_events_lost_with_the_broker_queue_are_applied_exactly_once(
    redis_settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    settings = replace(redis_settings, redelivery_delay=timedelta(seconds=0.5))
    async with AsyncTestClient(create_app(settings), base_url="https://testserver.local") as client:
        mayor = await factories.authority(session, client)
        challenge = await factories.open_challenge(client, mayor)
        lead = await factories.api_user(client, "Porteuse")
        project = await factories.project(client, lead, challenge["id"])
        contributor = await factories.api_user(client, "Donateur")
        pledged = await client.post(
            f"/api/v1/projects/{project['id']}/pledges",
            json={"need_id": project["needs"][0]["id"], "kind": "money", "amount_cents": 4_200},
            headers=contributor.headers,
        )
        assert pledged.status_code == 201
        unpublished = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_(None))

        async def all_published() -> bool:
            return bool(await _scalar(sessionmaker, unpublished) == 0)

        await eventually(all_published)
        # No worker ran yet: every message is in Redis, and a Redis restarted without persistence loses them.
        assert settings.redis_url is not None
        redis.Redis.from_url(settings.redis_url).flushdb()

        with worker_process(settings):
            unchecked = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.check_at.is_not(None))

            async def all_recorded() -> bool:
                return bool(await _scalar(sessionmaker, unchecked) == 0)

            await eventually(all_recorded, timeout=15)

        async with sessionmaker() as check:
            events = list(await check.scalars(select(OutboxEvent)))
            expected = sum(len(subscribers(e.type)) for e in events)
            assert await check.scalar(select(func.count()).select_from(ProcessedEvent)) == expected
            # Sent again at least once (more if the worker was slow to apply the first copies).
            assert all(e.deliveries >= 2 for e in events if subscribers(e.type))
        notes = (await client.get("/api/v1/me/notifications", headers=lead.headers)).json()
        assert len([n for n in notes if "42 €" in n["message"]]) == 1, notes
        need = (await client.get(f"/api/v1/projects/{project['id']}")).json()["needs"][0]
        assert need["pledged_cents"] == 4_200
