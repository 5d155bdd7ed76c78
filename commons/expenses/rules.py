"""How many approvals an expense needs, and who may give them. Pure functions, no I/O.

The rule: a project sets ``N`` (``Project.approvals_required``, default 1). An expense may be paid
once it has approvals from **N distinct project members other than its author, at least one of them a
lead**. With the default, that is one lead other than the author, as the issue asks; with N > 1 the
other approvals may come from any member. A member who is not a lead may therefore approve only while
the approvals still leave room for a lead's: the N-th approval of an expense nobody led yet must be a
lead's.

Approvals are counted against the project as it is now (its current N, its current members and leads),
so raising N after an approval, or losing the lead who approved, asks for more approvals before payment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_APPROVALS = 20


@dataclass(frozen=True, slots=True)
class ApprovalCount:
    """Where an expense stands on its approvals.

    Parameters:
      required: the project's N.
      counted: approvals from current members other than the author.
      by_lead: whether one of those came from a current lead.
    """

    required: int
    counted: int
    by_lead: bool

    @property
    def missing(self) -> int:
        """How many more approvals payment needs (a lead's among them unless ``by_lead``)."""
        return max(self.required - self.counted, 0 if self.by_lead else 1)

    @property
    def lead_missing(self) -> bool:
        """Whether one of the missing approvals must be a lead's."""
        return not self.by_lead

    def describe_missing(self) -> str:
        """``il manque 2 approbations, dont celle d'un porteur du projet``, in French."""
        if self.missing == 0:
            return "elle a toutes ses approbations"
        plural = "s" if self.missing > 1 else ""
        text = f"il manque {self.missing} approbation{plural}"
        if self.lead_missing:
            text += ", dont celle d'un porteur du projet" if self.missing > 1 else " d'un porteur du projet"
        return text


def count_approvals(required: int, approvers_are_leads: Iterable[bool]) -> ApprovalCount:
    """Count the approvals that stand (one bool per approval of a current member: is it a lead's?)."""
    leads = list(approvers_are_leads)
    return ApprovalCount(required=required, counted=len(leads), by_lead=any(leads))


def lead_must_approve_next(count: ApprovalCount, *, is_lead: bool) -> bool:
    """Whether an approval by this person (a member other than the author) would leave no room for
    the lead's approval that payment needs: then only a lead may approve."""
    return not is_lead and count.lead_missing and count.counted + 1 >= count.required
