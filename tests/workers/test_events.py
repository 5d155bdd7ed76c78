"""The outbox, the relay and the consumers: no event lost, none invented, each applied once."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.events.consumers import consume
from commons.events.models import OutboxEvent, ProcessedEvent
from commons.events.outbox import EventType, record_event
from commons.notifications.models import Notification
from commons.notifications.services import notify
from commons.pledges.models import Pledge
from commons.settings import Settings
from tests import factories
from tests.conftest import eventually
from workers.actors import subscribers
from workers.broker import build_broker
from workers.relay import Relay

Client = AsyncTestClient[Litestar]


async def _scalar(sessionmaker: async_sessionmaker[AsyncSession], query: Any) -> Any:
    async with sessionmaker() as session:
        return await session.scalar(query)


async def _pledge(client: Client, session: AsyncSession) -> tuple[dict[str, Any], factories.Actor]:
    mayor = await factories.authority(session, client)
    challenge = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, challenge["id"])
    contributor = await factories.api_user(client, "Donateur")
    response = await client.post(
        f"/api/v1/projects/{project['id']}/pledges",
        json={"need_id": project["needs"][0]["id"], "kind": "money", "amount_cents": 4_200},
        headers=contributor.headers,
    )
    assert response.status_code == 201
    return project, lead


async def test_event_delivered_twice_has_one_effect(
    client: Client, app: Litestar, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    project, lead = await _pledge(client, session)
    pledge_event = select(OutboxEvent.event_id).where(OutboxEvent.type == EventType.PLEDGE_MADE)
    notifications = select(func.count()).select_from(Notification).where(Notification.user_id == lead.id)

    async def notified_once() -> bool:
        return bool(await _scalar(sessionmaker, notifications) == 1)

    await eventually(notified_once)
    event_id = await _scalar(sessionmaker, pledge_event)

    # The broker redelivers the same event to every consumer (as after a relay crash).
    broker = app.state.runtime.broker
    for actor_name in subscribers(EventType.PLEDGE_MADE):
        broker.get_actor(actor_name).send(event_id)
    broker.join("events")

    assert await _scalar(sessionmaker, notifications) == 1
    processed = select(func.count()).select_from(ProcessedEvent).where(ProcessedEvent.event_id == event_id)
    assert await _scalar(sessionmaker, processed) == len(subscribers(EventType.PLEDGE_MADE))
    need = (await client.get(f"/api/v1/projects/{project['id']}")).json()["needs"][0]
    assert need["pledged_cents"] == 4_200


async def test_consumer_called_twice_applies_once(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    """The same, one level down: the actor's function itself, run twice on one event id."""
    _, lead = await _pledge(client, session)
    notifications = select(func.count()).select_from(Notification).where(Notification.user_id == lead.id)

    async def notified() -> bool:
        return bool(await _scalar(sessionmaker, notifications) == 1)

    await eventually(notified)
    event_id = await _scalar(sessionmaker, select(OutboxEvent.event_id).where(OutboxEvent.type == "pledge.made"))
    async with sessionmaker() as first:
        assert await consume(first, consumer="commons.notifications.notify", event_id=event_id, handler=notify) is False
    assert await _scalar(sessionmaker, notifications) == 1


async def test_event_of_a_rolled_back_transaction_is_never_published(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, client: Client, session: AsyncSession
) -> None:
    project, _ = await _pledge(client, session)
    unpublished = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_(None))

    async def all_published() -> bool:
        # The application's own relay has sent what the requests wrote: what is left is ours alone.
        return bool(await _scalar(sessionmaker, unpublished) == 0)

    await eventually(all_published)
    published_before = await _scalar(sessionmaker, select(func.count()).select_from(OutboxEvent))

    async with sessionmaker() as failing:
        failing.add(
            Pledge(
                project_id=project["id"],
                need_id=project["needs"][0]["id"],
                contributor_id=1,
                kind="money",
                amount=1,
            )
        )
        record_event(failing, EventType.PLEDGE_MADE, pledge_id=0, project_id=project["id"])
        await failing.flush()
        await failing.rollback()

    broker = build_broker(settings)
    sent = await Relay(sessionmaker, broker).drain()
    assert sent == 0
    assert broker.queues.get("events") is None or broker.queues["events"].qsize() == 0
    assert await _scalar(sessionmaker, select(func.count()).select_from(OutboxEvent)) == published_before


async def test_events_wait_in_the_outbox_while_the_broker_is_down(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with sessionmaker() as session:
        record_event(session, EventType.CHALLENGE_CLOSED, challenge_id=1)
        await session.commit()
    pending = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_(None))

    # Nothing listens on port 1: every send fails, so nothing may be marked published.
    down = build_broker(replace(settings, redis_url="redis://127.0.0.1:1/0"))
    with pytest.raises(Exception, match=r"(?i)connect"):
        await Relay(sessionmaker, down).drain()
    assert await _scalar(sessionmaker, pending) == 1

    up = build_broker(settings)
    assert await Relay(sessionmaker, up).drain() == 1
    assert await _scalar(sessionmaker, pending) == 0
    # One message per consumer of the event (notifications, page cache).
    assert up.queues["events"].qsize() == len(subscribers(EventType.CHALLENGE_CLOSED))
