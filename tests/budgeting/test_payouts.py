"""A round's money leaves the call's pool through its funders: seeds at creation, the result at publication."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.budgeting.models import Round
from commons.ledger import services as ledger
from commons.ledger.check import check_ledger
from commons.ledger.rules import EUR, AccountKind
from tests import factories
from tests.budgeting.helpers import create_round, published_result, round_body

Client = AsyncTestClient[Litestar]


async def _stage(client: Client, session: AsyncSession, pool_cents: int, *, received: bool) -> dict[str, Any]:
    """A call whose authority puts ``pool_cents`` in the pool (received or only promised), with three
    projects asking 600, 500 and 400 €."""
    mayor = await factories.authority(session, client)
    call = await factories.open_challenge(client, mayor, pool_cents=pool_cents)
    lead = await factories.api_user(client, "Porteuse")
    projects = [
        (
            await factories.project(
                client,
                lead,
                call["id"],
                title=f"Projet {cost}",
                needs=[{"kind": "money", "label": "Budget", "min_cents": cost, "max_cents": cost * 2}],
            )
        )["id"]
        for cost in (60_000, 50_000, 40_000)
    ]
    if received:
        funders = (await client.get(f"/api/v1/challenges/{call['id']}/funders")).json()
        marked = await client.post(
            f"/api/v1/challenges/{call['id']}/funders/{funders[0]['id']}/received", headers=mayor.headers
        )
        assert marked.status_code == 200, marked.text
    return {"mayor": mayor, "call": call, "projects": projects}


async def _project_balance(sessionmaker: async_sessionmaker[AsyncSession], project_id: int) -> int:
    async with sessionmaker() as session:
        account = await ledger.find_account(session, kind=AccountKind.PROJECT, owner_id=project_id, unit=EUR)
        return 0 if account is None else await ledger.balance(session, account)


async def _vote_and_publish(client: Client, stage: dict[str, Any], round_id: int) -> dict[str, Any]:
    first, second, third = stage["projects"]
    for name, approvals in (("A", [first]), ("B", [first, second]), ("C", [third])):
        voter = await factories.api_user(client, f"Votant{name}")
        cast = await client.put(
            f"/api/v1/rounds/{round_id}/ballot", json={"approvals": approvals}, headers=voter.headers
        )
        assert cast.status_code == 200, cast.text
    closed = await client.post(f"/api/v1/rounds/{round_id}/close", headers=stage["mayor"].headers)
    assert closed.status_code == 200, closed.text
    return await published_result(client, round_id)


async def test_published_result_is_paid_from_the_pool_into_each_winner(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    stage = await _stage(client, session, 100_000, received=True)
    round_ = await create_round(client, stage, rule="greedy", budget_cents=100_000)
    result = await _vote_and_publish(client, stage, round_["id"])

    winners = [line for line in result["lines"] if line["selected"]]
    assert winners and all(line["paid_cents"] == line["allocated_cents"] > 0 for line in winners)
    for line in result["lines"]:
        assert await _project_balance(sessionmaker, line["project_id"]) == line["paid_cents"]
    async with sessionmaker() as check:
        pool = await ledger.find_account(check, kind=AccountKind.CHALLENGE_POOL, owner_id=stage["call"]["id"], unit=EUR)
        assert pool is not None
        assert await ledger.balance(check, pool) == 100_000 - sum(line["paid_cents"] for line in winners)
        assert await check_ledger(check) == []


async def test_money_not_received_is_not_paid_and_the_result_says_why(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    stage = await _stage(client, session, 100_000, received=False)
    round_ = await create_round(client, stage, rule="greedy", budget_cents=100_000)
    result = await _vote_and_publish(client, stage, round_["id"])

    winners = [line for line in result["lines"] if line["selected"]]
    assert winners and all(line["paid_cents"] == 0 and line["payment_note"] for line in winners)
    assert [await _project_balance(sessionmaker, line["project_id"]) for line in result["lines"]] == [0, 0, 0]
    page = await client.get(f"/rounds/{round_['id']}/result")
    assert "Versé par les financeurs" in page.text and "Versement :" in page.text


async def test_seed_funding_is_paid_at_creation_only_from_money_received(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    promised = await _stage(client, session, 100_000, received=False)
    refused = await client.post(
        f"/api/v1/challenges/{promised['call']['id']}/rounds",
        json=round_body(rule="greedy", budget_cents=100_000, seed_cents=5_000),
        headers=promised["mayor"].headers,
    )
    assert refused.status_code == 409 and "amorçage" in refused.json()["detail"]
    async with sessionmaker() as check:
        assert await check.scalar(select(func.count()).select_from(Round)) == 0

    stage = await _stage(client, session, 100_000, received=True)
    round_ = await create_round(client, stage, rule="greedy", budget_cents=100_000, seed_cents=5_000)
    assert [await _project_balance(sessionmaker, p) for p in stage["projects"]] == [5_000, 5_000, 5_000]
    changed = await client.patch(
        f"/api/v1/rounds/{round_['id']}", json={"seed_cents": 1_000}, headers=stage["mayor"].headers
    )
    assert changed.status_code == 409 and "amorçage" in changed.json()["detail"]
