"""The one state machine of a project's funding, used wherever its status is decided.

    open ──(every need reaches its minimum)──▶ minimum_reached ──(every need its maximum)──▶ fully_funded
      ▲                                              │                                       │
      └────────────(pledges withdrawn or released; a need added or raised)◀──────────────────┘
    open, minimum_reached, fully_funded ──(the leads cancel)──▶ cancelled
    minimum_reached, fully_funded ──(the leads mark it completed)──▶ completed

Cancelled and completed are final: a final project takes no more pledges. The first three follow
from the needs' progress, so raising a budget reopens a fully funded project without anyone
deciding it.

Stretch goals (``Project.stretch_goals``): pledges beyond a need's maximum are accepted, and the
status does not change for them: a project is fully funded once every need reaches its maximum,
however far beyond it its needs go, and it stays so while every need stays at or above it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from commons.errors import Conflict


class FundingStatus(enum.StrEnum):
    OPEN = "open"
    MINIMUM_REACHED = "minimum_reached"
    FULLY_FUNDED = "fully_funded"
    CANCELLED = "cancelled"
    COMPLETED = "completed"

    @property
    def is_final(self) -> bool:
        return self in (FundingStatus.CANCELLED, FundingStatus.COMPLETED)


# Why a final project refuses pledges (and any further transition), as people read it.
_CLOSED_BECAUSE = {
    FundingStatus.CANCELLED: "Ce projet est annulé",
    FundingStatus.COMPLETED: "Ce projet est terminé",
}


def funding_status(current: FundingStatus, needs: Iterable[tuple[int, int, int]]) -> FundingStatus:
    """The status a project's needs put it in.

    Parameters:
      current: the stored status; a final one (cancelled, completed) never changes here.
      needs: (minimum, maximum, pledged) of each need, in the need's unit; pledged may exceed the
        maximum when the project accepts stretch goals.
    """
    if current.is_final:
        return current
    lines = list(needs)
    if not lines or any(pledged < minimum for minimum, _, pledged in lines):
        return FundingStatus.OPEN
    if all(pledged >= maximum for _, maximum, pledged in lines):
        return FundingStatus.FULLY_FUNDED
    return FundingStatus.MINIMUM_REACHED


def check_accepts_pledges(current: FundingStatus) -> None:
    """Refuse (``Conflict``) a pledge, or a change to one, on a cancelled or completed project."""
    if current.is_final:
        raise Conflict(f"{_CLOSED_BECAUSE[current]} : les contributions sont fermées.")


def cancelled(current: FundingStatus) -> FundingStatus:
    """The status after the leads cancel: allowed from any status that is not final."""
    if current.is_final:
        raise Conflict(f"{_CLOSED_BECAUSE[current]} : il ne peut plus être annulé.")
    return FundingStatus.CANCELLED


def can_complete(current: FundingStatus) -> bool:
    """Whether the leads may mark the project completed: its minimum is reached and it is not final."""
    return current in (FundingStatus.MINIMUM_REACHED, FundingStatus.FULLY_FUNDED)


def completed(current: FundingStatus) -> FundingStatus:
    """The status after the leads mark the project completed: allowed once its minimum is reached.

    Parameters:
      current: the status the needs' progress gives now (see ``funding_status``), not a stale stored one.
    """
    if current.is_final:
        raise Conflict(f"{_CLOSED_BECAUSE[current]} : il ne peut plus être marqué comme terminé.")
    if not can_complete(current):
        raise Conflict("Ce projet n'a pas encore atteint son minimum : il ne peut pas être marqué comme terminé.")
    return FundingStatus.COMPLETED
