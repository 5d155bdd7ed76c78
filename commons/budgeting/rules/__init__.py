"""Allocation rules: pure functions from an approval election to an allocation, with explanations.

Every rule is deterministic, documents its tie-breaking and reproduces the reference library pabutools
where pabutools has the rule.
"""

from commons.budgeting.rules.colleges import Colleges, split_among_colleges
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
from commons.budgeting.rules.ratio import Gift, RatioMatch, RatioMode, ratio_match
from commons.budgeting.rules.wallets import (
    Delegation,
    DelegationCycle,
    Leftover,
    WalletOutcome,
    WalletProject,
    allocate_wallets,
    equal_wallets,
    resolve_delegations,
    share_pool,
)

__all__ = [
    "Allocation",
    "ApprovalElection",
    "Colleges",
    "Completion",
    "Delegation",
    "DelegationCycle",
    "Gift",
    "Leftover",
    "Match",
    "MoneyFormat",
    "ProjectId",
    "RatioMatch",
    "RatioMode",
    "Satisfaction",
    "WalletOutcome",
    "WalletProject",
    "allocate_wallets",
    "equal_shares",
    "equal_wallets",
    "greedy",
    "quadratic_match",
    "ratio_match",
    "resolve_delegations",
    "share_pool",
    "split_among_colleges",
]
