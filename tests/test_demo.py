"""``commons demo``: the demo territory, loaded through the use cases into a fresh database."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from commons.accounts.models import Organization, OrganizationKind, User
from commons.accounts.services import authenticate, sign_up
from commons.budgeting.models import (
    Ballot,
    Delegation,
    MatchEstimate,
    Registration,
    Round,
    RoundResult,
    RoundRule,
    RoundStatus,
)
from commons.challenges.models import Challenge, ChallengeStatus
from commons.challenges.services import list_challenges
from commons.db import Base, create_engine, create_sessionmaker, utcnow
from commons.demo import DEMO_PASSWORD, INTERCOMMUNALITE, MAIN_LOGINS, email, load_demo
from commons.errors import Conflict
from commons.events.models import OutboxEvent, ProcessedEvent
from commons.expenses.models import Expense, ExpenseStatus
from commons.formatting import format_cents
from commons.funders.models import PayoutGrant
from commons.ledger.check import check_ledger
from commons.ledger.models import Transfer
from commons.migrate import upgrade
from commons.pledges.models import STANDING, Pledge, PledgeStatus
from commons.projects.models import (
    Membership,
    MembershipRole,
    Need,
    ParticipationForm,
    Project,
    ResourceKind,
    ResourceOffer,
)
from commons.projects.services import list_projects
from commons.settings import Settings
from commons.territories.models import Territory, TerritoryLevel
from commons.throttle import Throttle
from commons.web.app import create_app
from tests.conftest import TEST_SECRET_KEY
from tests.web.helpers import sign_in, text_of

Demo = tuple[async_sessionmaker[AsyncSession], str]
Client = AsyncTestClient[Litestar]


async def _fresh_database(directory: Path) -> AsyncEngine:
    url = f"sqlite+aiosqlite:///{directory / 'commons.sqlite3'}"
    # Alembic's env.py runs its own event loop: keep it off this one.
    await asyncio.to_thread(upgrade, url)
    return create_engine(url)


@pytest.fixture(scope="module")
def demo_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo")


@pytest_asyncio.fixture(scope="module")
async def demo(demo_directory: Path) -> AsyncIterator[Demo]:
    """A database with the demo loaded once, and the message of that load."""
    engine = await _fresh_database(demo_directory)
    sessions = create_sessionmaker(engine)
    async with sessions() as session:
        message = await load_demo(session)
    yield sessions, message
    await engine.dispose()


@pytest_asyncio.fixture(scope="module")
async def visitor(demo: Demo, demo_directory: Path, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Client]:
    """A browser on the web application serving a copy of the demo, as after ``commons demo``.

    A copy, so the application's in-process worker (which applies the outbox's events when it
    starts) leaves the database the other tests count untouched.
    """
    directory = tmp_path_factory.mktemp("demo-web")
    source = sqlite3.connect(demo_directory / "commons.sqlite3")
    target = sqlite3.connect(directory / "commons.sqlite3")
    try:
        source.backup(target)  # the WAL's pages too, unlike a file copy
    finally:
        source.close()
        target.close()
    settings = Settings(
        data_dir=directory,
        database_url=f"sqlite+aiosqlite:///{directory / 'commons.sqlite3'}",
        redis_url=None,
        secret_key=TEST_SECRET_KEY,
        secure_cookies=True,
        debug=False,
    )
    async with AsyncTestClient(create_app(settings), base_url="https://testserver.local") as client:
        yield client


async def _count(session: AsyncSession, model: type[Base]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _round(session: AsyncSession, rule: RoundRule, status: RoundStatus = RoundStatus.SCHEDULED) -> Round:
    """The demo's only round of this rule and status."""
    [round_] = await session.scalars(select(Round).where(Round.rule == rule, Round.status == status))
    return round_


async def _project(session: AsyncSession, title_start: str) -> Project:
    project = await session.scalar(select(Project).where(Project.title.startswith(title_start)))
    assert project is not None
    return project


