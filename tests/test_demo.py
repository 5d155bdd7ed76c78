"""``commons demo``: the demo territory, loaded through the use cases into a fresh database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from commons.accounts.models import Organization, OrganizationKind, User
from commons.accounts.services import LoginThrottle, authenticate, sign_up
from commons.challenges.models import Challenge, ChallengeStatus
from commons.challenges.services import list_challenges
from commons.db import Base, create_engine, create_sessionmaker
from commons.demo import DEMO_PASSWORD, INTERCOMMUNALITE, MAIN_LOGINS, email, load_demo
from commons.errors import Conflict
from commons.events.models import OutboxEvent
from commons.migrate import upgrade
from commons.pledges.models import Pledge, PledgeStatus
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
from commons.territories.models import Territory, TerritoryLevel

Demo = tuple[async_sessionmaker[AsyncSession], str]


async def _fresh_database(directory: Path) -> AsyncEngine:
    url = f"sqlite+aiosqlite:///{directory / 'commons.sqlite3'}"
    # Alembic's env.py runs its own event loop: keep it off this one.
    await asyncio.to_thread(upgrade, url)
    return create_engine(url)


@pytest_asyncio.fixture(scope="module")
async def demo(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Demo]:
    """A database with the demo loaded once, and the message of that load."""
    engine = await _fresh_database(tmp_path_factory.mktemp("demo"))
    sessions = create_sessionmaker(engine)
    async with sessions() as session:
        message = await load_demo(session)
    yield sessions, message
    await engine.dispose()


async def _count(session: AsyncSession, model: type[Base]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


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
            user = await authenticate(session, email=email(login), password=DEMO_PASSWORD, throttle=LoginThrottle())
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
        needs = list(await session.scalars(select(Need)))
        assert any(n.pledged_amount >= n.min_amount for n in needs)
        assert any(n.pledged_amount < n.min_amount for n in needs)
        for need in needs:  # the read model matches the active pledges
            assert need.pledged_amount == sum(
                p.amount for p in pledges if p.need_id == need.id and p.status == PledgeStatus.PROMISED
            )
        for project in await session.scalars(select(Project)):
            assert project.pledged_cents == sum(
                p.amount
                for p in pledges
                if p.project_id == project.id and p.kind == ResourceKind.MONEY and p.status == PledgeStatus.PROMISED
            )
        # Everything went through the use cases, so the events are in the outbox.
        types = set(await session.scalars(select(OutboxEvent.type)))
        assert {
            "challenge.published",
            "project.launched",
            "member.joined",
            "pledge.made",
            "pledge.withdrawn",
        } <= types


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
