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

Speed: the VOTES section (90,494 lines for Łódź 2022) is read by a fast path made of whole-list string
operations (split, count, slices, `collections.Counter`) that checks every rule above in bulk and
parses each distinct ballot once. Whenever a bulk check fails, or the section needs CSV quoting, the
file is parsed again line by line by the precise path, which names the offending line; both paths
accept exactly the same files and read them the same way.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from operator import methodcaller
from pathlib import Path

from commons.budgeting.rules.election import ApprovalElection

VOTE_TYPES = frozenset({"approval", "choose-1", "cumulative", "scoring", "ordinal"})
"""Ballot types the parser accepts (all read as approval of the listed projects)."""

_SECTIONS = ("meta", "projects", "votes")
_AMOUNT = re.compile(r"\d+(?:[.,]\d*)?")
_NOT_SEPARATORS = bytes(byte for byte in range(256) if byte not in b";\n")
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


class PabulibInstance:
    """An election as found in a `.pb` file.

    A file read by the parser's fast path builds its `voters` on first use only: allocating needs just
    the ballots, which the parser has already counted (each distinct written vote once, with the number
    of its voters).
    """

    __slots__ = ("_ballots", "_read_voters", "_voters", "budget", "meta", "projects")

    def __init__(
        self, meta: dict[str, str], projects: list[PabulibProject], voters: list[PabulibVoter], budget: int
    ) -> None:
        self.meta = meta
        self.projects = projects
        self.budget = budget
        self._voters: list[PabulibVoter] | None = voters
        self._read_voters: Callable[[], list[PabulibVoter]] | None = None
        self._ballots: tuple[list[frozenset[str]], list[int]] | None = None

    @classmethod
    def _read(
        cls,
        meta: dict[str, str],
        projects: list[PabulibProject],
        budget: int,
        read_voters: Callable[[], list[PabulibVoter]],
        ballots: tuple[list[frozenset[str]], list[int]],
    ) -> PabulibInstance:
        """An instance whose voters are built by `read_voters` when first asked for."""
        instance = cls(meta, projects, [], budget)
        instance._voters = None
        instance._read_voters = read_voters
        instance._ballots = ballots
        return instance

    @property
    def voters(self) -> list[PabulibVoter]:
        """The voters in the order of the file."""
        if self._voters is None:
            assert self._read_voters is not None
            self._voters = self._read_voters()
        return self._voters

    @property
    def ballots(self) -> list[list[str]]:
        """The ballots as lists of project ids, read as approval ballots."""
        return [list(voter.vote) for voter in self.voters]

    def approval_election(self) -> ApprovalElection:
        """The election the allocation rules take: identical ballots given once, weighted by the number
        of voters who cast them (a voter of weight w counts exactly as w voters, so the outcome is the
        same as with one ballot per voter)."""
        if self._ballots is None:
            counts = Counter(frozenset(voter.vote) for voter in self.voters)
            self._ballots = (list(counts), list(counts.values()))
        ballots, weights = self._ballots
        return ApprovalElection(
            costs={project.id: project.cost for project in self.projects},
            ballots=ballots,
            budget=self.budget,
            weights=weights,
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
        return _parse_fast(text) or _Parser().parse(text)
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
    """The precise path: one pass over the rows of a file, section by section, each row checked on its own
    so that an error names its line."""

    def __init__(self) -> None:
        self.meta: dict[str, str] = {}
        self.meta_lines: dict[str, int] = {}
        self.projects: dict[str, PabulibProject] = {}
        self.voters: list[PabulibVoter] = []
        self.voter_ids: set[str] = set()
        self.section_index = -1
        self.header: list[str] | None = None

    def parse(self, text: str) -> PabulibInstance:
        for line, row in _rows(text):
            self.row(line, row)
        self.finish(len(self.voters))
        return PabulibInstance(
            meta=self.meta, projects=list(self.projects.values()), voters=self.voters, budget=self.budget()
        )

    def row(self, line: int, row: list[str]) -> None:
        """Take one row: a section name, a header, or an entry of the current section."""
        if not any(cell.strip() for cell in row):
            return
        name = row[0].strip().lower()
        if name in _SECTIONS and not any(cell.strip() for cell in row[1:]):
            expected = _SECTIONS[self.section_index + 1] if self.section_index + 1 < len(_SECTIONS) else None
            if name != expected:
                raise PabulibError(
                    line,
                    f"section {name.upper()} out of place (sections are META, PROJECTS, VOTES, "
                    "in this order, once each)",
                )
            self.section_index += 1
            self.header = None
            return
        if self.section_index < 0:
            raise PabulibError(line, "the file must start with a META section")
        if self.header is None:
            self.header = self._header(_SECTIONS[self.section_index], row, line)
            return
        header = self.header
        if len(row) != len(header):
            raise PabulibError(line, f"{len(row)} fields where the header ({';'.join(header)}) has {len(header)}")
        if self.section_index == 0:
            self._meta_row(row, line)
        elif self.section_index == 1:
            self._project_row(header, row, line)
        else:
            self._voter_row(header, row, line)

    def finish(self, voter_count: int) -> None:
        """Check that the file was complete and that the announced counts are the actual ones."""
        if self.section_index < len(_SECTIONS) - 1 or self.header is None:
            missing = _SECTIONS[self.section_index + 1] if self.header is not None else _SECTIONS[self.section_index]
            raise PabulibError(None, f"incomplete file: no {missing.upper()} section or header")
        for key, actual in (("num_projects", len(self.projects)), ("num_votes", voter_count)):
            if key in self.meta:
                line = self.meta_lines[key]
                announced = _amount(self.meta[key], line, key)
                if announced != actual:
                    raise PabulibError(line, f"{key} says {announced} but the file has {actual}")

    def budget(self) -> int:
        return _amount(self.meta["budget"], self.meta_lines["budget"], "budget")

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
        voter = _voter(header, row)
        if not voter.id or voter.id in self.voter_ids:
            raise PabulibError(line, f"voter id {voter.id!r} is empty or appears twice")
        self.voter_ids.add(voter.id)
        approved = set(voter.vote)
        if not approved <= self.projects.keys():
            unknown = next(project for project in voter.vote if project not in self.projects)
            raise PabulibError(line, f"voter {voter.id!r} votes for unknown project {unknown!r}")
        if len(approved) != len(voter.vote):
            raise PabulibError(line, f"voter {voter.id!r} lists a project twice")
        self.voters.append(voter)


def _vote(written: str) -> tuple[str, ...]:
    """The project ids of a written vote ("p1,p2", spaces around ids ignored, empty items skipped)."""
    items = written.split(",") if " " not in written else [item.strip() for item in written.split(",")]
    return tuple(item for item in items if item)


def _voter(header: list[str], row: list[str]) -> PabulibVoter:
    """A voter from a row of the VOTES section (not checked)."""
    fields = dict(zip(header, row, strict=True))
    voter_id = fields.pop("voter_id").strip()
    return PabulibVoter(voter_id, _vote(fields.pop("vote")), fields)


def _parse_fast(text: str) -> PabulibInstance | None:
    """The fast path (see the module docstring): the file read, or None when the precise path must read
    it (quoting, blank or malformed lines, duplicate ids, unknown projects…: every error is reported by
    the precise path, with its line).

    META and PROJECTS go through the precise path's rows; the VOTES lines are checked in bulk: each has
    exactly as many fields as the header (the section with everything but ';' and newlines deleted
    must be the same separators line after line), the voter ids (every `len(header)`-th cell of the
    section split at once) are unique, non-empty, without whitespace and not a section name, and each
    distinct vote string is parsed and checked once.
    """
    marker = _VOTES_MARKER.search(text)
    if marker is None or '"' in text[marker.start() :]:
        return None
    marker_end = text.find("\n", marker.start())
    header_end = text.find("\n", marker_end + 1) if marker_end >= 0 else -1
    if header_end < 0:
        return None
    parser = _Parser()
    for line, row in _csv_rows(text[: marker.start()], 0):
        parser.row(line, row)
    line = text.count("\n", 0, marker.start())
    parser.row(line + 1, text[marker.start() : marker_end].rstrip("\r").split(";"))
    parser.row(line + 2, text[marker_end + 1 : header_end].rstrip("\r").split(";"))
    header = parser.header
    if parser.section_index != len(_SECTIONS) - 1 or header is None:
        return None
    body = text[header_end + 1 :]
    if "\r" in body:
        body = body.replace("\r\n", "\n")
        if "\r" in body:
            return None
    body = body.removesuffix("\n")
    width = len(header)
    count = body.count("\n") + 1 if body else 0
    # The separators alone must read ";;…;\n" (width − 1 semicolons) once per line.
    if (body + "\n").encode().translate(None, _NOT_SEPARATORS) != (b";" * (width - 1) + b"\n") * count:
        return None
    cells = body.replace("\n", ";").split(";") if body else []
    ids = cells[0::width]
    joined = ";".join(ids)
    lowered = f";{joined.lower()};"
    if (
        len(set(ids)) != len(ids)
        or "" in ids
        or len(joined.split()) > 1
        or any(f";{section};" in lowered for section in _SECTIONS)
    ):
        return None
    written_counts = Counter(cells[header.index("vote") :: width])
    written = ",".join(written_counts)
    if " " in written:
        return None  # spaces around project ids: the precise path strips them
    votes = list(map(methodcaller("split", ","), written_counts))
    approved = list(map(frozenset, votes))
    projects = frozenset().union(*approved)
    if "" in projects or not projects <= parser.projects.keys() or list(map(len, approved)) != list(map(len, votes)):
        return None  # an empty vote or item, an unknown project, or a project listed twice
    ballots: dict[frozenset[str], int] = {}  # the same ballot may be written in several orders
    for ballot, count in zip(approved, written_counts.values(), strict=True):
        ballots[ballot] = ballots.get(ballot, 0) + count
    parser.finish(len(ids))
    return PabulibInstance._read(
        meta=parser.meta,
        projects=list(parser.projects.values()),
        budget=parser.budget(),
        read_voters=lambda: [_voter(header, line.split(";")) for line in body.split("\n")] if body else [],
        ballots=(list(ballots), list(ballots.values())),
    )
