"""The web benchmark runs and reports its rates as ratios to the bare Litestar app (briefly: numbers, not speed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_web_benchmark_reports_rates_and_ratios() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_web", "--duration", "0.3", "--concurrency", "2", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    measures = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(measures) == 5
    assert measures[0]["name"] == "hello (Litestar seul)"
    assert measures[0]["ratio"] == 1.0
    for m in measures:
        assert m["requests"] > 0 and m["errors"] == 0, m
        assert m["rps"] > 0 and m["ratio"] > 0
