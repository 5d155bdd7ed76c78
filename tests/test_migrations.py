"""Migrations build the whole schema, revert cleanly, and match the models, on both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from commons.db import create_engine
from commons.migrate import downgrade, upgrade
from commons.models import Base
from tests.conftest import create_postgres_database, drop_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    url = asyncio.run(create_postgres_database("commons_migrations"))
    yield url
    asyncio.run(drop_postgres_database(url))


def _inspect(url: str, probe: Any) -> Any:
    async def run() -> Any:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(probe)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def _differences(connection: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    upgrade(empty_database)
    assert _inspect(empty_database, _tables) == set(Base.metadata.tables)
    downgrade(empty_database, "base")
    assert _inspect(empty_database, _tables) == set()
    upgrade(empty_database)
    assert _inspect(empty_database, _tables) == set(Base.metadata.tables)


def test_migrations_match_the_models(empty_database: str) -> None:
    upgrade(empty_database)
    assert _inspect(empty_database, _differences) == []