async def test_calls_are_published_and_one_stays_a_draft(demo: Demo) -> None:
    sessions, _ = demo
    async with sessions() as session:
        public = await list_challenges(session, viewer=None)
        assert len(public) >= 2
        assert all(c.status == ChallengeStatus.OPEN for c in public)
        authority = await session.scalar(select(User).where(User.email == email("claire.martin")))
        assert authority is not None
        own = await list_challenges(session, viewer=authority)
        assert 2 <= len(own) <= 3
        assert {c.status for c in own} == {ChallengeStatus.OPEN, ChallengeStatus.DRAFT}
        for challenge in own:
            assert challenge.territory is not None
            assert len(challenge.problem.split("\n\n")) >= 2
            assert challenge.indicators and challenge.themes and challenge.commons_governance
            assert challenge.deadline is not None and challenge.deadline.year == 2027
            assert challenge.deadline.utcoffset() is not None
            assert challenge.pool_cents and challenge.cost_ceiling_cents


async def test_territory_has_an_intercommunality_and_its_communes(demo: Demo) -> None:
    sessions, _ = demo
    async with sessions() as session:
        levels = [t.level for t in await session.scalars(select(Territory))]
    assert levels.count(TerritoryLevel.INTERCOMMUNALITE) == 1
    assert 4 <= levels.count(TerritoryLevel.COMMUNE) <= 6


async def test_projects_answer_the_open_calls_with_needs_of_every_kind(demo: Demo) -> None:
    sessions, _ = demo
    async with sessions() as session:
        projects = [
            project
            for challenge in await list_challenges(session, viewer=None)
            for project in await list_projects(session, challenge_id=challenge.id, viewer=None)
        ]
        assert 8 <= len(projects) <= 12
        assert len({p.author_id for p in projects}) >= 6  # launched by different people
        for project in projects:
            assert project.team and project.governance and project.commons_rules
            assert project.citizen_involvement and project.community_animation
            assert {n.kind for n in project.needs} == set(ResourceKind)
        counts = {c.id: c.project_count for c in await session.scalars(select(Challenge))}
        for challenge_id in counts:
            expected = await session.scalar(
                select(func.count()).select_from(Project).where(Project.challenge_id == challenge_id)
            )
            assert counts[challenge_id] == expected


async def test_accounts_and_organizations(demo: Demo) -> None:
    sessions, message = demo
    async with sessions() as session:
        users = list(await session.scalars(select(User)))
        assert 28 <= len(users) <= 35
        assert all(u.email.endswith("@demo.commons.fr") for u in users)
        assert [u.email for u in users if u.is_platform_admin] == ["admin@demo.commons.fr"]
        kinds = {o.kind for o in await session.scalars(select(Organization))}
        assert kinds == set(OrganizationKind)
        for login in MAIN_LOGINS:
            assert email(login) in message
            user = await authenticate(
                session, email=email(login), password=DEMO_PASSWORD, throttle=Throttle(None), address="127.0.0.1"
            )
            assert user.email == email(login)
    assert DEMO_PASSWORD in message


async def test_memberships_cover_every_participation_form(demo: Demo) -> None:
    sessions, _ = demo
    async with sessions() as session:
        members = [m for m in await session.scalars(select(Membership)) if m.role == MembershipRole.MEMBER]
    assert {form for m in members for form in m.forms} == {f.value for f in ParticipationForm}
    assert {r for m in members for r in m.resources} == {r.value for r in ResourceOffer}
    assert all(m.offers and m.expects for m in members)


async def test_pledges_and_totals(demo: Demo) -> None:
    sessions, _ = demo
    async with sessions() as session:
        pledges = list(await session.scalars(select(Pledge)))
        assert {p.kind for p in pledges if p.status == PledgeStatus.PROMISED} == set(ResourceKind)
        assert len({p.contributor_id for p in pledges}) >= 10
        assert [p.status for p in pledges].count(PledgeStatus.WITHDRAWN) == 1
        confirmed = [p for p in pledges if p.status == PledgeStatus.CONFIRMED]
        assert confirmed and all(p.kind == ResourceKind.MONEY for p in confirmed)
        needs = list(await session.scalars(select(Need)))
        assert any(n.pledged_amount >= n.min_amount for n in needs)
        assert any(n.pledged_amount < n.min_amount for n in needs)
        for need in needs:  # the read model matches the standing (promised or confirmed) pledges
            assert need.pledged_amount == sum(
                p.amount for p in pledges if p.need_id == need.id and p.status in STANDING
            )
        for project in await session.scalars(select(Project)):
            assert project.pledged_cents == sum(
                p.amount
                for p in pledges
                if p.project_id == project.id and p.kind == ResourceKind.MONEY and p.status in STANDING
            )
        # Everything went through the use cases, so the events are in the outbox.
        types = set(await session.scalars(select(OutboxEvent.type)))
        assert {
            "challenge.published",
            "project.launched",
            "member.joined",
            "pledge.made",
            "pledge.withdrawn",
            "pledge.confirmed",
            "round.closed",
            "expense.paid",
        } <= types


