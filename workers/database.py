"""The database handle of a worker process, created at boot and disposed at shutdown.

The engine is bound to the worker's event loop thread (Dramatiq's AsyncIO middleware),
so it is made when the worker boots, never at import time.
"""

from __future__ import annotations

from typing import Any

from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware import Middleware
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from commons.db import DatabaseTimeouts, create_engine, create_sessionmaker

_engine: AsyncEngine | None = None
_sessionmaker: async_sessionmaker[AsyncSession] | None = None


def sessionmaker() -> async_sessionmaker[AsyncSession]:
    if _sessionmaker is None:
        raise RuntimeError("the worker's database is not set up: is DatabaseMiddleware on the broker?")
    return _sessionmaker


class DatabaseMiddleware(Middleware):
    """Creates the worker's engine when it boots and disposes of it when it stops."""

    def __init__(self, database_url: str, timeouts: DatabaseTimeouts | None = None) -> None:
        self.database_url = database_url
        self.timeouts = timeouts

    def after_worker_boot(self, broker: Any, worker: Any) -> None:
        global _engine, _sessionmaker
        _engine = create_engine(self.database_url, self.timeouts)
        _sessionmaker = create_sessionmaker(_engine)

    def after_worker_shutdown(self, broker: Any, worker: Any) -> None:
        # Once the worker threads finished their messages, and before the AsyncIO middleware
        # stops the event loop the connections live on.
        global _engine, _sessionmaker
        loop_thread = get_event_loop_thread()
        if _engine is not None and loop_thread is not None:
            loop_thread.run_coroutine(_engine.dispose())
        _engine, _sessionmaker = None, None
