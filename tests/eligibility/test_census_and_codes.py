"""A round may require a census identifier or an invitation code: each admits one person, once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.budgeting.models import Ballot
from commons.db import utcnow
from commons.eligibility.models import EligibilityCredential
from tests import factories
from tests.budgeting.helpers import call_with_projects, create_round, published_result
from tests.factories import Client
from tests.web.helpers import read


async def test_a_census_round_admits_only_listed_people_one_account_each(
    client: Client, session: AsyncSession
) -> None:
    stage = await call_with_projects(client, session, [60_000])
    round_ = await create_round(client, stage, rule="greedy", eligibility="census")
    assert round_["eligibility"] == "census"
    url = f"/api/v1/rounds/{round_['id']}"
    census = {"identifiers": ["75 012-345", "75012346", " ", "75012345"]}
    stranger = await factories.api_user(client, "Passant")
    assert (await client.post(f"{url}/census", json=census, headers=stranger.headers)).status_code == 403
    imported = await client.post(f"{url}/census", json=census, headers=stage["mayor"].headers)
    assert imported.status_code == 200 and imported.json() == {"added": 2, "already": 1}
    # Stored only as HMACs: the identifiers cannot be read back.
    digests = list(await session.scalars(select(EligibilityCredential.digest)))
    await session.commit()
    assert len(digests) == 2 and not any("75012345" in d or "75 012" in d for d in digests)

    ballot = {"approvals": stage["projects"]}
    voter, sock = await factories.api_user(client, "Électrice"), await factories.api_user(client, "Prête-nom")
    refused = await client.put(f"{url}/ballot", json=ballot, headers=voter.headers)
    assert refused.status_code == 403 and "identifiant" in refused.json()["detail"]
    unknown = await client.post(f"{url}/eligibility", json={"identifier": "99999999"}, headers=voter.headers)
    assert unknown.status_code == 403 and "ne figure pas" in unknown.json()["detail"]
    claimed = await client.post(f"{url}/eligibility", json={"identifier": "75012345"}, headers=voter.headers)
    assert claimed.status_code == 200 and claimed.json()["eligible"] is True
    assert (await client.put(f"{url}/ballot", json=ballot, headers=voter.headers)).status_code == 200
    # The same identifier, written another way, from a second account: refused, one person one ballot.
    reused = await client.post(f"{url}/eligibility", json={"identifier": "75-012-345"}, headers=sock.headers)
    assert reused.status_code == 409 and "autre personne" in reused.json()["detail"]
    assert (await client.put(f"{url}/ballot", json=ballot, headers=sock.headers)).status_code == 403
    assert (await client.get(f"{url}/eligibility", headers=sock.headers)).json()["eligible"] is False
    # One person holds one identifier: a second one stays for someone else.
    second = await client.post(f"{url}/eligibility", json={"identifier": "75012346"}, headers=voter.headers)
    assert second.status_code == 409
    assert await read(session, select(func.count()).select_from(Ballot)) == 1


async def test_invitation_codes_are_shown_once_and_redeemed_once(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000])
    opens = (utcnow() + timedelta(hours=1)).isoformat()
    round_ = await create_round(client, stage, rule="wallets", opens_at=opens, eligibility="codes")
    url = f"/api/v1/rounds/{round_['id']}"
    wrong_kind = await client.post(f"{url}/census", json={"identifiers": ["1"]}, headers=stage["mayor"].headers)
    assert wrong_kind.status_code == 409
    assert (await client.post(f"{url}/codes", json={"count": 0}, headers=stage["mayor"].headers)).status_code == 400
    generated = await client.post(f"{url}/codes", json={"count": 3}, headers=stage["mayor"].headers)
    assert generated.status_code == 201
    codes = generated.json()["codes"]
    assert len(set(codes)) == 3
    stored = list(await session.scalars(select(EligibilityCredential.digest)))
    await session.commit()
    assert len(stored) == 3 and not set(codes) & set(stored)

    guest, sock = await factories.api_user(client, "Invitée"), await factories.api_user(client, "Prête-nom")
    refused = await client.post(f"{url}/registration", headers=guest.headers)
    assert refused.status_code == 403 and "code d'invitation" in refused.json()["detail"]
    redeemed = await client.post(f"{url}/eligibility", json={"identifier": codes[0].lower()}, headers=guest.headers)
    assert redeemed.status_code == 200, redeemed.text
    again = await client.post(f"{url}/eligibility", json={"identifier": codes[0]}, headers=guest.headers)
    assert again.status_code == 200  # claiming what one holds changes nothing
    assert (await client.post(f"{url}/registration", headers=guest.headers)).status_code == 200
    reused = await client.post(f"{url}/eligibility", json={"identifier": codes[0]}, headers=sock.headers)
    assert reused.status_code == 409
    assert (await client.post(f"{url}/registration", headers=sock.headers)).status_code == 403


async def test_an_email_round_asks_for_nothing_more(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000])
    round_ = await create_round(client, stage, rule="greedy")
    assert round_["eligibility"] == "email"
    url = f"/api/v1/rounds/{round_['id']}"
    voter = await factories.api_user(client, "Électeur")
    assert (await client.get(f"{url}/eligibility", headers=voter.headers)).json()["eligible"] is True
    claim = await client.post(f"{url}/eligibility", json={"identifier": "x"}, headers=voter.headers)
    assert claim.status_code == 409
    census = await client.post(f"{url}/census", json={"identifiers": ["1"]}, headers=stage["mayor"].headers)
    assert census.status_code == 409


async def test_a_matching_round_with_codes_matches_only_invited_people(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000])
    (project_id,) = stage["projects"]
    round_ = await create_round(client, stage, rule="quadratic", budget_cents=100_000, eligibility="codes")
    url = f"/api/v1/rounds/{round_['id']}"
    codes = (await client.post(f"{url}/codes", json={"count": 2}, headers=stage["mayor"].headers)).json()["codes"]
    need = (await client.get(f"/api/v1/projects/{project_id}")).json()["needs"][0]["id"]
    givers = [await factories.api_user(client, name) for name in ("Invitée", "Invité", "Inconnue")]
    for giver, code in zip(givers, codes, strict=False):
        assert (await client.post(f"{url}/eligibility", json={"identifier": code}, headers=giver.headers)).is_success
    for giver in givers:
        body = {"kind": "money", "need_id": need, "amount_cents": 100}
        made = await client.post(f"/api/v1/projects/{project_id}/pledges", json=body, headers=giver.headers)
        received = await client.post(f"/api/v1/pledges/{made.json()['id']}/confirm", headers=stage["lead"].headers)
        assert received.status_code == 200
    assert (await client.post(f"{url}/close", headers=stage["mayor"].headers)).status_code == 200
    result = await published_result(client, round_["id"])
    # Two invited people: (2 × √1 €)² − 2 € = 2 €; the third one's euro is not matched.
    assert result["lines"][0]["allocated_cents"] == 200 and result["voter_count"] == 2


async def test_a_large_census_is_imported_in_one_go(client: Client, session: AsyncSession) -> None:
    """More identifiers than a statement takes parameters (32,767 on PostgreSQL), then the same list again."""
    stage = await call_with_projects(client, session, [60_000])
    round_ = await create_round(client, stage, rule="greedy", eligibility="census")
    census = {"identifiers": [f"E{number:06d}" for number in range(33_000)]}
    url = f"/api/v1/rounds/{round_['id']}/census"
    first = await client.post(url, json=census, headers=stage["mayor"].headers)
    assert first.status_code == 200 and first.json() == {"added": 33_000, "already": 0}
    again = await client.post(url, json=census, headers=stage["mayor"].headers)
    assert again.status_code == 200 and again.json() == {"added": 0, "already": 33_000}
