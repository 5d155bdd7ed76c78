"""The funding state machine, on its own."""

from __future__ import annotations

import pytest

from commons.projects.funding import FundingStatus, funding_status

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