async def test_a_closed_vote_is_published_and_paid_out(demo: Demo) -> None:
    sessions, _ = demo
    async with sessions() as session:
        round_ = await _round(session, RoundRule.EQUAL_SHARES, RoundStatus.PUBLISHED)
        assert (round_.completion, round_.seed_cents) == ("add1", 0)
        result = await session.scalar(select(RoundResult).where(RoundResult.round_id == round_.id))
        assert result is not None and result.voter_count >= 10
        funded = [line for line in result.lines if line["selected"]]
        assert len(funded) >= 2 and any(not line["selected"] for line in result.lines)
        assert all(line["paid_cents"] == line["allocated_cents"] > 0 for line in funded)
        assert result.total_cents == sum(line["allocated_cents"] for line in funded) <= round_.budget_cents
        # Computed as the worker would, and recorded so: a worker started later does not pay it twice.
        [closed] = await session.scalars(select(OutboxEvent.event_id).where(OutboxEvent.type == "round.closed"))
        assert await session.get(ProcessedEvent, ("commons.budgeting.compute_result", closed)) is not None


async def test_rounds_open_to_visitors(demo: Demo) -> None:
    sessions, _ = demo
    now = utcnow()
    async with sessions() as session:
        vote = await _round(session, RoundRule.EQUAL_SHARES)
        assert vote.opens_at <= now and timedelta(weeks=2) < vote.closes_at - now < timedelta(weeks=8)
        ballots = list(await session.scalars(select(Ballot).where(Ballot.round_id == vote.id)))
        assert 3 <= len(ballots) <= 8 and vote.frozen_at is not None
        assert vote.colleges and all(b.college_id is not None for b in ballots)
        # Its seed funding was paid to every candidate out of the pool received, when it was declared.
        seeds = list(await session.scalars(select(PayoutGrant).where(PayoutGrant.round_id == vote.id)))
        assert len(seeds) == len(vote.candidates) and vote.seed_cents > 0
        assert all(g.purpose == "seed" and g.paid_cents == g.asked_cents == vote.seed_cents for g in seeds)

        matching = await _round(session, RoundRule.QUADRATIC)
        assert matching.opens_at <= now < matching.closes_at
        estimate = await session.scalar(select(MatchEstimate).where(MatchEstimate.round_id == matching.id))
        assert estimate is not None and 0 < estimate.total_cents <= matching.budget_cents
        assert sum(1 for count in estimate.contributors.values() if count > 1) >= 2

        wallets = await _round(session, RoundRule.WALLETS)
        assert timedelta(days=1) < wallets.opens_at - now < timedelta(weeks=2) and wallets.delegation_allowed
        registered = await _count_where(session, Registration, Registration.round_id == wallets.id)
        assert registered >= 5
        assert await _count_where(session, Delegation, Delegation.round_id == wallets.id) == 1
        # Its colleges: every participant placed at registration, the families' college holding half of the pool.
        placed = await _count_where(
            session, Registration, (Registration.round_id == wallets.id) & Registration.college_id.is_not(None)
        )
        assert placed == registered
        assert {c.name: c.weight for c in wallets.colleges}["Familles et habitants"] == 2


async def _count_where(session: AsyncSession, model: type[Base], condition: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(condition)) or 0)


async def test_a_funded_project_spends_with_approvals(demo: Demo) -> None:
    sessions, _ = demo
    async with sessions() as session:
        expenses = list(await session.scalars(select(Expense).order_by(Expense.id)))
        assert {e.status for e in expenses} == {ExpenseStatus.PAID, ExpenseStatus.SUBMITTED}
        assert len({e.project_id for e in expenses}) == 1
        paid = next(e for e in expenses if e.status == ExpenseStatus.PAID)
        project = await session.get(Project, paid.project_id)
        assert project is not None
        roles = {m.user_id: m.role for m in project.memberships}
        assert roles[paid.author_id] == MembershipRole.MEMBER
        assert paid.paid_by is not None and roles[paid.paid_by.id] == MembershipRole.LEAD
        assert [roles[a.approver_id] for a in paid.approvals] == [MembershipRole.LEAD]
        assert await check_ledger(session) == []


