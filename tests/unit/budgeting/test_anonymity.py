"""Colleges in the anonymized export: none small enough to point at its voters' ballots."""

from __future__ import annotations

from collections import Counter

from commons.budgeting.anonymity import MIN_COLLEGE_VOTERS, exported_colleges

WEIGHTS = {"Habitants": 1, "Élus": 2, "Associations": 1, "Entreprises": 1}


def test_colleges_large_enough_are_written_as_they_are() -> None:
    colleges = ["Habitants"] * 6 + ["Élus"] * 5 + [None]
    exported = exported_colleges(colleges, WEIGHTS)
    assert exported.of_ballots == colleges
    assert exported.weights == WEIGHTS


def test_small_colleges_are_merged_into_autres_with_their_weight() -> None:
    colleges = ["Habitants"] * 6 + ["Élus"] + ["Associations"] * 2 + ["Entreprises"] * 2 + [None]
    exported = exported_colleges(colleges, WEIGHTS)
    assert Counter(exported.of_ballots) == {"Habitants": 6, "autres": 5, None: 1}
    assert exported.weights == {"Habitants": 1, "autres": 4}
    shown = Counter(c for c in exported.of_ballots if c)
    assert min(shown.values()) >= MIN_COLLEGE_VOTERS


def test_a_single_voter_s_college_is_withheld_when_merging_cannot_hide_it() -> None:
    colleges = ["Habitants"] * 6 + ["Élus"]
    exported = exported_colleges(colleges, WEIGHTS)
    assert exported.of_ballots == [None] * 7
    assert exported.weights == {}


def test_the_merged_college_never_takes_a_declared_college_s_name() -> None:
    weights = {"autres": 1, "Élus": 1, "Associations": 1}
    colleges = ["autres"] * 5 + ["Élus"] * 3 + ["Associations"] * 2
    exported = exported_colleges(colleges, weights)
    assert Counter(exported.of_ballots) == {"autres": 5, "autres*": 5}
    assert exported.weights == {"autres": 1, "autres*": 2}
