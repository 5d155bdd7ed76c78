"""Messages no retry can help go to the dead-letter queue at once; platform admins list and replay them;
a killed worker's messages come back to the others soon."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.events.models import OutboxEvent
from commons.settings import Settings
from commons.web.app import create_app
from tests import factories
from tests.conftest import eventually
from tests.workers.processes import environment, worker_process
from workers.actors import QUEUE, subscribers
from workers.broker import build_broker, start_worker
from workers.dead_letters import CommonsRedisBroker, DeadLetters

pytestmark = pytest.mark.faults


@pytest.fixture
def broker(redis_settings: Settings) -> Iterator[CommonsRedisBroker]:
    broker = build_broker(redis_settings)
    assert isinstance(broker, CommonsRedisBroker)
    yield broker
    broker.close()


async def test_undecodable_and_malformed_messages_are_dead_lettered_at_once(broker: CommonsRedisBroker) -> None:
    broker.do_enqueue(QUEUE, "garbage", b"\xff\xfe not a message")
    actor_name = subscribers("pledge.made")[0]
    broker.get_actor(actor_name).send(12345)
    dead_letters = DeadLetters(broker, QUEUE)
    worker = start_worker(broker, threads=1)
    try:

        async def both_dead_lettered() -> bool:
            return len(dead_letters.list()) == 2

        # At once: ten retries with backoff would take minutes.
        await eventually(both_dead_lettered, timeout=3)
    finally:
        worker.stop()
    by_kind = {letter.actor is None: letter for letter in dead_letters.list()}
    assert by_kind[True].raw is not None and "not a message" in by_kind[True].raw
    assert (by_kind[False].actor, by_kind[False].args) == (actor_name, [12345])
    with pytest.raises(Exception, match="illisible"):
        dead_letters.replay(by_kind[True].id)


async def _pledge_without_worker(
    settings: Settings, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> tuple[dict[str, Any], factories.Actor]:
    """A pledge whose events are queued in Redis, with no worker to process them yet."""
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
            async with sessionmaker() as check:
                return await check.scalar(unpublished) == 0

        await eventually(all_published)
    return project, lead


async def _pledged_cents(client: factories.Client, project: dict[str, Any]) -> int:
    need = (await client.get(f"/api/v1/projects/{project['id']}")).json()["needs"][0]
    return int(need["pledged_cents"])


async def test_platform_admin_lists_and_replays_dead_letters(
    redis_settings: Settings,
    broker: CommonsRedisBroker,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # Redelivery out of the way: the replay alone must bring the effect.
    settings = replace(redis_settings, redelivery_delay=timedelta(hours=1))
    project, _ = await _pledge_without_worker(settings, session, sessionmaker)
    # Every queued message fails for good, as after its retries ran out.
    consumer = broker.consume(QUEUE, prefetch=100, timeout=100)
    while (message := next(consumer)) is not None:
        consumer.nack(message)
    consumer.close()

    admin = await factories.platform_admin(session)
    async with AsyncTestClient(create_app(settings), base_url="https://testserver.local") as client:
        token = await client.post("/api/v1/tokens", json={"email": admin.email, "password": factories.PASSWORD})
        admin_headers = {"Authorization": f"Bearer {token.json()['token']}"}
        citizen = await factories.api_user(client, "Curieux")
        assert (await client.get("/api/v1/admin/dead-letters", headers=citizen.headers)).status_code == 403
        listed = await client.get("/api/v1/admin/dead-letters", headers=admin_headers)
        assert listed.status_code == 200
        letters = listed.json()
        assert {letter["actor"] for letter in letters} >= set(subscribers("pledge.made"))
        assert (await client.post("/api/v1/admin/dead-letters/nope/replay", headers=admin_headers)).status_code == 404

        first = await client.post(f"/api/v1/admin/dead-letters/{letters[0]['id']}/replay", headers=admin_headers)
        assert first.json() == {"replayed": 1}
        rest = await client.post("/api/v1/admin/dead-letters/replay", headers=admin_headers)
        assert rest.json() == {"replayed": len(letters) - 1}
        assert (await client.get("/api/v1/admin/dead-letters", headers=admin_headers)).json() == []

        with worker_process(settings):

            async def totals_updated() -> bool:
                return await _pledged_cents(client, project) == 4_200

            await eventually(totals_updated, timeout=10)


async def test_messages_of_a_killed_worker_come_back_to_the_others(
    redis_settings: Settings,
    broker: CommonsRedisBroker,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    settings = replace(redis_settings, redelivery_delay=timedelta(hours=1))
    project, _ = await _pledge_without_worker(settings, session, sessionmaker)
    # A worker fetches every queued message, then dies before acknowledging any (as under SIGKILL).
    dying = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _FETCH_AND_DIE, settings.redis_url or "", stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = await asyncio.wait_for(dying.communicate(), timeout=30)
    assert dying.returncode == -9, err.decode()
    assert int(out) > 0
    assert broker.client.llen(f"commons:{QUEUE}") == 0

    # One second of silence makes a worker dead here; production waits COMMONS_WORKER_HEARTBEAT_TIMEOUT (30 s).
    with worker_process(settings, COMMONS_WORKER_HEARTBEAT_TIMEOUT="1"):
        async with AsyncTestClient(create_app(settings), base_url="https://testserver.local") as client:

            async def totals_updated() -> bool:
                return await _pledged_cents(client, project) == 4_200

            await eventually(totals_updated, timeout=10)


# Fetches the whole queue through the Commons broker, prints how many, and kills itself.
_FETCH_AND_DIE = f"""
import os, signal, sys
from dramatiq.brokers.redis import RedisBroker
broker = RedisBroker(url=sys.argv[1], namespace="commons")
consumer = broker.consume({QUEUE!r}, prefetch=100, timeout=100)
fetched = 0
while next(consumer) is not None:
    fetched += 1
print(fetched, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


async def test_dead_letters_command_lists_and_replays(redis_settings: Settings, broker: CommonsRedisBroker) -> None:
    actor_name = subscribers("pledge.made")[0]
    broker.get_actor(actor_name).send("an-event-id")
    consumer = broker.consume(QUEUE, prefetch=1, timeout=100)
    consumer.nack(next(consumer))
    consumer.close()

    async def commons(*args: str) -> str:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "commons.cli",
            "admin",
            "dead-letters",
            *args,
            env=environment(redis_settings),
            stdout=subprocess.PIPE,
        )
        out, _ = await asyncio.wait_for(process.communicate(), timeout=60)
        assert process.returncode == 0
        return out.decode()

    listed = await commons()
    assert f"{actor_name}('an-event-id',)" in listed
    assert "1 message(s) en échec." in listed
    (letter,) = DeadLetters(broker, QUEUE).list()
    assert f"Message {letter.id} remis en file." in await commons("--replay", letter.id)
    assert "0 message(s) en échec." in await commons()
    assert broker.client.llen(f"commons:{QUEUE}") == 1
