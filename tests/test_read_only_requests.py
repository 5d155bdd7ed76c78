"""GET and HEAD requests read without waiting for writers (on SQLite, without the write lock)."""

from __future__ import annotations

import asyncio

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from commons.events.outbox import EventType, record_event


async def test_a_page_answers_while_a_write_transaction_is_open(
    client: AsyncTestClient[Litestar], session: AsyncSession
) -> None:
    # A writer in the middle of its transaction: on SQLite it holds the write lock until it commits.
    record_event(session, EventType.CHALLENGE_PUBLISHED, challenge_id=0)
    await session.flush()
    try:
        # With the write lock taken up front, the request would wait for the busy timeout (30 s), then fail.
        answer = await asyncio.wait_for(client.get("/api/v1/challenges"), timeout=10)
        assert answer.status_code == 200
        home = await asyncio.wait_for(client.get("/"), timeout=10)
        assert home.status_code == 200
    finally:
        await session.rollback()
