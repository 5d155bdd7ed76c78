"""Building co-budget test scenes through the JSON API: a call with projects, a round, its result."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.budgeting.models import Round
from commons.db import utcnow
from tests import factories
from tests.conftest import eventually
from tests.factories import Client


async def call_with_projects(client: Client, session: AsyncSession, costs: list[int]) -> dict[str, Any]:
    """An open call by an authority, with one project per cost (its money need: min = cost, max = twice)."""
    mayor = await factories.authority(session, client)
    call = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    projects = [
        await factories.project(
            client,
            lead,
            call["id"],
            title=f"Projet {i}",
            needs=[{"kind": "money", "label": "Budget", "min_cents": cost, "max_cents": cost * 2}],
        )
        for i, cost in enumerate(costs, start=1)
    ]
    return {"mayor": mayor, "call": call, "projects": [p["id"] for p in projects], "lead": lead}


def round_body(**fields: Any) -> dict[str, Any]:
    now = utcnow()
    return {
        "title": "Premier relevé",
        "rule": "equal_shares",
        "budget_cents": 100_000,
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
    } | fields


async def create_round(client: Client, stage: dict[str, Any], **fields: Any) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/challenges/{stage['call']['id']}/rounds", json=round_body(**fields), headers=stage["mayor"].headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def published_result(client: Client, round_id: int, timeout: float = 5.0) -> dict[str, Any]:
    """The round's result, once the worker has computed it."""

    async def published() -> bool:
        return (await client.get(f"/api/v1/rounds/{round_id}/result")).status_code == 200

    await eventually(published, timeout=timeout)
    return dict((await client.get(f"/api/v1/rounds/{round_id}/result")).json())


async def move_opening(sessionmaker: async_sessionmaker[AsyncSession], round_id: int, minutes: int) -> None:
    """Move a round's opening ``minutes`` from now (negative: it opened), as time passing would."""
    async with sessionmaker() as session:
        await session.execute(
            update(Round).where(Round.id == round_id).values(opens_at=utcnow() + timedelta(minutes=minutes))
        )
        await session.commit()


async def receive_pool(client: Client, stage: dict[str, Any], cents: int) -> None:
    """The call's authority puts ``cents`` in the pool and it is received, so rounds can pay from it."""
    call_id, headers = stage["call"]["id"], stage["mayor"].headers
    edited = await client.patch(f"/api/v1/challenges/{call_id}", json={"pool_cents": cents}, headers=headers)
    assert edited.status_code == 200, edited.text
    funders = (await client.get(f"/api/v1/challenges/{call_id}/funders")).json()
    marked = await client.post(f"/api/v1/challenges/{call_id}/funders/{funders[0]['id']}/received", headers=headers)
    assert marked.status_code == 200, marked.text
