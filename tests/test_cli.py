"""The `commons` command as outside scripts use it, each on a fresh data directory."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import REDIS_URL


def commons(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["COMMONS_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "commons.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_create_authority_on_a_fresh_data_directory(tmp_path: Path) -> None:
    args = ("admin", "create-authority", "--name", "CC du Val", "--admin-email", "Elu@Example.fr")
    created = commons(tmp_path, *args, "--admin-password", "un mot de passe long")
    assert created.returncode == 0, created.stderr
    assert "CC du Val" in created.stdout
    assert (tmp_path / "commons.sqlite3").exists()

    again = commons(tmp_path, *args, "--admin-password", "un mot de passe long")
    assert again.returncode == 1
    assert "existe" in again.stderr or "déjà" in again.stderr
    assert "Traceback" not in again.stderr


def test_bad_password_is_refused_with_a_message(tmp_path: Path) -> None:
    result = commons(
        tmp_path, "admin", "create-authority", "--name", "CC", "--admin-email", "a@b.fr", "--admin-password", "court"
    )
    assert result.returncode == 1
    assert "au moins" in result.stderr


def test_worker_without_redis_explains_itself(tmp_path: Path) -> None:
    result = commons(tmp_path, "worker")
    assert result.returncode == 2
    assert "REDIS_URL" in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve_and_get(data_dir: Path, *args: str, redis_url: str | None = None) -> str:
    """Start `commons serve`, read the challenge list and the home page, stop it; return what it printed."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["COMMONS_DATA_DIR"] = str(data_dir)
    if redis_url:
        env["REDIS_URL"] = redis_url
    server = subprocess.Popen(
        [sys.executable, "-m", "commons.cli", "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/challenges", timeout=2) as answer:
                    assert answer.status == 200
                    assert json.loads(answer.read()) == []
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
                assert time.monotonic() < deadline, "commons serve did not answer within 60 s"
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as home:
            assert "Commons" in home.read().decode()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    return output.decode()


def test_serve_answers_on_a_fresh_data_directory(tmp_path: Path) -> None:
    assert "1 processus" in _serve_and_get(tmp_path)


def test_serve_with_redis_runs_several_processes(tmp_path: Path) -> None:
    output = _serve_and_get(tmp_path, "--workers", "2", redis_url=REDIS_URL)
    assert "2 processus" in output
    # uvicorn's supervisor reports each worker process it starts.
    assert output.count("Started server process") == 2, output


def test_serve_refuses_several_processes_without_redis(tmp_path: Path) -> None:
    result = commons(tmp_path, "serve", "--workers", "2")
    assert result.returncode == 2
    assert "REDIS_URL" in result.stderr


def test_ledger_check_passes_on_a_fresh_ledger(tmp_path: Path) -> None:
    result = commons(tmp_path, "ledger", "check")
    assert result.returncode == 0, result.stderr


def test_allocate_prints_the_outcome_of_a_pabulib_file(tmp_path: Path) -> None:
    assen = Path(__file__).resolve().parents[2] / "shared" / "data" / "pabulib" / "Netherlands_Assen_2024.pb"
    result = commons(tmp_path, "allocate", str(assen), "--rule", "equal-shares", "--completion", "add1")
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    # The projects the city funded (the file's `selected` column).
    assert sorted(outcome["selected"], key=int) == ["2", "3", "5", "6", "9", "11", "12", "13", "14"]
    assert outcome["budget"] == 100_000 and outcome["cost"] <= 100_000
    # A computation on a file touches no database.
    assert not (tmp_path / "commons.sqlite3").exists()


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    """`commons allocate … | head`: the pipe closes before the outcome is written."""
    election = tmp_path / "election.pb"
    election.write_text(
        "META\nkey;value\nnum_projects;1\nnum_votes;1\nbudget;100\nvote_type;approval\n"
        "PROJECTS\nproject_id;cost\n1;60\nVOTES\nvoter_id;vote\n1;1\n",
        encoding="utf-8",
    )
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "commons.cli", "allocate", str(election), "--rule", "greedy"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 1
    assert result.stderr == ""
