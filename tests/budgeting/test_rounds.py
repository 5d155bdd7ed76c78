"""Co-budgeting rounds: declared rules, one ballot per person, frozen rules, a stored reproducible result."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.accounts.models import User
from commons.budgeting import services
from commons.budgeting.models import Ballot, Round, RoundResult
from commons.budgeting.pabulib import loads
from commons.budgeting.rules import equal_shares
from commons.budgeting.schemas import BallotIn
from commons.db import utcnow
from commons.events.consumers import consume
from commons.events.models import OutboxEvent
from tests import factories
from tests.budgeting.helpers import call_with_projects, create_round, round_body
from tests.conftest import eventually

Client = AsyncTestClient[Litestar]


async def test_round_from_rules_to_published_result(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    stage = await call_with_projects(client, session, [60_000, 50_000, 40_000])
    first, second, third = stage["projects"]
    round_ = await create_round(client, stage)
    assert [c["cost_cents"] for c in round_["candidates"]] == [60_000, 50_000, 40_000]

    voters = [await factories.api_user(client, f"Votant{i}") for i in range(4)]
    ballots = [[first], [first, second], [second, third], [third]]
    for voter, approvals in zip(voters, ballots, strict=True):
        cast = await client.put(
            f"/api/v1/rounds/{round_['id']}/ballot", json={"approvals": approvals}, headers=voter.headers
        )
        assert cast.status_code == 200, cast.text
    # A ballot can be changed until the close: still one per person.
    changed = await client.put(
        f"/api/v1/rounds/{round_['id']}/ballot", json={"approvals": [first]}, headers=voters[3].headers
    )
    assert changed.status_code == 200
    assert (await client.get(f"/api/v1/rounds/{round_['id']}")).json()["ballot_count"] == 4

    frozen = await client.patch(
        f"/api/v1/rounds/{round_['id']}", json={"budget_cents": 1}, headers=stage["mayor"].headers
    )
    assert frozen.status_code == 409
    assert "figées" in frozen.json()["detail"]

    assert (await client.get(f"/api/v1/rounds/{round_['id']}/result")).status_code == 404
    secret = await client.get(f"/api/v1/rounds/{round_['id']}/export.pb")
    assert secret.status_code == 409
    closed = await client.post(f"/api/v1/rounds/{round_['id']}/close", headers=stage["mayor"].headers)
    assert closed.status_code == 200
    late = await client.put(
        f"/api/v1/rounds/{round_['id']}/ballot", json={"approvals": [third]}, headers=voters[0].headers
    )
    assert late.status_code == 409

    async def published() -> bool:
        return (await client.get(f"/api/v1/rounds/{round_['id']}/result")).status_code == 200

    await eventually(published)
    result = (await client.get(f"/api/v1/rounds/{round_['id']}/result")).json()
    assert result["voter_count"] == 4 and len(result["fingerprint"]) == 64
    funded = {line["project_id"] for line in result["lines"] if line["selected"]}
    assert sum(line["allocated_cents"] for line in result["lines"]) == result["total_cents"] <= 100_000
    assert first in funded
    assert all(line["explanation"] for line in result["lines"])

    # Anyone can recompute the published result from the anonymized export.
    exported = loads((await client.get(f"/api/v1/rounds/{round_['id']}/export.pb")).text)
    assert len(exported.voters) == 4 and exported.meta["fingerprint"] == result["fingerprint"]
    recomputed = equal_shares(exported.approval_election(), sat="cost", completion="add1")
    assert {int(p) for p in recomputed.selected} == funded

    # Computing again (a redelivered event) has no second effect and the same fingerprint.
    async with sessionmaker() as again:
        event_id = await again.scalar(select(OutboxEvent.event_id).where(OutboxEvent.type == "round.closed"))
        assert event_id is not None
        ran = await consume(
            again, consumer="commons.budgeting.compute_result", event_id=event_id, handler=services.compute_result
        )
        assert ran is False
        stored = await again.scalar(select(func.count()).select_from(RoundResult))
        assert stored == 1
        round_row = await again.get(Round, round_["id"])
        assert round_row is not None
        assert (await services.round_inputs(again, round_row)).fingerprint() == result["fingerprint"]


@pytest.mark.parametrize(
    ("limits", "choice", "message"),
    [
        ({"max_choices": 1}, [0, 1], "au plus 1"),
        ({"min_choices": 2}, [0], "au moins 2"),
        ({"max_ballot_cents": 70_000}, [0, 1], "dépassent"),
        ({}, [0, 0], "deux fois"),
    ],
)
async def test_ballot_outside_the_limits_is_refused(
    client: Client, session: AsyncSession, limits: dict[str, Any], choice: list[int], message: str
) -> None:
    stage = await call_with_projects(client, session, [60_000, 50_000])
    round_ = await create_round(client, stage, **limits)
    voter = await factories.api_user(client, "Votant")
    approvals = [stage["projects"][i] for i in choice]
    response = await client.put(
        f"/api/v1/rounds/{round_['id']}/ballot", json={"approvals": approvals}, headers=voter.headers
    )
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert (await client.get(f"/api/v1/rounds/{round_['id']}")).json()["frozen"] is False


async def test_colleges_weigh_as_declared_whatever_their_size(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [80_000, 80_000])
    near, far = stage["projects"]
    colleges = [
        {"name": "Habitants", "weight": 1, "kinds": ["habitant"]},
        {"name": "Collectivités", "weight": 2, "kinds": ["collectivite"]},
    ]
    round_ = await create_round(client, stage, rule="greedy", budget_cents=100_000, colleges=colleges)
    for i in range(3):
        citizen = await factories.api_user(client, f"Habitant{i}")
        await client.put(f"/api/v1/rounds/{round_['id']}/ballot", json={"approvals": [near]}, headers=citizen.headers)
    # One elected official outweighs three citizens: her college weighs twice theirs.
    await client.put(f"/api/v1/rounds/{round_['id']}/ballot", json={"approvals": [far]}, headers=stage["mayor"].headers)
    await client.post(f"/api/v1/rounds/{round_['id']}/close", headers=stage["mayor"].headers)

    async def published() -> bool:
        return (await client.get(f"/api/v1/rounds/{round_['id']}/result")).status_code == 200

    await eventually(published)
    lines = (await client.get(f"/api/v1/rounds/{round_['id']}/result")).json()["lines"]
    assert {line["project_id"]: line["selected"] for line in lines} == {near: False, far: True}


async def test_rules_and_closing_are_the_authority_s(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [10_000])
    round_ = await create_round(client, stage)
    citizen = await factories.api_user(client, "Citoyen")
    assert (await client.post(f"/api/v1/rounds/{round_['id']}/close", headers=citizen.headers)).status_code == 403
    patched = await client.patch(f"/api/v1/rounds/{round_['id']}", json={"budget_cents": 5}, headers=citizen.headers)
    assert patched.status_code == 403
    created = await client.post(
        f"/api/v1/challenges/{stage['call']['id']}/rounds", json=round_body(), headers=citizen.headers
    )
    assert created.status_code == 403


async def test_sweep_closes_a_round_whose_time_passed_while_nothing_ran(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    stage = await call_with_projects(client, session, [10_000])
    round_ = await create_round(client, stage)
    async with sessionmaker() as s:
        await s.execute(update(Round).where(Round.id == round_["id"]).values(closes_at=utcnow() - timedelta(minutes=1)))
        await s.commit()
        assert await services.close_due_rounds(s) == 1
        assert await services.close_due_rounds(s) == 0

    async def published() -> bool:
        return (await client.get(f"/api/v1/rounds/{round_['id']}/result")).status_code == 200

    await eventually(published)


async def test_concurrent_ballots_of_one_person_leave_one_ballot(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    stage = await call_with_projects(client, session, [10_000, 20_000])
    round_ = await create_round(client, stage)
    voter = await factories.api_user(client, "Pressé")

    async def vote(choice: int) -> None:
        async with sessionmaker() as own:
            user = await own.get(User, voter.id)
            assert user is not None
            await services.submit_ballot(
                own, actor=user, round_id=round_["id"], data=BallotIn(approvals=[stage["projects"][choice % 2]])
            )

    await asyncio.gather(*(vote(i) for i in range(6)))
    async with sessionmaker() as check:
        count = await check.scalar(select(func.count()).select_from(Ballot).where(Ballot.voter_id == voter.id))
    assert count == 1


PABULIB = Path(__file__).resolve().parents[3] / "shared" / "data" / "pabulib"


@pytest.mark.parametrize(
    ("name", "ballots", "budget_cents", "projects"),
    [("Netherlands_Assen_2024", 84, 10_000_000, 14), ("Poland_Wieliczka_2023_Green_Budget", 6586, 100_000_000, 64)],
)
async def test_imported_vote_reproduces_the_official_outcome(
    client: Client,
    session: AsyncSession,
    helper_answers: list[int],
    name: str,
    ballots: int,
    budget_cents: int,
    projects: int,
) -> None:
    """Assen 2024 and Wieliczka 2023 were decided by equal shares with add1: importing them gives the
    projects the cities funded, computed by the worker with add1's helper process from its first run."""
    stage = await call_with_projects(client, session, [])
    text = (PABULIB / f"{name}.pb").read_text(encoding="utf-8")
    imported = await client.post(
        f"/api/v1/challenges/{stage['call']['id']}/rounds/import",
        json={"pb": text, "rule": "equal_shares", "completion": "add1"},
        headers=stage["mayor"].headers,
    )
    assert imported.status_code == 201, imported.text
    round_ = imported.json()
    assert round_["status"] in ("closed", "published")  # the worker may already have computed it
    assert (round_["ballot_count"], round_["budget_cents"]) == (ballots, budget_cents)

    async def published() -> bool:
        return (await client.get(f"/api/v1/rounds/{round_['id']}/result")).status_code == 200

    await eventually(published, timeout=60)
    result = (await client.get(f"/api/v1/rounds/{round_['id']}/result")).json()
    funded = {line["title"] for line in result["lines"] if line["selected"]}
    # A project's title is its name, cut at 200 characters (one of Wieliczka's is longer).
    official = {p.fields["name"][:200] for p in loads(text).projects if p.fields["selected"] == "1"}
    assert funded == official
    call = (await client.get(f"/api/v1/challenges/{stage['call']['id']}")).json()
    assert call["project_count"] == projects
    assert helper_answers  # the helper was started, in the worker's thread, and closed
    if ballots > 1000:
        assert helper_answers[-1] > 0  # and it made runs the search used


