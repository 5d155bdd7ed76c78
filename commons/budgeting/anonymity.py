"""Colleges in an anonymized export: no college small enough to point at its voters' ballots.

The `.pb` export lists each ballot with its voter's college, since the college sets the ballot's
weight. A college of one voter would publish that person's ballot; so colleges with fewer than
``MIN_COLLEGE_VOTERS`` voters are merged into one college, ``autres``, weighing what they weighed
together. If even the merged college would be that small, no ballot carries its college at all.
Either way the file recomputes the result only approximately when colleges were merged; the
published fingerprint still identifies the real inputs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# k of k-anonymity: a college shown in the export has at least this many ballots.
MIN_COLLEGE_VOTERS = 5
MERGED_COLLEGE = "autres"


@dataclass(frozen=True, slots=True)
class ExportedColleges:
    """What the export writes: each ballot's college (None: not written) and the colleges' weights."""

    of_ballots: list[str | None]
    weights: dict[str, int]


def exported_colleges(colleges: Sequence[str | None], weights: Mapping[str, int]) -> ExportedColleges:
    """The colleges to write for ballots whose voters belong to ``colleges`` (None: no college)."""
    sizes = Counter(college for college in colleges if college)
    small = {college for college, size in sizes.items() if size < MIN_COLLEGE_VOTERS}
    if not small:
        return ExportedColleges(of_ballots=list(colleges), weights=dict(weights))
    if sum(sizes[college] for college in small) < MIN_COLLEGE_VOTERS:
        return ExportedColleges(of_ballots=[None] * len(colleges), weights={})
    merged = MERGED_COLLEGE
    while merged in weights:  # a declared college of that name keeps it
        merged += "*"
    kept = {college: weight for college, weight in weights.items() if college not in small}
    return ExportedColleges(
        of_ballots=[merged if college in small else college for college in colleges],
        weights=kept | {merged: sum(weights[college] for college in small)},
    )
