"""Only people with a verified e-mail address pledge, vote, register in a round, use a wallet or delegate."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.budgeting.models import Ballot, Registration
from commons.db import utcnow
from commons.pledges.models import Pledge
from tests import factories
from tests.budgeting.helpers import call_with_projects, create_round
from tests.factories import Client
from tests.web.helpers import post_form, read, signed_in_person, text_of

VERIFY_FIRST = "Confirmez d'abord votre adresse e-mail"


async def test_an_unverified_account_cannot_pledge(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000])
    (project_id,) = stage["projects"]
    need = (await client.get(f"/api/v1/projects/{project_id}")).json()["needs"][0]["id"]
    fresh = await factories.api_user(client, "Nouveau", verified=False)
    body = {"kind": "money", "need_id": need, "amount_cents": 100}
    refused = await client.post(f"/api/v1/projects/{project_id}/pledges", json=body, headers=fresh.headers)
    assert refused.status_code == 403 and VERIFY_FIRST in refused.json()["detail"]
    assert await read(session, select(func.count()).select_from(Pledge)) == 0


async def test_an_unverified_account_cannot_vote(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000])
    round_ = await create_round(client, stage, rule="greedy")
    fresh = await factories.api_user(client, "Nouveau", verified=False)
    body = {"approvals": stage["projects"]}
    refused = await client.put(f"/api/v1/rounds/{round_['id']}/ballot", json=body, headers=fresh.headers)
    assert refused.status_code == 403 and VERIFY_FIRST in refused.json()["detail"]
    assert await read(session, select(func.count()).select_from(Ballot)) == 0


async def test_an_unverified_account_cannot_register_spend_or_delegate(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000])
    opens = (utcnow() + timedelta(hours=1)).isoformat()
    round_ = await create_round(client, stage, rule="wallets", opens_at=opens, delegation_allowed=True)
    url = f"/api/v1/rounds/{round_['id']}"
    fresh = await factories.api_user(client, "Nouveau", verified=False)
    friend = await factories.api_user(client, "Amie")
    assert (await client.post(f"{url}/registration", headers=friend.headers)).status_code == 200
    answers = [
        await client.post(f"{url}/registration", headers=fresh.headers),
        await client.put(f"{url}/wallet", json={"lines": []}, headers=fresh.headers),
        await client.put(f"{url}/delegation", json={"delegate_id": friend.id, "percent": 50}, headers=fresh.headers),
    ]
    for answer in answers:
        assert answer.status_code == 403 and VERIFY_FIRST in answer.json()["detail"], answer.text
    assert await read(session, select(func.count()).select_from(Registration)) == 1


async def test_an_unverified_person_is_told_on_the_page(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000])
    (project_id,) = stage["projects"]
    need = (await client.get(f"/api/v1/projects/{project_id}")).json()["needs"][0]["id"]
    round_ = await create_round(client, stage, rule="greedy")
    await signed_in_person(client, session, "Nouvelle", verified=False)
    pledged = await post_form(client, f"/projects/{project_id}/pledges", {"need_id": str(need), "amount": "10"})
    assert pledged.status_code == 403 and VERIFY_FIRST in text_of(pledged)
    voted = await post_form(client, f"/rounds/{round_['id']}/ballot", {"approvals": [str(project_id)]})
    assert voted.status_code == 403 and VERIFY_FIRST in text_of(voted)
