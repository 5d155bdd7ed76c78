"""All-or-nothing deadlines and cancelled projects: pledges kept or released, history and ledger intact."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.db import utcnow
from commons.ledger.check import check_ledger
from commons.ledger.models import Transfer
from commons.ledger.rules import EUR, AccountKind
from commons.ledger.services import owner_balances
from commons.pledges.models import Pledge
from commons.pledges.settlement import settle_due_projects
from commons.projects.models import Project
from tests import factories
from tests.conftest import eventually

Client = AsyncTestClient[Litestar]


async def _project_with_deadline(client: Client, session: AsyncSession) -> dict[str, Any]:
    mayor = await factories.authority(session, client)
    challenge = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    deadline = (utcnow() + timedelta(days=30)).isoformat()
    project = await factories.project(
        client,
        lead,
        challenge["id"],
        needs=[{"kind": "money", "label": "Four", "min_cents": 50_000, "max_cents": 80_000}],
        funding_deadline=deadline,
    )
    donors = [await factories.api_user(client, f"Donateur{i}") for i in range(2)]
    return {"lead": lead, "project": project, "donors": donors, "need": project["needs"][0]["id"]}


async def _pledge(client: Client, stage: dict[str, Any], donor: int, cents: int) -> int:
    response = await client.post(
        f"/api/v1/projects/{stage['project']['id']}/pledges",
        json={"need_id": stage["need"], "kind": "money", "amount_cents": cents},
        headers=stage["donors"][donor].headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _pass_deadline(sessionmaker: async_sessionmaker[AsyncSession], project_id: int) -> None:
    async with sessionmaker() as session:
        await session.execute(
            update(Project).where(Project.id == project_id).values(funding_deadline=utcnow() - timedelta(seconds=1))
        )
        await session.commit()


async def _statuses(sessionmaker: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessionmaker() as session:
        return [s.value for s in await session.scalars(select(Pledge.status).order_by(Pledge.id))]


async def test_deadline_short_of_the_minimum_releases_pledges_once(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    stage = await _project_with_deadline(client, session)
    first = await _pledge(client, stage, 0, 20_000)
    await _pledge(client, stage, 1, 10_000)
    confirmed = await client.post(f"/api/v1/pledges/{first}/confirm", headers=stage["lead"].headers)
    assert confirmed.status_code == 200
    await _pass_deadline(sessionmaker, stage["project"]["id"])

    async with sessionmaker() as sweep:
        assert await settle_due_projects(sweep) == 1
        # A second sweep (another process, a restart) finds nothing left to do.
        assert await settle_due_projects(sweep) == 0

    assert await _statuses(sessionmaker) == ["released", "released"]
    async with sessionmaker() as check:
        # The confirmed euros went back to their contributor by a reversing transfer; history is kept.
        assert await owner_balances(check, kind=AccountKind.PROJECT, owner_id=stage["project"]["id"]) == {EUR: 0}
        assert await check.scalar(select(func.count()).select_from(Transfer)) == 2
        assert await check_ledger(check) == []

    async def told() -> bool:
        notes = (await client.get("/api/v1/me/notifications", headers=stage["donors"][1].headers)).json()
        return any("n'a pas atteint son minimum" in n["message"] for n in notes)

    await eventually(told)

    async def totals_released() -> bool:
        read = (await client.get(f"/api/v1/projects/{stage['project']['id']}")).json()
        return bool(read["needs"][0]["pledged_cents"] == 0 and read["settled_at"])

    await eventually(totals_released)
    late = await client.post(
        f"/api/v1/projects/{stage['project']['id']}/pledges",
        json={"need_id": stage["need"], "kind": "money", "amount_cents": 100},
        headers=stage["donors"][0].headers,
    )
    assert late.status_code == 409


async def test_deadline_with_the_minimum_keeps_pledges(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    stage = await _project_with_deadline(client, session)
    await _pledge(client, stage, 0, 30_000)
    await _pledge(client, stage, 1, 20_000)

    async def minimum_reached() -> bool:
        read = (await client.get(f"/api/v1/projects/{stage['project']['id']}")).json()
        return bool(read["funding_status"] == "minimum_reached")

    await eventually(minimum_reached)
    await _pass_deadline(sessionmaker, stage["project"]["id"])
    async with sessionmaker() as sweep:
        assert await settle_due_projects(sweep) == 1
    assert await _statuses(sessionmaker) == ["promised", "promised"]


async def test_cancelling_releases_every_pledge_and_is_final(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    stage = await _project_with_deadline(client, session)
    first = await _pledge(client, stage, 0, 80_000)
    await client.post(f"/api/v1/pledges/{first}/confirm", headers=stage["lead"].headers)

    async def fully_funded() -> bool:
        read = (await client.get(f"/api/v1/projects/{stage['project']['id']}")).json()
        return bool(read["funding_status"] == "fully_funded")

    await eventually(fully_funded)
    # Raising the budget reopens a fully funded project.
    raised = await client.patch(
        f"/api/v1/projects/{stage['project']['id']}",
        json={"needs": [{"kind": "money", "label": "Camion", "min_cents": 10_000}]},
        headers=stage["lead"].headers,
    )
    assert raised.status_code == 200

    async def reopened() -> bool:
        read = (await client.get(f"/api/v1/projects/{stage['project']['id']}")).json()
        return bool(read["funding_status"] == "open")

    await eventually(reopened)
    stranger = stage["donors"][1]
    path = f"/api/v1/projects/{stage['project']['id']}/cancel"
    assert (await client.post(path, headers=stranger.headers)).status_code == 403
    cancelled = await client.post(path, headers=stage["lead"].headers)
    assert cancelled.status_code == 200 and cancelled.json()["funding_status"] == "cancelled"
    assert (await client.post(path, headers=stage["lead"].headers)).status_code == 409
    assert await _statuses(sessionmaker) == ["released"]
    async with sessionmaker() as check:
        assert await owner_balances(check, kind=AccountKind.CONTRIBUTOR, owner_id=stage["donors"][0].id) == {EUR: 0}
        assert await check_ledger(check) == []

    async def donor_told() -> bool:
        notes = (await client.get("/api/v1/me/notifications", headers=stage["donors"][0].headers)).json()
        return any("est annulé" in n["message"] for n in notes)

    await eventually(donor_told)


async def test_money_of_an_unsettled_all_or_nothing_pledge_cannot_be_spent(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Spending it would leave nothing to give back if the deadline passes short of the minimum."""
    mayor = await factories.authority(session, client)
    call = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(
        client,
        lead,
        call["id"],
        needs=[{"kind": "money", "label": "Four", "min_cents": 50_000, "max_cents": 80_000}],
        funding_deadline=(utcnow() + timedelta(days=30)).isoformat(),
    )
    donor, member = await factories.api_user(client, "Donatrice"), await factories.api_user(client, "Membre")
    await factories.received_money(client, donor, project, 20_000, receiver=lead)
    await factories.member(client, member, project["id"])
    spending = await factories.expense(client, member, project["id"], amount_cents=20_000)
    assert (await client.post(f"/api/v1/expenses/{spending['id']}/approve", headers=lead.headers)).status_code == 200
    refused = await client.post(f"/api/v1/expenses/{spending['id']}/pay", headers=lead.headers)
    assert refused.status_code == 409 and "tout ou rien" in refused.json()["detail"]

    async with sessionmaker() as clock:
        await clock.execute(
            update(Project).where(Project.id == project["id"]).values(funding_deadline=utcnow() - timedelta(seconds=1))
        )
        await clock.commit()
    async with sessionmaker() as sweep:
        assert await settle_due_projects(sweep) == 1  # short of its minimum: the 200 € go back
        assert await check_ledger(sweep) == []
    still = await client.post(f"/api/v1/expenses/{spending['id']}/pay", headers=lead.headers)
    assert still.status_code == 409 and "ne dispose que de 0 €" in still.json()["detail"]
