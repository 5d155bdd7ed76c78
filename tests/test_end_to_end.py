"""The story of issue 2's "done when", through the JSON API on the embedded runtime."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories
from tests.conftest import eventually


async def test_pledge_shows_on_project_after_the_worker_ran(
    client: AsyncTestClient[Litestar], session: AsyncSession
) -> None:
    mayor = await factories.authority(session, client)
    challenge = await factories.open_challenge(client, mayor)
    citizen = await factories.api_user(client, "Citoyenne")
    project = await factories.project(
        client,
        citizen,
        challenge["id"],
        needs=[{"kind": "money", "label": "Vélos", "min_cents": 50_000, "max_cents": 80_000}],
    )
    contributor = await factories.api_user(client, "Contributeur")
    need_id = project["needs"][0]["id"]

    pledged = await client.post(
        f"/api/v1/projects/{project['id']}/pledges",
        json={"need_id": need_id, "kind": "money", "amount_cents": 12_000},
        headers=contributor.headers,
    )
    assert pledged.status_code == 201, pledged.text

    async def shows_pledge() -> bool:
        need = (await client.get(f"/api/v1/projects/{project['id']}")).json()["needs"][0]
        return bool(need["pledged_cents"] == 12_000)

    await eventually(shows_pledge, timeout=2.0)
    call = (await client.get(f"/api/v1/challenges/{challenge['id']}")).json()
    assert (call["pledged_cents"], call["project_count"]) == (12_000, 1)
