"""Allocation rules: pure functions from an approval election to an allocation, with explanations.

Every rule is deterministic, documents its tie-breaking and reproduces the reference library pabutools
where pabutools has the rule.
"""

from commons.budgeting.rules.election import (
    Allocation,
    ApprovalElection,
    MoneyFormat,
    ProjectId,
    Satisfaction,
)
from commons.budgeting.rules.equal_shares import Completion, equal_shares
from commons.budgeting.rules.greedy import greedy

__all__ = [
    "Allocation",
    "ApprovalElection",
    "Completion",
    "MoneyFormat",
    "ProjectId",
    "Satisfaction",
    "equal_shares",
    "greedy",
]
