"""Reading and writing participatory-budgeting elections in the pabulib `.pb` format.

Format (Faliszewski et al., "Participatory Budgeting: Data, Tools, and Analysis", IJCAI 2023; pabulib.org):
a UTF-8 text file of semicolon-separated values (CSV quoting rules) in three sections, in this order:

- ``META`` then ``key;value`` then one ``key;value`` line per entry (``budget`` and ``vote_type`` are
  required);
- ``PROJECTS`` then a header starting with ``project_id;cost`` and one line per project;
- ``VOTES`` then a header starting with ``voter_id`` with a ``vote`` column (project ids separated by
  commas) and one line per voter.

The parser is strict, so that an election imported into the platform is the one that was published:
every line must have as many fields as its header, identifiers are unique, every voted project exists,
costs and the budget are non-negative integers (written ``100000`` or ``100000.0``; a value that is not
a whole number, like ``100000.5``, is refused), and the announced ``num_projects`` and ``num_votes`` match.
Any problem raises :class:`PabulibError` naming the line.

Non-approval ballots (``cumulative``, ``scoring``, ``ordinal``, ``choose-1``) are read as approval of
the projects listed, which is how the reference library pabutools evaluates approval-based rules on them.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from commons.budgeting.rules.election import ApprovalElection

VOTE_TYPES = frozenset({"approval", "choose-1", "cumulative", "scoring", "ordinal"})
"""Ballot types the parser accepts (all read as approval of the listed projects)."""

_SECTIONS = ("meta", "projects", "votes")
_AMOUNT = re.compile(r"\d+(?:[.,]\d*)?")
_VOTES_MARKER = re.compile(r"^[ \t]*VOTES[ \t;]*\r?$", re.MULTILINE | re.IGNORECASE)


class PabulibError(ValueError):
    """A `.pb` file that cannot be read; `line` is the 1-based line number (None for the whole file)."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line


@dataclass(frozen=True, slots=True)
class PabulibProject:
    """A project: its id as written in the file, its cost, and its other columns as written."""

    id: str
    cost: int
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PabulibVoter:
    """A voter: id, the projects of the ballot in the written order, and other columns (points, age…)."""

    id: str
    vote: tuple[str, ...]
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class PabulibInstance:
    """An election as found in a `.pb` file."""

    meta: dict[str, str]
    projects: list[PabulibProject]
    voters: list[PabulibVoter]
    budget: int

    @property
    def ballots(self) -> list[list[str]]:
        """The ballots as lists of project ids, read as approval ballots."""
        return [list(voter.vote) for voter in self.voters]

    def approval_election(self) -> ApprovalElection:
        """The election the allocation rules take (every voter with weight 1)."""
        return ApprovalElection(
            costs={project.id: project.cost for project in self.projects},
            ballots=[voter.vote for voter in self.voters],
            budget=self.budget,
        )


def load(path: str | Path) -> PabulibInstance:
    """Read a `.pb` file (UTF-8, with or without a byte-order mark)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise PabulibError(None, f"{path}: not UTF-8 text ({error.reason})") from error
    return loads(text)


def loads(text: str) -> PabulibInstance:
    """Parse the content of a `.pb` file (see the module docstring for what is checked).

    The cyclic garbage collector is paused meanwhile: parsing creates a few objects per voter and no
    cycle, and the collector's repeated scans of them would cost a third of the time on large files."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _Parser().parse(text)
    finally:
        if was_enabled:
            gc.enable()


def dumps(instance: PabulibInstance) -> str:
    """Write an election in the `.pb` format; `loads(dumps(x))` gives back `x` (budget and costs as
    integers, `num_projects`/`num_votes` set to the actual counts)."""
    meta = dict(instance.meta)
    meta["budget"] = str(instance.budget)
    meta["num_projects"] = str(len(instance.projects))
    meta["num_votes"] = str(len(instance.voters))
    meta.setdefault("vote_type", "approval")
    project_columns = _columns(project.fields for project in instance.projects)
    voter_columns = _columns(voter.fields for voter in instance.voters)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(meta.items())
    writer.writerow(["PROJECTS"])
    writer.writerow(["project_id", "cost", *project_columns])
    for project in instance.projects:
        writer.writerow([project.id, project.cost, *(project.fields.get(c, "") for c in project_columns)])
    writer.writerow(["VOTES"])
    writer.writerow(["voter_id", "vote", *voter_columns])
    for voter in instance.voters:
        writer.writerow([voter.id, ",".join(voter.vote), *(voter.fields.get(c, "") for c in voter_columns)])
    return out.getvalue()


def dump(instance: PabulibInstance, path: str | Path) -> None:
    """Write an election to a `.pb` file."""
    Path(path).write_text(dumps(instance), encoding="utf-8")


def _columns(rows: Iterable[Mapping[str, str]]) -> list[str]:
    """Union of the extra columns of projects or voters, in order of first appearance."""
    columns: dict[str, None] = {}
    for fields in rows:
        columns.update(dict.fromkeys(fields))
    return list(columns)


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of every row. The VOTES section, by far the largest, is split directly
    when it has no quote character (CSV quoting is then impossible), which is several times faster
    than the csv module; everything else goes through the csv module."""
    marker = _VOTES_MARKER.search(text)
    head, votes = (text, "") if marker is None else (text[: marker.start()], text[marker.start() :])
    offset = head.count("\n")
    yield from _csv_rows(head, 0)
    if '"' in votes:
        yield from _csv_rows(votes, offset)
    elif votes:
        for number, line in enumerate(votes.split("\n"), start=offset + 1):
            yield number, line.rstrip("\r").split(";")


def _csv_rows(text: str, lines_before: int) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of every row of a part of the file that starts after `lines_before` lines."""
    reader = csv.reader(io.StringIO(text), delimiter=";")
    try:
        for row in reader:
            yield lines_before + reader.line_num, row
    except csv.Error as error:
        raise PabulibError(lines_before + reader.line_num, f"malformed line ({error})") from error


