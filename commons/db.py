"""The persistence foundation: declarative base, engine and session factory."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

from commons.errors import Conflict

# Stable constraint names, so migrations can drop and alter them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A moment in UTC; one given without a zone (e.g. an API client's "2027-06-30T18:00") is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# The execution option that marks an engine's transactions as read-only (see ``read_only``).
READ_ONLY = "commons_read_only"


def read_only(engine: AsyncEngine) -> AsyncEngine:
    """The same engine and pool, for transactions that only read (GET and HEAD requests).

    On SQLite they begin deferred rather than IMMEDIATE, so reads never wait for the write lock;
    PostgreSQL readers never wait for writers anyway.
    """
    return engine.execution_options(**{READ_ONLY: True})


@dataclass(frozen=True, slots=True)
class DatabaseTimeouts:
    """How long, in seconds, PostgreSQL may keep a request waiting before it fails (and answers 503).

    Without them, a database that stops answering holds every request until the kernel gives up on the
    connection: minutes, with the pool exhausted meanwhile.

    Parameters:
      connect: to open a connection.
      statement: for one statement, enforced by the server (``statement_timeout``); 0 for no limit
        (migrations, which may rewrite a large table).
      pool: to get a connection from the pool when all are in use.
    """

    connect: float = 5.0
    statement: float = 10.0
    pool: float = 5.0

    @property
    def command(self) -> float | None:
        """The client's own bound on a statement, for a server that no longer answers at all: a little
        longer than ``statement``, so a live server reports its own timeout first."""
        return self.statement + 2.0 if self.statement else None


def create_engine(database_url: str, timeouts: DatabaseTimeouts | None = None) -> AsyncEngine:
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # WAL lets the in-process worker read while the web process writes;
            # foreign keys are off by default in SQLite.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            # We issue BEGIN ourselves (below) instead of the driver's lazy one.
            dbapi_connection.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(connection: Any) -> None:
            if connection.get_execution_options().get(READ_ONLY):
                # A reader takes no lock up front: in WAL mode it reads its snapshot while a writer
                # writes, instead of queueing behind every write transaction.
                connection.exec_driver_sql("BEGIN")
            else:
                # Take the write lock up front: a deferred transaction that reads and then
                # writes fails at once (SQLITE_BUSY) when another connection wrote in between.
                connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    timeouts = timeouts or DatabaseTimeouts()
    return create_async_engine(
        database_url,
        pool_pre_ping=True,
        pool_timeout=timeouts.pool,
        connect_args={
            "timeout": timeouts.connect,
            "command_timeout": timeouts.command,
            "server_settings": {"statement_timeout": str(round(timeouts.statement * 1000))},
        },
    )


def create_sessionmaker(
    engine: AsyncEngine, sync_session_class: type[Session] = Session
) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=sync_session_class)


def str_enum(enum_class: type[enum.StrEnum], length: int = 20) -> Enum:
    """A string enum column stored by value, checked by the ORM on both databases."""
    return Enum(enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


async def commit_or_conflict(session: AsyncSession, message: str) -> None:
    """Commit, turning a lost race on a unique constraint into a clear conflict."""
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(message) from None
