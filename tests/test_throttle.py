"""Per-person rate limits on pledges and ballots: a clear 429 with Retry-After past the limit."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from commons.throttle import Action
from tests import factories
from tests.budgeting.helpers import call_with_projects, create_round

Client = AsyncTestClient[Litestar]


async def test_pledges_past_the_limit_get_a_429(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    challenge = await factories.open_challenge(client, mayor)
    project = await factories.project(client, await factories.api_user(client, "Porteuse"), challenge["id"])
    donor, other = await factories.api_user(client, "Donateur"), await factories.api_user(client, "Autre")
    url = f"/api/v1/projects/{project['id']}/pledges"
    body = {"need_id": project["needs"][0]["id"], "kind": "money", "amount_cents": 100}
    for _ in range(Action.PLEDGE.limit.amount):
        assert (await client.post(url, json=body, headers=donor.headers)).status_code != 429
    refused = await client.post(url, json=body, headers=donor.headers)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "Patientez" in refused.json()["detail"]
    assert (await client.post(url, json=body, headers=other.headers)).status_code == 201


async def test_ballots_past_the_limit_get_a_429(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000, 50_000])
    first, _second = stage["projects"]
    round_ = await create_round(client, stage)
    voter = await factories.api_user(client, "Votante")
    url = f"/api/v1/rounds/{round_['id']}/ballot"
    for _ in range(Action.BALLOT.limit.amount):
        assert (await client.put(url, json={"approvals": [first]}, headers=voter.headers)).status_code == 200
    refused = await client.put(url, json={"approvals": [first]}, headers=voter.headers)
    assert refused.status_code == 429 and "retry-after" in refused.headers
