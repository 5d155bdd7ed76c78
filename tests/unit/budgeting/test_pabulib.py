"""The pabulib parser and writer: same reading as pabutools on real files, strict on malformed ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from pabutools.election import parse_pabulib

from commons.budgeting.pabulib import PabulibError, PabulibInstance, _parse_fast, _Parser, dumps, load, loads
from tests.unit.budgeting.conftest import LIVE_ORACLE_MAX_VOTERS, instance_params

SMALL = """META
key;value
description;"A test; with a quoted semicolon"
num_projects;3
num_votes;3
budget;{budget}
vote_type;{vote_type}
PROJECTS
project_id;cost;name
p1;{cost};First
p2;200;Second
p3;300.0;Third
VOTES
voter_id;vote{extra_header}
v1;p1,p2{extra1}
v2;p3{extra2}
v3;{vote3}{extra3}
"""


def small(
    *,
    budget: str = "500",
    cost: str = "100",
    vote_type: str = "approval",
    vote3: str = "p1",
    points: bool = False,
) -> str:
    extra = (";points", ";2,1", ";3", ";1") if points else ("", "", "", "")
    return SMALL.format(
        budget=budget,
        cost=cost,
        vote_type=vote_type,
        vote3=vote3,
        extra_header=extra[0],
        extra1=extra[1],
        extra2=extra[2],
        extra3=extra[3],
    )


@pytest.mark.parametrize("path", instance_params())
def test_approval_counts_match_the_votes_column_of_real_files(path: Path) -> None:
    instance = load(path)
    counts = instance.approval_election().approval_counts()
    assert counts == {project.id: int(project.fields["votes"]) for project in instance.projects}


@pytest.mark.parametrize("path", instance_params())
def test_real_files_are_read_as_pabutools_reads_them(path: Path) -> None:
    ours = load(path)
    if len(ours.voters) > LIVE_ORACLE_MAX_VOTERS:
        pytest.skip("pabutools needs too long here; the votes column check covers this file")
    instance, profile = parse_pabulib(str(path))
    assert ours.budget == instance.budget_limit
    assert {p.id: p.cost for p in ours.projects} == {p.name: p.cost for p in instance}
    assert [set(ballot) for ballot in ours.ballots] == [{p.name for p in ballot} for ballot in profile]
    assert ours.meta == instance.meta


def test_decimal_amounts_are_whole_numbers() -> None:
    instance = loads(small(budget="500.0", cost="100,00"))
    assert instance.budget == 500
    assert [p.cost for p in instance.projects] == [100, 200, 300]
    assert isinstance(instance.budget, int)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (small(cost="100.5"), 10, "not a whole amount"),
        (small(cost="-3"), 10, "not a non-negative number"),
        (small(budget="1e6"), 6, "not a non-negative number"),
        (small(vote3="p1,p9"), 17, "unknown project 'p9'"),
        (small(vote3="p1,p1"), 17, "twice"),
        (small(vote_type="borda"), 7, "unknown vote_type"),
        (small().replace("p2;200;Second", "p2;200"), 11, "2 fields where the header"),
        (small().replace("p3;300.0;Third", "p1;300.0;Third"), 12, "project 'p1' appears twice"),
        (small().replace("v2;p3", "v1;p3"), 16, "appears twice"),
        (small().replace("num_votes;3", "num_votes;4"), 5, "num_votes says 4 but the file has 3"),
        (small().replace("project_id;cost;name", "id;cost;name"), 9, "must start with 'project_id;cost'"),
        (small().replace("PROJECTS\n", "VOTES\n", 1), 8, "out of place"),
    ],
)
def test_malformed_files_are_refused_naming_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(PabulibError, match=words) as caught:
        loads(text)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"line {line}:")


def test_quoted_votes_are_read_with_the_right_line_numbers() -> None:
    text = small(vote3="p1,p9").replace("v2;p3", '"v2";"p3"')
    with pytest.raises(PabulibError, match="unknown project 'p9'") as caught:
        loads(text)
    assert caught.value.line == 17
    assert loads(small().replace("v2;p3", '"v2";"p3"')).ballots == loads(small()).ballots


def test_a_file_without_votes_section_is_refused() -> None:
    with pytest.raises(PabulibError, match="no VOTES section"):
        loads(small().split("VOTES")[0])


def test_other_ballot_types_are_read_as_approval_of_the_listed_projects() -> None:
    instance = loads(small(vote_type="cumulative", points=True))
    assert instance.ballots == [["p1", "p2"], ["p3"], ["p1"]]
    assert instance.voters[0].fields == {"points": "2,1"}


def test_writing_then_reading_gives_the_same_election() -> None:
    instance = loads(small(budget="500.0", cost="100.0", vote_type="cumulative", points=True))
    again = loads(dumps(instance))
    assert (again.projects, again.voters, again.budget) == (instance.projects, instance.voters, 500)
    assert again.meta == {**instance.meta, "budget": "500"}


@pytest.mark.parametrize("path", instance_params())
def test_real_files_survive_a_round_trip(path: Path) -> None:
    instance = load(path)
    again = loads(dumps(instance))
    assert again.projects == instance.projects
    assert again.voters == instance.voters
    assert again.budget == instance.budget


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "latin1.pb"
    target.write_bytes(small().replace("First", "Première").encode("latin-1"))
    with pytest.raises(PabulibError, match="not UTF-8"):
        load(target)


def _read_by_both_paths(text: str) -> tuple[PabulibInstance | None, PabulibInstance]:
    """The fast path's reading (None when it leaves the file to the precise path) and the precise one's."""
    return _parse_fast(text), _Parser().parse(text)


def _same_reading(ours: PabulibInstance, precise: PabulibInstance) -> None:
    assert (ours.meta, ours.projects, ours.budget) == (precise.meta, precise.projects, precise.budget)
    assert ours.voters == precise.voters
    ours_election, precise_election = ours.approval_election(), precise.approval_election()
    assert ours_election.approval_counts() == precise_election.approval_counts()
    assert sum(ours_election.weights or ()) == len(precise.voters)


@pytest.mark.parametrize("path", instance_params())
def test_real_files_take_the_fast_path_and_read_as_the_precise_one(path: Path) -> None:
    fast, precise = _read_by_both_paths(path.read_text(encoding="utf-8-sig"))
    assert fast is not None
    _same_reading(fast, precise)


@pytest.mark.parametrize(
    ("text", "fast"),
    [
        (small(), True),
        (small(points=True, vote_type="cumulative"), True),
        (small().replace("\n", "\r\n"), True),
        (small(vote3="p1, p2"), False),
        (small(vote3=""), False),
        (small() + "\n\n", False),
        (small().replace("v2;p3", " v2 ;p3"), False),
        (small().replace("v2;p3", "votes;p3"), False),
        (small().replace("v2;p3", '"v2";"p3"'), False),
    ],
    ids=[
        "plain",
        "extra column",
        "crlf",
        "spaces in a vote",
        "empty vote",
        "blank lines",
        "spaced id",
        "id named votes",
        "quotes",
    ],
)
def test_files_left_to_the_precise_path_are_read_the_same(text: str, fast: bool) -> None:
    reading, precise = _read_by_both_paths(text)
    assert (reading is not None) == fast
    _same_reading(loads(text), precise)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (small().replace("v2;p3", " v1 ;p3"), 16, "appears twice"),
        (small().replace("v2;p3", "v2;p3;x"), 16, "3 fields where the header"),
        (small().replace("v2;p3", "VOTES;"), 16, "out of place"),
        (small().replace("v2;p3", ";p3"), 16, "empty"),
        (small(vote3="p1,p2,p1"), 17, "twice"),
    ],
)
def test_errors_found_by_the_bulk_checks_still_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(PabulibError, match=words) as caught:
        loads(text)
    assert caught.value.line == line


def test_the_election_of_a_file_gives_identical_ballots_once_with_their_number() -> None:
    instance = loads(small(vote3="p2,p1"))
    election = instance.approval_election()
    assert sorted(zip((sorted(b) for b in election.ballots), election.weights or (), strict=True)) == [
        (["p1", "p2"], 2),
        (["p3"], 1),
    ]
    assert len(instance.voters) == 3
