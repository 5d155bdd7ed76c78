"""Pledges kept: confirmation moves money and time in the ledger; the maximum of a need holds."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.ledger.check import check_ledger
from commons.ledger.rules import EUR, MINUTES, AccountKind
from commons.ledger.services import owner_balances
from tests import factories
from tests.conftest import eventually

Client = AsyncTestClient[Litestar]


@pytest.fixture
async def stage(client: Client, session: AsyncSession) -> dict[str, Any]:
    mayor = await factories.authority(session, client)
    challenge = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, challenge["id"])
    donor = await factories.api_user(client, "Donateur")
    return {"mayor": mayor, "lead": lead, "project": project, "donor": donor}


async def _pledge(client: Client, stage: dict[str, Any], need: int, **amount: Any) -> dict[str, Any]:
    kind = ["money", "time", "skill"][need]
    body = {"need_id": stage["project"]["needs"][need]["id"], "kind": kind} | amount
    response = await client.post(
        f"/api/v1/projects/{stage['project']['id']}/pledges", json=body, headers=stage["donor"].headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_confirmed_pledges_move_money_and_time_in_the_ledger(
    client: Client, stage: dict[str, Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    money = await _pledge(client, stage, 0, amount_cents=12_000)
    hours = await _pledge(client, stage, 1, minutes=150)
    received = await client.post(f"/api/v1/pledges/{money['id']}/confirm", headers=stage["lead"].headers)
    assert received.status_code == 200 and received.json()["status"] == "confirmed"
    # Hours are confirmed by the project's lead, not by the volunteer.
    self_confirmed = await client.post(f"/api/v1/pledges/{hours['id']}/confirm", headers=stage["donor"].headers)
    assert self_confirmed.status_code == 403
    done = await client.post(f"/api/v1/pledges/{hours['id']}/confirm", headers=stage["lead"].headers)
    assert done.status_code == 200
    assert (
        await client.post(f"/api/v1/pledges/{hours['id']}/confirm", headers=stage["lead"].headers)
    ).status_code == 409
    kept = await client.delete(f"/api/v1/pledges/{money['id']}", headers=stage["donor"].headers)
    assert kept.status_code == 409

    async with sessionmaker() as session:
        project = await owner_balances(session, kind=AccountKind.PROJECT, owner_id=stage["project"]["id"])
        donor = await owner_balances(session, kind=AccountKind.CONTRIBUTOR, owner_id=stage["donor"].id)
        assert project == {EUR: 12_000, MINUTES: 150}
        assert donor == {EUR: -12_000, MINUTES: -150}
        assert await check_ledger(session) == []

    async def donor_thanked() -> bool:
        notes = (await client.get("/api/v1/me/notifications", headers=stage["donor"].headers)).json()
        return any("a confirmé votre contribution de 2 h 30" in n["message"] for n in notes)

    await eventually(donor_thanked)
    # Confirmed pledges still count in the need's progress.
    read = (await client.get(f"/api/v1/projects/{stage['project']['id']}")).json()
    assert read["needs"][0]["pledged_cents"] == 12_000


async def test_pledge_beyond_the_maximum_is_refused(client: Client, stage: dict[str, Any]) -> None:
    await _pledge(client, stage, 0, amount_cents=100_000)  # the maximum is 120,000
    over = await client.post(
        f"/api/v1/projects/{stage['project']['id']}/pledges",
        json={"need_id": stage["project"]["needs"][0]["id"], "kind": "money", "amount_cents": 30_000},
        headers=stage["donor"].headers,
    )
    assert over.status_code == 400
    assert "il reste 200 €" in over.json()["detail"]
    await _pledge(client, stage, 0, amount_cents=20_000)
    full = await client.post(
        f"/api/v1/projects/{stage['project']['id']}/pledges",
        json={"need_id": stage["project"]["needs"][0]["id"], "kind": "money", "amount_cents": 1},
        headers=stage["donor"].headers,
    )
    assert full.status_code == 400 and "atteint son maximum" in full.json()["detail"]


async def test_strangers_cannot_confirm(client: Client, stage: dict[str, Any]) -> None:
    money = await _pledge(client, stage, 0, amount_cents=500)
    stranger = await factories.api_user(client, "Inconnue")
    assert (await client.post(f"/api/v1/pledges/{money['id']}/confirm", headers=stranger.headers)).status_code == 403
    assert (await client.post("/api/v1/pledges/999999/confirm", headers=stranger.headers)).status_code == 404


async def test_a_contributor_cannot_confirm_his_own_money_pledge(client: Client, stage: dict[str, Any]) -> None:
    money = await _pledge(client, stage, 0, amount_cents=5_000)
    own = await client.post(f"/api/v1/pledges/{money['id']}/confirm", headers=stage["donor"].headers)
    assert own.status_code == 403 and "votre propre contribution" in own.json()["detail"]
    assert (await client.get("/api/v1/me/pledges", headers=stage["donor"].headers)).json()[0]["status"] == "promised"
    received = await client.post(f"/api/v1/pledges/{money['id']}/confirm", headers=stage["lead"].headers)
    assert received.status_code == 200 and received.json()["confirmed_by_id"] == stage["lead"].id


async def test_a_lead_pledging_to_his_own_project_needs_someone_else_to_confirm(
    client: Client, stage: dict[str, Any]
) -> None:
    """The lead's own money is confirmed by an admin of the call (or another lead), never by himself."""
    body = {"need_id": stage["project"]["needs"][0]["id"], "kind": "money", "amount_cents": 7_000}
    pledged = await client.post(
        f"/api/v1/projects/{stage['project']['id']}/pledges", json=body, headers=stage["lead"].headers
    )
    own = await client.post(f"/api/v1/pledges/{pledged.json()['id']}/confirm", headers=stage["lead"].headers)
    assert own.status_code == 403
    received = await client.post(f"/api/v1/pledges/{pledged.json()['id']}/confirm", headers=stage["mayor"].headers)
    assert received.status_code == 200 and received.json()["confirmed_by_id"] == stage["mayor"].id


async def test_a_call_admin_confirms_money_but_not_hours(client: Client, stage: dict[str, Any]) -> None:
    hours = await _pledge(client, stage, 1, minutes=60)
    refused = await client.post(f"/api/v1/pledges/{hours['id']}/confirm", headers=stage["mayor"].headers)
    assert refused.status_code == 403
