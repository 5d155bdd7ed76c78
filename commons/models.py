"""Every mapped class, imported once so the metadata is complete (for Alembic and tests)."""

from commons.accounts.models import ApiToken, Organization, OrganizationAdmin, User, UserSession
from commons.audit.models import AuditEntry
from commons.budgeting.models import (
    Ballot,
    Candidate,
    College,
    Delegation,
    MatchEstimate,
    Registration,
    Round,
    RoundResult,
    WalletSpending,
)
from commons.challenges.models import Challenge, ChallengeFollower, Indicator
from commons.db import Base
from commons.eligibility.models import EligibilityCredential
from commons.events.models import OutboxEvent, ProcessedEvent
from commons.expenses.models import Expense, ExpenseApproval
from commons.funders.models import Funder, PayoutGrant, PayoutShare
from commons.ledger.models import Entry, LedgerAccount, Transfer
from commons.notifications.models import Notification
from commons.pledges.models import Pledge
from commons.projects.models import Membership, Need, Project
from commons.resources.models import RevenueLine
from commons.territories.models import Territory

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Ballot",
    "Base",
    "Candidate",
    "Challenge",
    "ChallengeFollower",
    "College",
    "Delegation",
    "EligibilityCredential",
    "Entry",
    "Expense",
    "ExpenseApproval",
    "Funder",
    "Indicator",
    "LedgerAccount",
    "MatchEstimate",
    "Membership",
    "Need",
    "Notification",
    "Organization",
    "OrganizationAdmin",
    "OutboxEvent",
    "PayoutGrant",
    "PayoutShare",
    "Pledge",
    "ProcessedEvent",
    "Project",
    "Registration",
    "RevenueLine",
    "Round",
    "RoundResult",
    "Territory",
    "Transfer",
    "User",
    "UserSession",
    "WalletSpending",
]
