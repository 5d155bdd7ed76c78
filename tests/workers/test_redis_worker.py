"""The scaled-out setup for real: the web app publishes to Redis, a separate `commons worker` consumes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace

import pytest
import redis
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from commons.settings import Settings
from commons.web.app import create_app
from tests import factories
from tests.conftest import REDIS_URL, TEST_SECRET_KEY, eventually


@pytest.fixture
def redis_settings(settings: Settings) -> Iterator[Settings]:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("the Redis deployment runs on PostgreSQL; SQLite runs its jobs in-process")
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield replace(settings, redis_url=REDIS_URL)
    connection.flushdb()


@pytest.fixture
def worker_process(redis_settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    env = os.environ | {
        "DATABASE_URL": redis_settings.database_url,
        "REDIS_URL": REDIS_URL,
        "COMMONS_DATA_DIR": str(redis_settings.data_dir),
        # On PostgreSQL the key must come from the environment.
        "COMMONS_SECRET_KEY": TEST_SECRET_KEY.reveal().hex(),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "commons.cli", "worker", "--threads", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    # Measure delivery, not start-up: wait for the worker to say it consumes.
    assert process.stdout is not None
    output = ""
    while "Worker démarré" not in output:
        line = process.stdout.readline().decode()
        assert line, f"the worker exited: {output}"
        output += line
    yield process
    process.terminate()
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output.decode()


async def test_separate_worker_process_updates_totals_from_redis(
    redis_settings: Settings, worker_process: subprocess.Popen[bytes], session: AsyncSession
) -> None:
    app = create_app(redis_settings)
    assert app.state.runtime.settings.embedded_jobs is False
    async with AsyncTestClient(app, base_url="https://testserver.local") as client:
        mayor = await factories.authority(session, client)
        challenge = await factories.open_challenge(client, mayor)
        citizen = await factories.api_user(client, "Citoyenne")
        project = await factories.project(
            client,
            citizen,
            challenge["id"],
            needs=[{"kind": "money", "label": "Vélos", "min_cents": 50_000, "max_cents": 80_000}],
        )
        contributor = await factories.api_user(client, "Contributeur")
        pledged = await client.post(
            f"/api/v1/projects/{project['id']}/pledges",
            json={"need_id": project["needs"][0]["id"], "kind": "money", "amount_cents": 12_000},
            headers=contributor.headers,
        )
        assert pledged.status_code == 201

        async def totals_updated() -> bool:
            need = (await client.get(f"/api/v1/projects/{project['id']}")).json()["needs"][0]
            return bool(need["pledged_cents"] == 12_000)

        # Within two seconds, as the issue promises — a generous bound, not a benchmark.
        await eventually(totals_updated, timeout=2.0)
        assert app.state.runtime.worker is None, "with Redis the web process must not consume jobs itself"
        notes = await client.get("/api/v1/me/notifications", headers=citizen.headers)
        assert any("120 €" in n["message"] for n in notes.json())
