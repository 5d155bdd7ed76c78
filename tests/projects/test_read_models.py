"""The totals on project and call pages equal the sum of active pledges, however events arrive."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.challenges.models import Challenge
from commons.db import utcnow
from commons.projects.models import Project
from commons.projects.read_models import refresh_project_totals
from tests import factories
from tests.conftest import eventually

Client = AsyncTestClient[Litestar]


async def test_totals_follow_pledges_and_withdrawals(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    challenge = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, challenge["id"])
    money, time, skill = (n["id"] for n in project["needs"])
    alice, bob = await factories.api_user(client, "Alice"), await factories.api_user(client, "Bob")
    pledges = [
        (alice, {"need_id": money, "kind": "money", "amount_cents": 30_000}),
        (bob, {"need_id": money, "kind": "money", "amount_cents": 25_050}),
        (alice, {"need_id": time, "kind": "time", "minutes": 90}),
        (bob, {"need_id": skill, "kind": "skill"}),
    ]
    ids = []
    for actor, body in pledges:
        response = await client.post(f"/api/v1/projects/{project['id']}/pledges", json=body, headers=actor.headers)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    withdrawn = await client.delete(f"/api/v1/pledges/{ids[0]}", headers=alice.headers)
    assert withdrawn.status_code == 200

    expected = {"pledged_cents": 25_050, "pledged_minutes": 90, "contributor_count": 2}

    async def settled() -> bool:
        read = (await client.get(f"/api/v1/projects/{project['id']}")).json()
        return all(read[k] == v for k, v in expected.items())

    await eventually(settled)
    read: dict[str, Any] = (await client.get(f"/api/v1/projects/{project['id']}")).json()
    assert [n.get("pledged_cents", n.get("pledged_minutes", n.get("pledged_people"))) for n in read["needs"]] == [
        25_050,
        90,
        1,
    ]
    assert read["needs"][0]["progress_percent"] == 50  # 25,050 of a 50,000 minimum, rounded down
    call = (await client.get(f"/api/v1/challenges/{challenge['id']}")).json()
    assert (call["pledged_cents"], call["pledged_minutes"]) == (25_050, 90)

    # Recomputing again (a redelivered or late event) changes nothing.
    await refresh_project_totals(session, project["id"])
    await session.commit()
    again = (await client.get(f"/api/v1/projects/{project['id']}")).json()
    assert again == read


async def test_lead_sees_who_pledged_what(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    challenge = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, challenge["id"])
    donor = await factories.api_user(client, "Donatrice")
    await client.post(
        f"/api/v1/projects/{project['id']}/pledges",
        json={"need_id": project["needs"][1]["id"], "kind": "time", "minutes": 120, "note": "le samedi"},
        headers=donor.headers,
    )
    listed = await client.get(f"/api/v1/projects/{project['id']}/pledges", headers=lead.headers)
    assert listed.status_code == 200
    [pledge] = listed.json()
    assert (pledge["contributor"]["name"], pledge["minutes"], pledge["skill"], pledge["note"]) == (
        "Donatrice",
        120,
        "animation",
        "le samedi",
    )


async def test_joining_records_forms_and_notifies_the_lead(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    challenge = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, challenge["id"])
    company = await factories.api_user(client, "Entreprise")
    joined = await client.post(
        f"/api/v1/projects/{project['id']}/memberships",
        json={
            "forms": ["finance", "resources"],
            "resources": ["territory", "skills"],
            "offers": "Un terrain d'expérimentation",
            "expects": "Une visibilité locale",
        },
        headers=company.headers,
    )
    assert joined.status_code == 201
    members = (await client.get(f"/api/v1/projects/{project['id']}")).json()["members"]
    assert [(m["name"], m["role"], m["forms"]) for m in members] == [
        ("Porteuse", "lead", ["support"]),
        ("Entreprise", "member", ["finance", "resources"]),
    ]

    async def lead_notified() -> bool:
        notes = (await client.get("/api/v1/me/notifications", headers=lead.headers)).json()
        return any("Entreprise a rejoint" in n["message"] for n in notes)

    await eventually(lead_notified)


async def _pledged_project(client: Client, session: AsyncSession) -> tuple[dict[str, Any], dict[str, Any]]:
    mayor = await factories.authority(session, client)
    challenge = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, challenge["id"])
    donor = await factories.api_user(client, "Donatrice")
    pledged = await client.post(
        f"/api/v1/projects/{project['id']}/pledges",
        json={"need_id": project["needs"][0]["id"], "kind": "money", "amount_cents": 12_000},
        headers=donor.headers,
    )
    assert pledged.status_code == 201, pledged.text

    async def counted() -> bool:
        return (await client.get(f"/api/v1/projects/{project['id']}")).json()["pledged_cents"] == 12_000

    await eventually(counted)  # the worker's refresh is done: the tests' refreshes are the only ones
    return challenge, project


async def test_a_refresh_already_counted_by_a_newer_one_skips(client: Client, session: AsyncSession) -> None:
    _, project = await _pledged_project(client, session)
    published = utcnow()  # an event published now: a refresh that starts after it counts its pledge
    assert await refresh_project_totals(session, project["id"], seen=published)
    await session.commit()
    row = await session.get(Project, project["id"])
    assert row is not None and row.totals_as_of is not None and row.totals_as_of >= published
    assert row.pledged_cents == 12_000
    # The refreshes queued behind it for events published before it read the pledges have nothing to add.
    assert not await refresh_project_totals(session, project["id"], seen=published)
    # One for an event published after it recomputes.
    assert await refresh_project_totals(session, project["id"], seen=utcnow())
    # Without a publication time (an event the relay has not marked yet), always recompute.
    assert await refresh_project_totals(session, project["id"], seen=None)
    await session.commit()


async def test_a_project_refresh_leaves_its_call_unlocked(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    if session.bind.dialect.name != "postgresql":
        pytest.skip("SQLite locks the whole database, not rows")
    challenge, project = await _pledged_project(client, session)
    assert await refresh_project_totals(session, project["id"])
    try:
        async with sessionmaker() as other:
            # NOWAIT: fails at once if the project's refresh held the call's row.
            locked = await other.scalar(
                select(Challenge.id).where(Challenge.id == challenge["id"]).with_for_update(nowait=True)
            )
            assert locked == challenge["id"]
            await other.rollback()
    finally:
        await session.rollback()
