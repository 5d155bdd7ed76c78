"""The public transparency of a project or a call: money in, allocated, spent, hours given, who gave.

Everything here is aggregated; a contributor is named only when they opted in (``Pledge.public_name``)
on at least one of their standing pledges, the others are only counted. Visibility follows
``get_project`` / ``get_challenge``: what a viewer may not see (a draft call and its projects) is
not found.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.budgeting.models import Round, RoundResult, RoundStatus
from commons.challenges.services import get_challenge
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
    ``allocated_cents`` is what published co-budget rounds gave (seed included); ``spent_cents``
    is the ledger's spending (0 until expenses exist).
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


async def project_transparency(session: AsyncSession, project_id: int, *, viewer: User | None = None) -> Transparency:
    """A project's transparency figures; ``NotFound`` if the viewer may not see the project."""
    project = await get_project(session, project_id, viewer=viewer)
    allocated = (
        await _allocated_cents(session, Round.challenge_id == project.challenge_id, {project.id})
        if project.challenge_id is not None
        else 0
    )
    return await _transparency(
        session,
        scope="project",
        id=project.id,
        title=project.title,
        pledges=Pledge.project_id == project.id,
        owners=select(Project.id).where(Project.id == project.id),
        allocated_cents=allocated,
    )


async def challenge_transparency(
    session: AsyncSession, challenge_id: int, *, viewer: User | None = None
) -> Transparency:
    """A call's transparency figures, summed over its projects; ``NotFound`` if the viewer may not see it."""
    challenge = await get_challenge(session, challenge_id, viewer=viewer)
    projects = select(Project.id).where(Project.challenge_id == challenge.id)
    project_ids = set(await session.scalars(projects))
    allocated = await _allocated_cents(session, Round.challenge_id == challenge.id, project_ids)
    return await _transparency(
        session,
        scope="challenge",
        id=challenge.id,
        title=challenge.title,
        pledges=Pledge.project_id.in_(projects),
        owners=projects,
        allocated_cents=allocated,
    )


async def _allocated_cents(session: AsyncSession, rounds: ColumnElement[bool], project_ids: set[int]) -> int:
    """The sum of the published results' lines (``total_cents``: allocation plus seed) for these projects."""
    results = await session.scalars(
        select(RoundResult.lines)
        .join(Round, Round.id == RoundResult.round_id)
        .where(Round.status == RoundStatus.PUBLISHED, rounds)
    )
    return sum(
        int(line.get("total_cents", 0))
        for lines in results
        for line in lines
        if int(line.get("project_id", 0)) in project_ids
    )


async def _transparency(
    session: AsyncSession,
    *,
    scope: str,
    id: int,
    title: str,
    pledges: ColumnElement[bool],
    owners: Select[int],
    allocated_cents: int,
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
    return Transparency(
        scope=scope,
        id=id,
        title=title,
        promised_cents=totals.get((ResourceKind.MONEY, PledgeStatus.PROMISED), 0),
        received_cents=totals.get((ResourceKind.MONEY, PledgeStatus.CONFIRMED), 0),
        allocated_cents=allocated_cents,
        spent_cents=int(spent or 0),
        promised_minutes=totals.get((ResourceKind.TIME, PledgeStatus.PROMISED), 0),
        given_minutes=totals.get((ResourceKind.TIME, PledgeStatus.CONFIRMED), 0),
        named_contributors=named,
        anonymous_contributors=anonymous,
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
