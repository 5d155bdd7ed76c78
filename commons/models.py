"""Every mapped class, imported once so the metadata is complete (for Alembic and tests)."""

from commons.accounts.models import ApiToken, Organization, OrganizationAdmin, User
from commons.budgeting.models import Ballot, Candidate, College, Round, RoundResult
from commons.challenges.models import Challenge, ChallengeFollower, Indicator
from commons.db import Base
from commons.events.models import OutboxEvent, ProcessedEvent
from commons.ledger.models import Entry, LedgerAccount, Transfer
from commons.notifications.models import Notification
from commons.pledges.models import Pledge
from commons.projects.models import Membership, Need, Project
from commons.territories.models import Territory

__all__ = [
    "ApiToken",
    "Ballot",
    "Base",
    "Candidate",
    "Challenge",
    "ChallengeFollower",
    "College",
    "Entry",
    "Indicator",
    "LedgerAccount",
    "Membership",
    "Need",
    "Notification",
    "Organization",
    "OrganizationAdmin",
    "OutboxEvent",
    "Pledge",
    "ProcessedEvent",
    "Project",
    "Round",
    "RoundResult",
    "Territory",
    "Transfer",
    "User",
]
