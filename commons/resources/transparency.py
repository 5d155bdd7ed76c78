"""Public transparency of a project or a call: money in, allocated (by which funder), spent, hours, who gave.

Everything here is aggregated; a contributor is named only when they opted in (``Pledge.public_name``)
on at least one of their standing pledges, the others are only counted. Visibility follows
``get_project`` / ``get_challenge``: what a viewer may not see (a draft call and its projects) is
not found.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import Organization, User
from commons.challenges.services import get_challenge
from commons.funders.models import Funder, PayoutShare
from commons.ledger.models import Entry, LedgerAccount
from commons.ledger.rules import EUR, AccountKind
from commons.pledges.models import STANDING, Pledge, PledgeStatus
from commons.projects.models import Project, ResourceKind
from commons.projects.services import get_project


@dataclass(frozen=True, slots=True)
class Transparency:
    """The public figures of a project or a call.

    Amounts are in euro cents and time in minutes. ``promised_*`` are pledges not yet kept;
    ``received_cents`` and ``given_minutes`` are confirmed pledges (money received, hours done);
    ``allocated_cents`` is what calls' pools paid out (co-budgets, seeds, matching: the payout rows,
    each one a ledger transfer); ``funders`` says which funder paid how much of it, by name, most
    first; ``spent_cents`` is the ledger's spending.
    """

    scope: str  # "project" or "challenge"
    id: int
    title: str
    promised_cents: int
    received_cents: int
    allocated_cents: int
    spent_cents: int
    promised_minutes: int
    given_minutes: int
    named_contributors: tuple[str, ...]
    anonymous_contributors: int
    funders: tuple[tuple[str, int], ...]


async def project_transparency(session: AsyncSession, project_id: int, *, viewer: User | None = None) -> Transparency:
    """A project's transparency figures; ``NotFound`` if the viewer may not see the project."""
    project = await get_project(session, project_id, viewer=viewer)
    return await _transparency(
        session,
        scope="project",
        id=project.id,
        title=project.title,
        pledges=Pledge.project_id == project.id,
        owners=select(Project.id).where(Project.id == project.id),
    )


async def challenge_transparency(
    session: AsyncSession, challenge_id: int, *, viewer: User | None = None
) -> Transparency:
    """A call's transparency figures, summed over its projects; ``NotFound`` if the viewer may not see it."""
    challenge = await get_challenge(session, challenge_id, viewer=viewer)
    projects = select(Project.id).where(Project.challenge_id == challenge.id)
    return await _transparency(
        session,
        scope="challenge",
        id=challenge.id,
        title=challenge.title,
        pledges=Pledge.project_id.in_(projects),
        owners=projects,
    )


async def _funders(session: AsyncSession, owners: Select[int]) -> tuple[tuple[str, int], ...]:
    """What each funder paid these projects out of calls' pools, by name, the largest first."""
    rows = await session.execute(
        select(Organization.name, func.sum(PayoutShare.cents))
        .join(Funder, Funder.organization_id == Organization.id)
        .join(PayoutShare, PayoutShare.funder_id == Funder.id)
        .where(PayoutShare.project_id.in_(owners))
        .group_by(Organization.name)
    )
    return tuple(sorted(((name, int(total)) for name, total in rows), key=lambda line: (-line[1], line[0])))


async def _transparency(
    session: AsyncSession,
    *,
    scope: str,
    id: int,
    title: str,
    pledges: ColumnElement[bool],
    owners: Select[int],
) -> Transparency:
    totals = {
        (kind, status): int(amount)
        for kind, status, amount in await session.execute(
            select(Pledge.kind, Pledge.status, func.coalesce(func.sum(Pledge.amount), 0))
            .where(pledges)
            .group_by(Pledge.kind, Pledge.status)
        )
    }
    spent = await session.scalar(
        select(func.coalesce(func.sum(Entry.amount), 0))
        .join(LedgerAccount, LedgerAccount.id == Entry.account_id)
        .where(
            LedgerAccount.kind == AccountKind.PROJECT_SPENT,
            LedgerAccount.unit == EUR,
            LedgerAccount.owner_id.in_(owners),
        )
    )
    named, anonymous = await _contributors(session, pledges)
    funders = await _funders(session, owners)
    return Transparency(
        scope=scope,
        id=id,
        title=title,
        promised_cents=totals.get((ResourceKind.MONEY, PledgeStatus.PROMISED), 0),
        received_cents=totals.get((ResourceKind.MONEY, PledgeStatus.CONFIRMED), 0),
        allocated_cents=sum(cents for _, cents in funders),
        spent_cents=int(spent or 0),
        promised_minutes=totals.get((ResourceKind.TIME, PledgeStatus.PROMISED), 0),
        given_minutes=totals.get((ResourceKind.TIME, PledgeStatus.CONFIRMED), 0),
        named_contributors=named,
        anonymous_contributors=anonymous,
        funders=funders,
    )


async def _contributors(session: AsyncSession, pledges: ColumnElement[bool]) -> tuple[tuple[str, ...], int]:
    """Names of the contributors who opted in on a standing pledge (sorted), and how many others there are."""
    rows = await session.execute(
        select(Pledge.contributor_id, User.name, Pledge.public_name)
        .join(User, User.id == Pledge.contributor_id)
        .where(pledges, Pledge.status.in_(STANDING))
        .distinct()
    )
    names: dict[int, str] = {}
    everyone: set[int] = set()
    for contributor_id, name, public in rows:
        everyone.add(contributor_id)
        if public:
            names[contributor_id] = name
    return tuple(sorted(names.values(), key=str.casefold)), len(everyone - names.keys())
