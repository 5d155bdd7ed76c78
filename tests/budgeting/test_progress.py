"""The progress board: how far a round's computation went, in memory or in Redis, reported while it runs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import gmpy2
import pytest
import redis
from sqlalchemy.ext.asyncio import AsyncSession

from commons.budgeting import progress, services
from commons.budgeting.compute import allocate
from commons.budgeting.progress import Board, MemoryBoard, RedisBoard, Reporter, RoundProgress
from commons.budgeting.rules import Allocation
from commons.db import utcnow
from commons.settings import Settings
from tests import factories
from tests.budgeting.helpers import call_with_projects, create_round, published_result
from tests.conftest import REDIS_URL, TEST_SECRET_KEY
from tests.factories import Client


def _progress(runs: int = 3, share_cents: int | None = 12_345) -> RoundProgress:
    return RoundProgress(runs=runs, share_cents=share_cents, started_at=utcnow() - timedelta(seconds=42))


@pytest.fixture
def redis_board() -> Iterator[RedisBoard]:
    board = RedisBoard(REDIS_URL)
    yield board
    board.clear(7)
    board.close()


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_a_board_keeps_the_last_report_until_cleared(kind: str, request: pytest.FixtureRequest) -> None:
    board: Board = MemoryBoard() if kind == "memory" else request.getfixturevalue("redis_board")
    assert board.read(7) is None
    board.report(7, _progress(runs=1))
    latest = _progress(runs=2, share_cents=None)
    board.report(7, latest)
    assert board.read(7) == latest
    assert board.read(8) is None
    board.clear(7)
    assert board.read(7) is None


def test_redis_entry_is_a_small_json_that_expires(redis_board: RedisBoard) -> None:
    reported = _progress()
    redis_board.report(7, reported)
    client = redis.Redis.from_url(REDIS_URL)
    try:
        key = "commons:round-progress:7"
        assert 0 < client.ttl(key) <= progress.TTL_SECONDS
        raw = client.get(key)
        assert raw is not None
        assert json.loads(raw) == {
            "runs": 3,
            "share_cents": 12_345,
            "started_at": reported.started_at.isoformat().replace("+00:00", "Z"),
        }
    finally:
        client.close()


def test_an_unreachable_redis_neither_fails_the_computation_nor_the_page() -> None:
    board = RedisBoard("redis://127.0.0.1:1/0")
    board.report(7, _progress())
    assert board.read(7) is None
    board.clear(7)
    board.close()


def test_elapsed_seconds_count_from_the_start() -> None:
    started = utcnow()
    entry = RoundProgress(runs=1, share_cents=None, started_at=started)
    assert entry.elapsed_seconds(started + timedelta(seconds=75, milliseconds=600)) == 75
    assert entry.elapsed_seconds(started - timedelta(seconds=1)) == 0


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_reporter_writes_at_most_every_interval_and_the_latest_value_after_it() -> None:
    board, clock = MemoryBoard(), FakeClock()
    reporter = Reporter(7, show_share=True, board=board, interval=0.5, clock=clock)
    reporter(1, gmpy2.mpq(250_001, 2))
    first = board.read(7)
    assert first is not None and (first.runs, first.share_cents) == (1, 125_000)
    assert first.started_at == reporter.started_at
    clock.now += 0.2
    reporter(2, gmpy2.mpq(130_000))
    assert board.read(7) == first  # throttled
    clock.now += 0.4
    reporter(3, gmpy2.mpq(140_000))
    latest = board.read(7)
    assert latest is not None and (latest.runs, latest.share_cents) == (3, 140_000)
    assert latest.started_at == first.started_at


def test_reporter_leaves_the_share_out_with_colleges() -> None:
    board = MemoryBoard()
    Reporter(7, show_share=False, board=board)(4, gmpy2.mpq(3, 7))
    entry = board.read(7)
    assert entry is not None and (entry.runs, entry.share_cents) == (4, None)


def test_a_closed_reporter_clears_its_entry_and_reports_no_more() -> None:
    board, clock = MemoryBoard(), FakeClock()
    reporter = Reporter(7, show_share=True, board=board, clock=clock)
    reporter(1, 100)
    reporter.close()
    assert board.read(7) is None
    clock.now += 10
    reporter(2, 200)  # a computation that outlived its consumer
    assert board.read(7) is None


@pytest.mark.parametrize(("redis_url", "kind"), [(None, MemoryBoard), (REDIS_URL, RedisBoard)])
def test_the_board_follows_the_settings(
    redis_url: str | None, kind: type[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "_board", MemoryBoard())
    settings = Settings(
        data_dir=tmp_path,
        database_url="sqlite+aiosqlite:///unused",
        redis_url=redis_url,
        secret_key=TEST_SECRET_KEY,
        secure_cookies=True,
        debug=False,
    )
    installed = progress.install_board(settings)
    try:
        assert isinstance(installed, kind) and progress.current_board() is installed
    finally:
        installed.close()


class SpyBoard(MemoryBoard):
    """A memory board that remembers every report and clear, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, int, RoundProgress | None]] = []

    def report(self, round_id: int, progress: RoundProgress) -> None:
        self.log.append(("report", round_id, progress))
        super().report(round_id, progress)

    def clear(self, round_id: int) -> None:
        self.log.append(("clear", round_id, None))
        super().clear(round_id)


@pytest.mark.parametrize("with_colleges", [False, True])
async def test_computing_an_add1_round_reports_its_runs_then_clears(
    client: Client, session: AsyncSession, monkeypatch: pytest.MonkeyPatch, with_colleges: bool
) -> None:
    spy = SpyBoard()
    monkeypatch.setattr(progress, "_board", spy)
    computed_in: list[str] = []

    def allocate_watched(*args: Any) -> Allocation:
        """The rule, noting whether it runs on an event loop (which it would keep from serving meanwhile)."""
        try:
            asyncio.get_running_loop()
            computed_in.append("event loop")
        except RuntimeError:
            computed_in.append("thread")
        return allocate(*args)

    monkeypatch.setattr(services, "allocate", allocate_watched)
    stage = await call_with_projects(client, session, [60_000, 50_000, 40_000])
    first, second, third = stage["projects"]
    colleges = [{"name": "Habitants", "weight": 1, "kinds": ["habitant"]}] if with_colleges else []
    round_ = await create_round(client, stage, completion="add1", colleges=colleges)
    for i, approvals in enumerate([[first], [first, second], [second, third], [third]]):
        voter = await factories.api_user(client, f"Votant{i}")
        cast = await client.put(
            f"/api/v1/rounds/{round_['id']}/ballot", json={"approvals": approvals}, headers=voter.headers
        )
        assert cast.status_code == 200, cast.text
    closed = await client.post(f"/api/v1/rounds/{round_['id']}/close", headers=stage["mayor"].headers)
    assert closed.status_code == 200

    result = await published_result(client, round_["id"])
    assert result["voter_count"] == 4
    assert computed_in == ["thread"]
    reports = [entry for op, _, entry in spy.log if op == "report"]
    assert reports, "the completion's MES runs were not reported"
    assert all(entry is not None and entry.runs >= 1 for entry in reports)
    shares = {entry.share_cents for entry in reports if entry is not None}
    assert (shares == {None}) if with_colleges else (None not in shares and min(shares) >= 100_000 // 4)
    assert spy.log[-1][:2] == ("clear", round_["id"])
    assert {round_id for _, round_id, _ in spy.log} == {round_["id"]}
    assert spy.read(round_["id"]) is None
    assert (await client.get(f"/api/v1/rounds/{round_['id']}")).json()["progress"] is None
