"""How far the results being computed went: a board of the computations in flight, shown on the round page.

Not in the database: the consumer computing a result holds the round's row lock and an open
transaction, so progress written from another session would wait on PostgreSQL and on SQLite's
write lock. The board lives in Redis when the deployment has one (a separate worker computes,
the web process shows), else in this process's memory (embedded jobs run in the web process).

Progress is a courtesy: a board that fails is logged and never fails the computation or the page.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

import msgspec
import redis

from commons.db import utcnow
from commons.settings import Settings

logger = logging.getLogger(__name__)

TTL_SECONDS = 600
"""How long Redis keeps an entry no one clears (a worker that died while computing)."""

WRITE_INTERVAL = 0.5
"""The least time, in seconds, between two writes of one computation's progress."""


class RoundProgress(msgspec.Struct, frozen=True):
    """Where a round's computation is: the MES runs made so far, the share per voter of the latest one
    (in cents, None when the round has colleges: the share is then per unit of voter weight, not per
    voter), and when the computation started."""

    runs: int
    share_cents: int | None
    started_at: datetime

    def elapsed_seconds(self, now: datetime | None = None) -> int:
        """Whole seconds since the computation started."""
        return max(0, int(((now or utcnow()) - self.started_at).total_seconds()))


class Board(Protocol):
    """Where computations report their progress and pages read it, by round id."""

    def report(self, round_id: int, progress: RoundProgress) -> None: ...

    def read(self, round_id: int) -> RoundProgress | None: ...

    def clear(self, round_id: int) -> None: ...

    def close(self) -> None: ...


class MemoryBoard:
    """The board of embedded jobs: a dict shared by the web server and the in-process worker's threads."""

    def __init__(self) -> None:
        self._entries: dict[int, RoundProgress] = {}
        self._lock = threading.Lock()

    def report(self, round_id: int, progress: RoundProgress) -> None:
        with self._lock:
            self._entries[round_id] = progress

    def read(self, round_id: int) -> RoundProgress | None:
        with self._lock:
            return self._entries.get(round_id)

    def clear(self, round_id: int) -> None:
        with self._lock:
            self._entries.pop(round_id, None)

    def close(self) -> None:
        with self._lock:
            self._entries.clear()


class RedisBoard:
    """The board of the scaled-out setup: one small JSON per round, expiring, with the synchronous client
    (reports come from the thread that computes; pages read it off their event loop)."""

    def __init__(self, url: str) -> None:
        # Short timeouts: a Redis that does not answer must not hold a computation or a page for long.
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    @staticmethod
    def key(round_id: int) -> str:
        return f"commons:round-progress:{round_id}"

    def report(self, round_id: int, progress: RoundProgress) -> None:
        try:
            self._client.set(self.key(round_id), msgspec.json.encode(progress), ex=TTL_SECONDS)
        except redis.RedisError as error:
            logger.warning("round %s: progress not reported (%s)", round_id, error)

    def read(self, round_id: int) -> RoundProgress | None:
        try:
            raw = self._client.get(self.key(round_id))
            return None if raw is None else msgspec.json.decode(raw, type=RoundProgress)
        except (redis.RedisError, msgspec.DecodeError) as error:
            logger.warning("round %s: progress not read (%s)", round_id, error)
            return None

    def clear(self, round_id: int) -> None:
        try:
            self._client.delete(self.key(round_id))
        except redis.RedisError as error:
            logger.warning("round %s: progress not cleared (%s)", round_id, error)

    def close(self) -> None:
        self._client.close()


_board: Board = MemoryBoard()


def current_board() -> Board:
    """This process's board (in memory until ``install_board`` chose one from the settings)."""
    return _board


def install_board(settings: Settings) -> Board:
    """Choose this process's board from the settings, at start-up (web process and ``commons worker``)."""
    global _board
    _board.close()
    _board = RedisBoard(settings.redis_url) if settings.redis_url else MemoryBoard()
    return _board


class Reporter:
    """The ``progress`` callback of one computation (see ``commons.budgeting.compute.allocate``).

    Called from the thread that computes; writes to the board at most every ``interval`` seconds (the
    first report at once). A report dropped by the throttle is superseded by the next one, so the board
    is at most one MES run behind. Once closed, it clears the round's entry and reports nothing more,
    even from a computation still running in its thread.

    Parameters:
        round_id: the round being computed.
        show_share: whether the share is per voter (a round without colleges), so worth showing.
        board: where to report (default: this process's board).
        interval: the least time between two writes, in seconds.
        clock: a monotonic clock, in seconds.
    """

    def __init__(
        self,
        round_id: int,
        *,
        show_share: bool,
        board: Board | None = None,
        interval: float = WRITE_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.round_id = round_id
        self.show_share = show_share
        self.board = board if board is not None else current_board()
        self.started_at = utcnow()
        self._interval = interval
        self._clock = clock
        self._written_at: float | None = None
        self._closed = False
        # Reports come from the computing thread, the close from the consumer's: one at a time.
        self._lock = threading.Lock()

    def __call__(self, runs: int, share: Any) -> None:
        """Report ``runs`` MES runs so far, the latest at ``share`` (a rational, in cents per unit of weight)."""
        now = self._clock()
        with self._lock:
            if self._closed or (self._written_at is not None and now - self._written_at < self._interval):
                return
            self._written_at = now
            share_cents = int(share) if self.show_share else None
            self.board.report(
                self.round_id, RoundProgress(runs=runs, share_cents=share_cents, started_at=self.started_at)
            )

    def close(self) -> None:
        """The computation ended (done or failed): clear its entry, and ignore any later report."""
        with self._lock:
            self._closed = True
            self.board.clear(self.round_id)
