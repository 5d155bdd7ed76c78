"""A database that is down or frozen is answered with a quick 503 and a Retry-After, and the application
recovers by itself once the database is back."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from commons.db import DatabaseTimeouts, create_engine
from commons.settings import Settings
from commons.web.app import create_app
from tests.conftest import eventually
from tests.proxy import TcpProxy

pytestmark = pytest.mark.faults

# Short bounds, so each test takes a few seconds; production uses the defaults or the environment.
TIMEOUTS = DatabaseTimeouts(connect=1.0, statement=1.0, pool=1.0)


@pytest.fixture
def postgresql_settings(settings: Settings, engine: AsyncEngine) -> Settings:
    # Requesting the engine sets up the table cleaning before the test starts (as the app fixture does).
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL over the network; SQLite is a file of the same process")
    return settings


@pytest.fixture
def proxy(postgresql_settings: Settings) -> Iterator[TcpProxy]:
    url = make_url(postgresql_settings.database_url)
    assert url.host is not None and url.port is not None
    proxy = TcpProxy(url.host, url.port)
    yield proxy
    proxy.close()


@pytest.fixture
async def proxied_client(settings: Settings, proxy: TcpProxy) -> AsyncIterator[AsyncTestClient[Litestar]]:
    url = make_url(settings.database_url).set(host="127.0.0.1", port=proxy.port)
    proxied = replace(settings, database_url=url.render_as_string(hide_password=False), database_timeouts=TIMEOUTS)
    async with AsyncTestClient(create_app(proxied), base_url="https://testserver.local") as client:
        yield client


async def _answers(client: AsyncTestClient[Litestar]) -> bool:
    return (await client.get("/api/v1/challenges")).status_code == 200


async def _assert_unavailable(client: AsyncTestClient[Litestar]) -> None:
    started = time.monotonic()
    api = await client.get("/api/v1/challenges")
    assert api.status_code == 503, api.text
    assert int(api.headers["retry-after"]) > 0
    assert "indisponible" in api.json()["detail"]
    page = await client.get("/")
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert int(page.headers["retry-after"]) > 0
    assert "indisponible" in page.text
    # Bounded by the timeouts (a few seconds each, more on a loaded machine), not by the 30 s and more
    # measured before them.
    assert time.monotonic() - started < 15


async def test_database_down_answers_503_then_recovers(
    proxied_client: AsyncTestClient[Litestar], proxy: TcpProxy
) -> None:
    assert await _answers(proxied_client)
    proxy.refuse()
    await _assert_unavailable(proxied_client)
    proxy.restore()
    await eventually(lambda: _answers(proxied_client), timeout=10)


async def test_frozen_database_answers_503_quickly_then_recovers(
    proxied_client: AsyncTestClient[Litestar], proxy: TcpProxy
) -> None:
    assert await _answers(proxied_client)
    proxy.freeze()
    await _assert_unavailable(proxied_client)
    proxy.restore()
    await eventually(lambda: _answers(proxied_client), timeout=10)


@pytest.mark.parametrize(
    ("timeouts", "shown"),
    [(TIMEOUTS, "1s"), (DatabaseTimeouts(statement=0), "0")],
    ids=["requests", "migrations"],
)
async def test_postgresql_sessions_carry_a_statement_timeout(
    postgresql_settings: Settings, timeouts: DatabaseTimeouts, shown: str
) -> None:
    engine = create_engine(postgresql_settings.database_url, timeouts)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("SHOW statement_timeout")) == shown
    finally:
        await engine.dispose()