async def test_visitor_sees_the_published_result_and_what_was_paid(demo: Demo, visitor: Client) -> None:
    sessions, _ = demo
    async with sessions() as session:
        round_ = await _round(session, RoundRule.EQUAL_SHARES, RoundStatus.PUBLISHED)
        result = await session.scalar(select(RoundResult).where(RoundResult.round_id == round_.id))
        assert result is not None
    answer = await visitor.get(f"/rounds/{round_.id}/result")
    assert answer.status_code == 200
    page = text_of(answer)
    assert "Versé" in page and "Non financé" in page
    assert format_cents(sum(line["paid_cents"] for line in result.lines)) in page
    for line in result.lines:
        if line["selected"]:
            assert line["title"] in page


async def test_visitor_sees_the_estimated_match_and_the_open_rounds(demo: Demo, visitor: Client) -> None:
    sessions, _ = demo
    async with sessions() as session:
        matching = await _round(session, RoundRule.QUADRATIC)
        estimate = await session.scalar(select(MatchEstimate).where(MatchEstimate.round_id == matching.id))
        assert estimate is not None
        wallets = await _round(session, RoundRule.WALLETS)
    call = text_of(await visitor.get(f"/challenges/{matching.challenge_id}"))
    assert "Abondement estimé" in call and f"Total estimé : {format_cents(estimate.total_cents)}" in call
    assert "Voir le résultat" in call
    registration = text_of(await visitor.get(f"/rounds/{wallets.id}"))
    assert "pour vous inscrire avant l'ouverture" in registration


async def test_visitor_sees_the_paid_expense_and_the_lead_the_one_to_approve(demo: Demo, visitor: Client) -> None:
    sessions, _ = demo
    async with sessions() as session:
        expenses = list(await session.scalars(select(Expense).order_by(Expense.id)))
        lead = await session.scalar(select(User).where(User.email == email("lea.moreau")))
        assert lead is not None
    paid = next(e for e in expenses if e.status == ExpenseStatus.PAID)
    waiting = next(e for e in expenses if e.status == ExpenseStatus.SUBMITTED)
    public = text_of(await visitor.get(f"/projects/{paid.project_id}"))
    assert paid.purpose in public and waiting.purpose not in public
    try:
        await sign_in(visitor, email("lea.moreau"), DEMO_PASSWORD)
        own = text_of(await visitor.get(f"/projects/{paid.project_id}"))
        assert waiting.purpose in own and f'action="/expenses/{waiting.id}/approve"' in own
    finally:
        visitor.cookies.clear()


async def test_loading_twice_changes_nothing(demo: Demo) -> None:
    sessions, _ = demo
    models: list[type[Base]] = [
        Territory,
        User,
        Organization,
        Challenge,
        Project,
        Membership,
        Pledge,
        Round,
        Ballot,
        Registration,
        RoundResult,
        Expense,
        Transfer,
        OutboxEvent,
    ]
    async with sessions() as session:
        before = [await _count(session, model) for model in models]
        message = await load_demo(session)
        after = [await _count(session, model) for model in models]
    assert "déjà chargée" in message
    assert DEMO_PASSWORD in message
    assert after == before


async def test_a_half_loaded_demo_is_refused(tmp_path: Path) -> None:
    engine = await _fresh_database(tmp_path)
    try:
        async with create_sessionmaker(engine)() as session:
            session.add(Territory(name=INTERCOMMUNALITE.name, level=INTERCOMMUNALITE.level, code=INTERCOMMUNALITE.code))
            await session.commit()
            with pytest.raises(Conflict):
                await load_demo(session)
            assert await _count(session, User) == 0
    finally:
        await engine.dispose()


async def test_demo_is_never_loaded_into_a_platform_with_accounts(tmp_path: Path) -> None:
    engine = await _fresh_database(tmp_path)
    try:
        async with create_sessionmaker(engine)() as session:
            await sign_up(session, email="vraie.personne@example.fr", password="un mot de passe long", name="Vraie")
            with pytest.raises(Conflict, match="déjà des comptes"):
                await load_demo(session)
            assert await _count(session, User) == 1
            assert await _count(session, Territory) == 0
    finally:
        await engine.dispose()
