"""Fixtures shared by the whole suite.

Every database test runs on both databases: the session-scoped ``database_url`` fixture is
parametrized with SQLite and PostgreSQL, so pytest runs the suite once per database. Use
cases commit for real (the outbox relay and the workers need real commits), so each test
starts from empty tables instead of running inside a rolled-back transaction.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path

import asyncpg
import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from commons.accounts import security
from commons.budgeting.rules.ahead import Ahead
from commons.db import create_engine, create_sessionmaker
from commons.migrate import upgrade
from commons.models import Base
from commons.settings import Secret, Settings
from commons.web.app import create_app

POSTGRES_SERVER = os.environ.get("COMMONS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("COMMONS_TEST_REDIS", "redis://127.0.0.1:6379/15")
# The one key the tests sign with: valid (32 bytes) and public, so never a production key.
TEST_SECRET_KEY = Secret(bytes.fromhex("0123456789abcdef" * 4))


async def create_postgres_database(prefix: str) -> str:
    """A new empty PostgreSQL database; returns its async SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(f"{POSTGRES_SERVER}/postgres")
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return f"{POSTGRES_SERVER.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"


async def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(f"{POSTGRES_SERVER}/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """Cheap argon2 parameters in tests: the production cost would dominate the suite's time."""
    original = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    security._hasher = original


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of each kind, for the whole session."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'commons.sqlite3'}"
        upgrade(url)
        yield url
        return
    url = asyncio.run(create_postgres_database("commons_test"))
    upgrade(url)
    yield url
    asyncio.run(drop_postgres_database(url))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory of the test's own: its mailbox holds only the test's messages."""
    return tmp_path


@pytest.fixture
def settings(database_url: str, data_dir: Path) -> Settings:
    """Embedded jobs (no Redis): the application runs its worker in-process."""
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        redis_url=None,
        secret_key=TEST_SECRET_KEY,
        secure_cookies=True,
        debug=False,
    )


@pytest.fixture
def redis_settings(settings: Settings) -> Settings:
    return replace(settings, redis_url=REDIS_URL)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


async def empty_tables(engine: AsyncEngine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(autouse=True)
async def _clean_database(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Tests that touch a database find it empty, whatever the one before did."""
    engine = request.getfixturevalue("engine") if "database_url" in request.fixturenames else None
    yield
    if engine is not None:
        await empty_tables(engine)


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine) -> Litestar:
    # Requesting the engine creates it (and so the table cleaning) before the app starts.
    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    # https, since the session cookie is Secure.
    async with AsyncTestClient(app, base_url="https://testserver.local") as client:
        yield client


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    """Wait until ``check`` holds: the workers apply events after the request has answered."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@pytest.fixture
def helper_answers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """add1's helper process (when the caller allows one) started at the first float run, whatever the
    machine; each helper, as it closes, appends how many runs it answered to the list returned."""
    equal_shares_module = sys.modules["commons.budgeting.rules.equal_shares"]
    answered: list[int] = []
    close = Ahead.close

    def counting_close(self: Ahead) -> None:
        answered.append(self.answered)
        close(self)

    monkeypatch.setattr(equal_shares_module, "_AHEAD_AFTER", 0.0)
    monkeypatch.setattr(equal_shares_module, "spare_cores", lambda: 1)
    monkeypatch.setattr(Ahead, "close", counting_close)
    return answered