async def test_malformed_pabulib_file_is_refused_with_its_line(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [])
    response = await client.post(
        f"/api/v1/challenges/{stage['call']['id']}/rounds/import",
        json={"pb": "META\nkey;value\nbudget;abc\n", "rule": "greedy"},
        headers=stage["mayor"].headers,
    )
    assert response.status_code == 400
    assert "line 3" in response.json()["detail"]
    assert (await client.get(f"/api/v1/challenges/{stage['call']['id']}/projects")).json() == []


async def test_the_export_does_not_reveal_the_ballot_of_a_college_of_one(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [80_000, 80_000])
    near, far = stage["projects"]
    colleges = [
        {"name": "Habitants", "weight": 1, "kinds": ["habitant"]},
        {"name": "Collectivités", "weight": 2, "kinds": ["collectivite"]},
    ]
    round_ = await create_round(client, stage, rule="greedy", budget_cents=100_000, colleges=colleges)
    for i in range(5):
        citizen = await factories.api_user(client, f"Habitant{i}")
        await client.put(f"/api/v1/rounds/{round_['id']}/ballot", json={"approvals": [near]}, headers=citizen.headers)
    await client.put(f"/api/v1/rounds/{round_['id']}/ballot", json={"approvals": [far]}, headers=stage["mayor"].headers)
    await client.post(f"/api/v1/rounds/{round_['id']}/close", headers=stage["mayor"].headers)

    async def published() -> bool:
        return (await client.get(f"/api/v1/rounds/{round_['id']}/result")).status_code == 200

    await eventually(published)
    text = (await client.get(f"/api/v1/rounds/{round_['id']}/export.pb")).text
    exported = loads(text)
    assert len(exported.voters) == 6
    # The mayor is the only one in her college: it is named nowhere, so no ballot is hers.
    assert "Collectivités" not in text
    assert all("college" not in voter.fields for voter in exported.voters)
