"""The Redis deployment's fixtures: a PostgreSQL database and an empty Redis database of the tests' own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
import redis
from sqlalchemy.ext.asyncio import AsyncEngine

from commons.settings import Settings
from tests.conftest import REDIS_URL


@pytest.fixture
def redis_settings(settings: Settings, engine: AsyncEngine) -> Iterator[Settings]:
    # Requesting the engine sets up the table cleaning before the test starts (as the app fixture does).
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("the Redis deployment runs on PostgreSQL; SQLite runs its jobs in-process")
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield replace(settings, redis_url=REDIS_URL)
    connection.flushdb()
