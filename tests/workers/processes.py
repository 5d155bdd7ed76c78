"""A separate ``commons worker`` process, as deployed, for the tests of the Redis setup."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from commons.settings import Settings


def environment(settings: Settings) -> dict[str, str]:
    """The environment of a ``commons`` command run against ``settings``' database and Redis."""
    return os.environ | {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "COMMONS_DATA_DIR": str(settings.data_dir),
        # On PostgreSQL the key must come from the environment.
        "COMMONS_SECRET_KEY": settings.secret_key.reveal().hex(),
    }


@contextmanager
def worker_process(settings: Settings, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """A worker consuming ``settings``' Redis and database; ``env``: more environment variables.

    Yields once the worker says it consumes (so tests measure delivery, not start-up); on exit it is
    asked to stop and must stop cleanly, with exit code 0.
    """
    assert settings.redis_url is not None
    process = subprocess.Popen(
        [sys.executable, "-m", "commons.cli", "worker", "--threads", "2"],
        env=environment(settings) | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    output = ""
    while "Worker démarré" not in output:
        line = process.stdout.readline().decode()
        assert line, f"the worker exited: {output}"
        output += line
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0, out.decode()
