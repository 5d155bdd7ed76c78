"""The funding state machine, on its own."""

from __future__ import annotations

import pytest

from commons.errors import Conflict
from commons.projects.funding import (
    FundingStatus,
    can_complete,
    cancelled,
    check_accepts_pledges,
    completed,
    funding_status,
)

OPEN, MINIMUM, FULL = FundingStatus.OPEN, FundingStatus.MINIMUM_REACHED, FundingStatus.FULLY_FUNDED


@pytest.mark.parametrize(
    ("needs", "expected"),
    [
        ([], OPEN),
        ([(100, 200, 99)], OPEN),
        ([(100, 200, 100)], MINIMUM),
        ([(100, 200, 200)], FULL),
        ([(100, 200, 250), (10, 10, 9)], OPEN),
        ([(100, 200, 250), (10, 20, 10)], MINIMUM),
        ([(0, 0, 0)], FULL),
    ],
)
def test_status_follows_the_needs(needs: list[tuple[int, int, int]], expected: FundingStatus) -> None:
    for current in (OPEN, MINIMUM, FULL):
        assert funding_status(current, needs) == expected


@pytest.mark.parametrize("final", [FundingStatus.CANCELLED, FundingStatus.COMPLETED])
def test_final_statuses_never_change(final: FundingStatus) -> None:
    assert funding_status(final, [(100, 200, 200)]) == final


def test_stretch_beyond_every_maximum_stays_fully_funded() -> None:
    assert funding_status(OPEN, [(100, 200, 450), (10, 20, 20)]) == FULL
    assert funding_status(FULL, [(100, 200, 450), (10, 20, 19)]) == MINIMUM


@pytest.mark.parametrize("current", [MINIMUM, FULL])
def test_completed_once_the_minimum_is_reached(current: FundingStatus) -> None:
    assert can_complete(current)
    assert completed(current) == FundingStatus.COMPLETED


@pytest.mark.parametrize(
    ("current", "message"),
    [
        (OPEN, "pas encore atteint son minimum"),
        (FundingStatus.CANCELLED, "Ce projet est annulé"),
        (FundingStatus.COMPLETED, "Ce projet est terminé"),
    ],
)
def test_completion_is_refused_before_the_minimum_and_after_a_final_status(
    current: FundingStatus, message: str
) -> None:
    assert not can_complete(current)
    with pytest.raises(Conflict, match=message):
        completed(current)


@pytest.mark.parametrize("current", [OPEN, MINIMUM, FULL])
def test_any_status_but_a_final_one_may_be_cancelled_and_takes_pledges(current: FundingStatus) -> None:
    check_accepts_pledges(current)
    assert cancelled(current) == FundingStatus.CANCELLED


@pytest.mark.parametrize("final", [FundingStatus.CANCELLED, FundingStatus.COMPLETED])
def test_a_final_status_takes_no_pledge_and_cannot_be_cancelled(final: FundingStatus) -> None:
    with pytest.raises(Conflict, match="les contributions sont fermées"):
        check_accepts_pledges(final)
    with pytest.raises(Conflict):
        cancelled(final)
