"""What a running web process holds: the engine, the broker, the relay, and in-process jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import dramatiq
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from commons.budgeting.progress import install_board
from commons.budgeting.services import close_due_rounds
from commons.db import create_engine, create_sessionmaker, read_only
from commons.mail.senders import install_postman
from commons.pledges.settlement import settle_due_projects
from commons.settings import Settings
from commons.web.page_cache import install_page_cache
from workers.broker import build_broker, start_worker
from workers.relay import Redelivery, Relay

logger = logging.getLogger(__name__)


class Runtime:
    """Started and stopped with the application (Litestar ``on_startup`` / ``on_shutdown``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine: AsyncEngine | None = None
        self._sessionmaker: async_sessionmaker[AsyncSession] | None = None
        self._read_sessionmaker: async_sessionmaker[AsyncSession] | None = None
        self.broker: dramatiq.Broker | None = None
        self.worker: dramatiq.Worker | None = None
        self.relay: Relay | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        self._commit_hook: tuple[type[Session], Callable[[Any], None]] | None = None

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        if self._sessionmaker is None:
            raise RuntimeError("the application is not started")
        return self._sessionmaker

    @property
    def read_sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        """Sessions for requests that only read (GET, HEAD): on SQLite they do not wait for the write lock."""
        if self._read_sessionmaker is None:
            raise RuntimeError("the application is not started")
        return self._read_sessionmaker

    async def start(self) -> None:
        self.engine = create_engine(self.settings.database_url, self.settings.database_timeouts)
        # A session class of our own, so the commit hook below sees this process's web sessions only.
        web_session: type[Session] = type("WebSession", (Session,), {})
        self._sessionmaker = create_sessionmaker(self.engine, web_session)
        self._read_sessionmaker = create_sessionmaker(read_only(self.engine), web_session)
        # Before the in-process worker starts: its computations report where the pages read.
        install_board(self.settings)
        install_postman(self.settings)
        install_page_cache(self.settings)
        self.broker = build_broker(self.settings)
        if self.settings.embedded_jobs:
            # No Redis: the stub broker's queue is consumed by a worker in this process.
            self.worker = start_worker(self.broker, threads=1)
        self.relay = Relay(
            self._sessionmaker,
            self.broker,
            redelivery=Redelivery(self.settings.redelivery_delay, self.settings.redelivery_attempts),
        )
        relay = self.relay

        def _wake_relay(_session: Any) -> None:
            relay.wakeup.set()

        # A commit may have written events: publish them now rather than at the next poll.
        event.listen(web_session, "after_commit", _wake_relay)
        self._commit_hook = (web_session, _wake_relay)
        self._stopping = asyncio.Event()
        self._tasks = [
            asyncio.create_task(self.relay.run(self._stopping)),
            asyncio.create_task(self._sweep_deadlines()),
        ]

    async def _sweep_deadlines(self, interval: float = 30.0) -> None:
        """Close due rounds and settle due projects, at start-up (deadlines missed while nothing ran) and then
        periodically, until the application stops (between passes, like the relay)."""
        while not self._stopping.is_set():
            try:
                async with self.sessionmaker() as session:
                    await close_due_rounds(session)
                    await settle_due_projects(session)
            except Exception:
                logger.exception("deadline sweep failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=interval)

    async def stop(self) -> None:
        self._stopping.set()
        if self.relay is not None:
            self.relay.wakeup.set()
        # Let the loops finish their pass: cancelling one inside a database call could leave a transaction open.
        await asyncio.gather(*self._tasks)
        if self._commit_hook is not None:
            # SQLAlchemy keeps class listeners in a weak-keyed registry, but this listener holds the class
            # (through the relay's sessionmaker): left in place, it would keep the whole runtime alive.
            session_class, listener = self._commit_hook
            event.remove(session_class, "after_commit", listener)
            self._commit_hook = None
        if self.worker is not None:
            await asyncio.to_thread(self.worker.stop)
        if self.broker is not None:
            self.broker.close()
        if self.engine is not None:
            await self.engine.dispose()
