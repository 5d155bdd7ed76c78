"""`commons allocate`: JSON or text outcome of a .pb file, exit code 2 without traceback on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commons.budgeting.cli import main

ELECTION = """META
key;value
num_projects;3
num_votes;3
budget;100.0
vote_type;approval
currency;EUR
PROJECTS
project_id;cost;name
10;60;Ten
9;50;Nine
2;40;Two
VOTES
voter_id;vote
1;10,9
2;9,10,2
3;2
"""


@pytest.fixture
def election_file(tmp_path: Path) -> Path:
    path = tmp_path / "election.pb"
    path.write_text(ELECTION, encoding="utf-8")
    return path


def test_greedy_prints_the_selected_ids_as_written(election_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["allocate", str(election_file), "--rule", "greedy", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"selected": ["10", "2"], "cost": 100, "budget": 100}


def test_equal_shares_with_options(election_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["allocate", str(election_file), "--rule", "equal-shares", "--sat", "cardinality",
                 "--completion", "add1u", "--format", "json"])  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["budget"] == 100
    assert out["cost"] <= 100
    assert set(out["selected"]) <= {"10", "9", "2"}


def test_text_format_explains_each_project(election_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["allocate", str(election_file), "--rule", "greedy", "--format", "text"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2 projets financés pour 100 EUR sur un budget de 100 EUR"
    assert lines[1] == "10: Financé : 2 voix (rang 1), coût 60 EUR, dans le budget restant"


def test_malformed_file_names_the_line_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.pb"
    path.write_text(ELECTION.replace("2;40;Two", "2;forty;Two"), encoding="utf-8")
    assert main(["allocate", str(path), "--rule", "greedy"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "line 12: cost 'forty' is not a non-negative number" in captured.err
    assert "Traceback" not in captured.err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["allocate", str(tmp_path / "nowhere.pb"), "--rule", "equal-shares"]) == 2
    assert "No such file" in capsys.readouterr().err


def test_completion_is_refused_for_greedy(election_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["allocate", str(election_file), "--rule", "greedy", "--completion", "add1"]) == 2
    assert "--completion" in capsys.readouterr().err
