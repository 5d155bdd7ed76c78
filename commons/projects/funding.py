"""The one state machine of a project's funding, used wherever its status is decided.

    open ──(every need reaches its minimum)──▶ minimum_reached ──(every need its maximum)──▶ fully_funded
      ▲                                              │                                       │
      └────────────(pledges withdrawn or released; a need added or raised)◀──────────────────┘
    any of these ──(the leads cancel)──▶ cancelled        any of these ──(the leads close it)──▶ completed

Cancelled and completed are final; the other three follow from the needs' progress, so raising
a budget reopens a fully funded project without anyone deciding it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class FundingStatus(enum.StrEnum):
    OPEN = "open"
    MINIMUM_REACHED = "minimum_reached"
    FULLY_FUNDED = "fully_funded"
    CANCELLED = "cancelled"
    COMPLETED = "completed"

    @property
    def is_final(self) -> bool:
        return self in (FundingStatus.CANCELLED, FundingStatus.COMPLETED)


def funding_status(current: FundingStatus, needs: Iterable[tuple[int, int, int]]) -> FundingStatus:
    """The status a project's needs put it in.

    Parameters:
      current: the stored status; a final one (cancelled, completed) never changes here.
      needs: (minimum, maximum, pledged) of each need, in the need's unit.
    """
    if current.is_final:
        return current
    lines = list(needs)
    if not lines or any(pledged < minimum for minimum, _, pledged in lines):
        return FundingStatus.OPEN
    if all(pledged >= maximum for _, maximum, pledged in lines):
        return FundingStatus.FULLY_FUNDED
    return FundingStatus.MINIMUM_REACHED
