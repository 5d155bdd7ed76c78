"""Benchmark: requests per second of Commons' pages and API, as ratios to a bare Litestar app.

Run from the repository root:

    python -m bench.bench_web [--duration 10] [--concurrency 20] [--workers N] [--json]

In one command it loads the demonstration territory into a fresh data directory (SQLite, or
``DATABASE_URL``/``REDIS_URL`` if set), starts a bare Litestar "hello" app and ``commons serve`` (with
``--workers``, passed on) on free ports, and sends each URL keep-alive GET requests from
``--concurrency`` connections for ``--duration`` seconds. Each rate is printed with its ratio to the
hello app's, measured by the same load generator on the same machine in the same run: absolute
numbers vary between machines, the ratios much less.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from litestar import Litestar, get

ROOT = Path(__file__).resolve().parents[1]


@get("/", sync_to_thread=False)
def _hello() -> str:
    return "hello"


# The reference: what Litestar and uvicorn cost on this machine, with no application work.
hello_app = Litestar(route_handlers=[_hello])


@dataclass(frozen=True)
class Measure:
    name: str
    path: str
    requests: int
    errors: int
    seconds: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


async def _client(host: str, port: int, path: str, until: float, counts: list[int]) -> None:
    """One keep-alive connection sending GETs until ``until``: counts[0] answers 200, counts[1] others.

    A minimal HTTP/1.1 client (Content-Length bodies only, as Litestar answers): a general one would
    spend more CPU than the servers it measures, on a machine they share.
    """
    reader, writer = await asyncio.open_connection(host, port)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    try:
        while time.perf_counter() < until:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            counts[0 if status == 200 else 1] += 1
    finally:
        writer.close()


async def measure(name: str, port: int, path: str, duration: float, concurrency: int) -> Measure:
    counts = [0, 0]
    started = time.perf_counter()
    until = started + duration
    await asyncio.gather(*(_client("127.0.0.1", port, path, until, counts) for _ in range(concurrency)))
    return Measure(name, path, counts[0], counts[1], time.perf_counter() - started)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(port: int, server: subprocess.Popen[bytes], path: str = "/") -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2):
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server on port {port} did not start") from None
            time.sleep(0.2)


def _get_json(port: int, path: str) -> Any:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
        return json.loads(answer.read())


def run(duration: float, concurrency: int, workers: int | None) -> list[Measure]:
    env = {**os.environ, "COMMONS_INSECURE_COOKIES": "1"}
    servers: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="commons-bench-") as data_dir:
        env["COMMONS_DATA_DIR"] = data_dir
        commons = [sys.executable, "-m", "commons.cli"]
        subprocess.run([*commons, "demo"], env=env, cwd=ROOT, check=True, capture_output=True)
        hello_port, commons_port = _free_port(), _free_port()

        def start(command: list[str]) -> subprocess.Popen[bytes]:
            server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            servers.append(server)
            return server

        try:
            start([sys.executable, "-m", "uvicorn", "bench.bench_web:hello_app", "--port", str(hello_port)])
            serve = [*commons, "serve", "--port", str(commons_port)]
            if workers is not None:
                serve += ["--workers", str(workers)]
            start(serve)
            _wait_until_up(hello_port, servers[0])
            _wait_until_up(commons_port, servers[1], "/api/v1/challenges")
            challenge = next(c for c in _get_json(commons_port, "/api/v1/challenges") if c["project_count"])
            project = _get_json(commons_port, f"/api/v1/challenges/{challenge['id']}/projects")[0]
            targets = [
                ("hello (Litestar seul)", hello_port, "/"),
                ("API appel", commons_port, f"/api/v1/challenges/{challenge['id']}"),
                ("API projet", commons_port, f"/api/v1/projects/{project['id']}"),
                ("page appel", commons_port, f"/challenges/{challenge['id']}"),
                ("page projet", commons_port, f"/projects/{project['id']}"),
            ]
            return [asyncio.run(measure(name, port, path, duration, concurrency)) for name, port, path in targets]
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per URL")
    parser.add_argument("--concurrency", type=int, default=20, help="connections sending requests at once")
    parser.add_argument("--workers", type=int, default=None, help="passed to `commons serve --workers`")
    parser.add_argument("--json", action="store_true", help="one JSON object per URL instead of a table")
    args = parser.parse_args()
    measures = run(args.duration, args.concurrency, args.workers)
    reference = measures[0].rps
    for m in measures:
        ratio = m.rps / reference if reference else 0.0
        if args.json:
            print(json.dumps(asdict(m) | {"rps": m.rps, "ratio": ratio}), flush=True)
        else:
            print(f"{m.name:<24} {m.path:<28} {m.rps:>9.1f} rps {ratio:>7.3f}x  {m.errors} erreur(s)", flush=True)


if __name__ == "__main__":
    main()
