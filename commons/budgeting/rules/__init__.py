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
from commons.budgeting.rules.quadratic import Match, quadratic_match

__all__ = [
    "Allocation",
    "ApprovalElection",
    "Completion",
    "Match",
    "MoneyFormat",
    "ProjectId",
    "Satisfaction",
    "equal_shares",
    "greedy",
    "quadratic_match",
]