def _amount(text: str, line: int, what: str) -> int:
    """A non-negative whole amount, written as an integer or a decimal with a zero fraction."""
    text = text.strip()
    if not _AMOUNT.fullmatch(text):
        raise PabulibError(line, f"{what} {text!r} is not a non-negative number")
    value = Fraction(text.replace(",", "."))
    if value.denominator != 1:
        raise PabulibError(line, f"{what} {text!r} is not a whole amount")
    return int(value)


class _Parser:
    """One pass over the rows of a file, section by section."""

    def __init__(self) -> None:
        self.meta: dict[str, str] = {}
        self.meta_lines: dict[str, int] = {}
        self.projects: dict[str, PabulibProject] = {}
        self.voters: list[PabulibVoter] = []
        self.voter_ids: set[str] = set()

    def parse(self, text: str) -> PabulibInstance:
        section_index = -1
        header: list[str] | None = None
        for line, row in _rows(text):
            if not any(cell.strip() for cell in row):
                continue
            name = row[0].strip().lower()
            if name in _SECTIONS and not any(cell.strip() for cell in row[1:]):
                expected = _SECTIONS[section_index + 1] if section_index + 1 < len(_SECTIONS) else None
                if name != expected:
                    raise PabulibError(
                        line,
                        f"section {name.upper()} out of place (sections are META, PROJECTS, VOTES, "
                        "in this order, once each)",
                    )
                section_index += 1
                header = None
                continue
            if section_index < 0:
                raise PabulibError(line, "the file must start with a META section")
            if header is None:
                header = self._header(_SECTIONS[section_index], row, line)
                continue
            if len(row) != len(header):
                raise PabulibError(line, f"{len(row)} fields where the header ({';'.join(header)}) has {len(header)}")
            if section_index == 0:
                self._meta_row(row, line)
            elif section_index == 1:
                self._project_row(header, row, line)
            else:
                self._voter_row(header, row, line)
        if section_index < len(_SECTIONS) - 1 or header is None:
            missing = _SECTIONS[section_index + 1] if header is not None else _SECTIONS[section_index]
            raise PabulibError(None, f"incomplete file: no {missing.upper()} section or header")
        self._check_counts()
        return PabulibInstance(
            meta=self.meta,
            projects=list(self.projects.values()),
            voters=self.voters,
            budget=_amount(self.meta["budget"], self.meta_lines["budget"], "budget"),
        )

    def _header(self, section: str, row: list[str], line: int) -> list[str]:
        header = [cell.strip() for cell in row]
        if section == "meta" and header != ["key", "value"]:
            raise PabulibError(line, "the META header must be 'key;value'")
        if section == "projects":
            if header[:2] != ["project_id", "cost"]:
                raise PabulibError(line, "the PROJECTS header must start with 'project_id;cost'")
            for required in ("budget", "vote_type"):
                if required not in self.meta:
                    raise PabulibError(line, f"META has no '{required}'")
        if section == "votes" and (header[:1] != ["voter_id"] or "vote" not in header):
            raise PabulibError(line, "the VOTES header must start with 'voter_id' and have a 'vote' column")
        if len(set(header)) != len(header):
            raise PabulibError(line, "a column appears twice in the header")
        return header

    def _meta_row(self, row: list[str], line: int) -> None:
        key, value = row[0].strip(), row[1].strip()
        if key in self.meta:
            raise PabulibError(line, f"META key {key!r} appears twice")
        if key == "vote_type" and value not in VOTE_TYPES:
            raise PabulibError(line, f"unknown vote_type {value!r} (expected one of {sorted(VOTE_TYPES)})")
        if key == "budget":
            _amount(value, line, "budget")
        self.meta[key] = value
        self.meta_lines[key] = line

    def _project_row(self, header: list[str], row: list[str], line: int) -> None:
        project_id = row[0].strip()
        if not project_id:
            raise PabulibError(line, "empty project_id")
        if project_id in self.projects:
            raise PabulibError(line, f"project {project_id!r} appears twice")
        fields = {column: value.strip() for column, value in zip(header[2:], row[2:], strict=True)}
        self.projects[project_id] = PabulibProject(project_id, _amount(row[1], line, "cost"), fields)

    def _voter_row(self, header: list[str], row: list[str], line: int) -> None:
        fields = dict(zip(header, row, strict=True))
        voter_id = fields.pop("voter_id").strip()
        if not voter_id or voter_id in self.voter_ids:
            raise PabulibError(line, f"voter id {voter_id!r} is empty or appears twice")
        self.voter_ids.add(voter_id)
        written = fields.pop("vote")
        items = written.split(",") if " " not in written else [item.strip() for item in written.split(",")]
        vote = tuple(item for item in items if item)
        approved = set(vote)
        if not approved <= self.projects.keys():
            unknown = next(project for project in vote if project not in self.projects)
            raise PabulibError(line, f"voter {voter_id!r} votes for unknown project {unknown!r}")
        if len(approved) != len(vote):
            raise PabulibError(line, f"voter {voter_id!r} lists a project twice")
        self.voters.append(PabulibVoter(voter_id, vote, fields))

    def _check_counts(self) -> None:
        for key, actual in (("num_projects", len(self.projects)), ("num_votes", len(self.voters))):
            if key in self.meta:
                line = self.meta_lines[key]
                announced = _amount(self.meta[key], line, key)
                if announced != actual:
                    raise PabulibError(line, f"{key} says {announced} but the file has {actual}")
