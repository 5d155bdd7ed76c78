"""Bad input gets a 4xx with a message a person understands, and leaves nothing half-written."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.events.models import OutboxEvent
from commons.pledges.models import Pledge
from commons.projects.models import Project
from tests import factories

Client = AsyncTestClient[Litestar]


async def _count(session: AsyncSession, model: type[Any]) -> int:
    count = await session.scalar(select(func.count()).select_from(model))
    # End the read: on SQLite every transaction holds the write lock (BEGIN IMMEDIATE).
    await session.rollback()
    return int(count or 0)


@pytest.fixture
async def stage(client: Client, session: AsyncSession) -> dict[str, Any]:
    mayor = await factories.authority(session, client)
    challenge = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteur")
    project = await factories.project(client, lead, challenge["id"])
    other = await factories.project(client, lead, challenge["id"], title="Autre projet")
    return {
        "mayor": mayor,
        "lead": lead,
        "challenge": challenge,
        "project": project,
        "other": other,
        "contributor": await factories.api_user(client, "Donateur"),
    }


BAD_PLEDGES: list[tuple[str, dict[str, Any], int, str]] = [
    ("negative amount", {"kind": "money", "amount_cents": -12_000}, 400, "amount_cents"),
    ("zero amount", {"kind": "money", "amount_cents": 0}, 400, "amount_cents"),
    ("absurd amount", {"kind": "money", "amount_cents": 10**15}, 400, "amount_cents"),
    ("amount as text", {"kind": "money", "amount_cents": "beaucoup"}, 400, "amount_cents"),
    ("float amount", {"kind": "money", "amount_cents": 12.5}, 400, "amount_cents"),
    ("unknown kind", {"kind": "gold", "amount_cents": 100}, 400, "kind"),
    ("negative minutes", {"kind": "time", "minutes": -60}, 400, "minutes"),
    ("money pledge on a time need", {"kind": "money", "amount_cents": 100, "need": 1}, 400, "type"),
    ("oversize note", {"kind": "money", "amount_cents": 100, "note": "x" * 20_001}, 400, "note"),
    ("unknown currency", {"kind": "money", "amount_cents": 100, "currency": "BTC"}, 400, "BTC"),
    ("unknown field", {"kind": "money", "amount_cents": 100, "coin": "BTC"}, 400, "coin"),
]


@pytest.mark.parametrize(("case", "body", "status", "mentions"), BAD_PLEDGES, ids=[c[0] for c in BAD_PLEDGES])
async def test_bad_pledge_is_refused_and_nothing_is_written(
    client: Client,
    session: AsyncSession,
    stage: dict[str, Any],
    case: str,
    body: dict[str, Any],
    status: int,
    mentions: str,
) -> None:
    needs = stage["project"]["needs"]
    fields = dict(body)
    payload = {"need_id": needs[fields.pop("need", 0)]["id"]} | fields
    events_before = await _count(session, OutboxEvent)
    response = await client.post(
        f"/api/v1/projects/{stage['project']['id']}/pledges",
        json=payload,
        headers=stage["contributor"].headers,
    )
    assert response.status_code == status, response.text
    assert mentions in response.text
    assert await _count(session, Pledge) == 0
    assert await _count(session, OutboxEvent) == events_before


async def test_pledge_on_a_need_of_another_project_is_refused(client: Client, stage: dict[str, Any]) -> None:
    foreign_need = stage["other"]["needs"][0]["id"]
    response = await client.post(
        f"/api/v1/projects/{stage['project']['id']}/pledges",
        json={"need_id": foreign_need, "kind": "money", "amount_cents": 100},
        headers=stage["contributor"].headers,
    )
    assert response.status_code == 400
    assert f"{foreign_need} n'est pas un besoin du projet" in response.json()["detail"]


async def test_pledge_on_a_closed_call_is_refused(client: Client, stage: dict[str, Any]) -> None:
    closed = await client.post(f"/api/v1/challenges/{stage['challenge']['id']}/close", headers=stage["mayor"].headers)
    assert closed.status_code == 200
    response = await client.post(
        f"/api/v1/projects/{stage['project']['id']}/pledges",
        json={"need_id": stage["project"]["needs"][0]["id"], "kind": "money", "amount_cents": 100},
        headers=stage["contributor"].headers,
    )
    assert response.status_code == 409
    assert "n'est pas ouvert" in response.json()["detail"]


async def test_withdrawal_after_the_close_is_refused(client: Client, stage: dict[str, Any]) -> None:
    pledge = await client.post(
        f"/api/v1/projects/{stage['project']['id']}/pledges",
        json={"need_id": stage["project"]["needs"][0]["id"], "kind": "money", "amount_cents": 100},
        headers=stage["contributor"].headers,
    )
    await client.post(f"/api/v1/challenges/{stage['challenge']['id']}/close", headers=stage["mayor"].headers)
    response = await client.delete(f"/api/v1/pledges/{pledge.json()['id']}", headers=stage["contributor"].headers)
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/projects/999999", "GET"),
        ("/api/v1/challenges/999999", "GET"),
        ("/api/v1/challenges/999999/projects", "GET"),
        ("/api/v1/pledges/999999", "DELETE"),
        ("/api/v1/challenges/999999/publish", "POST"),
    ],
)
async def test_unknown_ids_are_404(client: Client, stage: dict[str, Any], path: str, method: str) -> None:
    response = await client.request(method, path, headers=stage["mayor"].headers)
    assert response.status_code == 404
    assert "introuvable" in response.json()["detail"]


async def test_pledge_on_unknown_project_is_404(client: Client, stage: dict[str, Any]) -> None:
    response = await client.post(
        "/api/v1/projects/999999/pledges",
        json={"need_id": 1, "kind": "money", "amount_cents": 100},
        headers=stage["contributor"].headers,
    )
    assert response.status_code == 404


BAD_PROJECTS: list[tuple[str, dict[str, Any], str]] = [
    ("empty title", {"title": "", "summary": "S"}, "title"),
    ("blank title", {"title": "   ", "summary": "S"}, "obligatoires"),
    ("oversize title", {"title": "x" * 201, "summary": "S"}, "title"),
    ("title as number", {"title": 12, "summary": "S"}, "title"),
    (
        "max below min",
        {
            "title": "T",
            "summary": "S",
            "needs": [{"kind": "money", "label": "L", "min_cents": 500, "max_cents": 100}],
        },
        "maximum est inférieur",
    ),
    (
        "second need broken",
        {
            "title": "T",
            "summary": "S",
            "needs": [
                {"kind": "money", "label": "Bon", "min_cents": 500},
                {"kind": "time", "label": "Mauvais", "min_minutes": -1},
            ],
        },
        "min_minutes",
    ),
    (
        "skill need without a skill",
        {"title": "T", "summary": "S", "needs": [{"kind": "skill", "label": "L", "skill": ""}]},
        "skill",
    ),
]


@pytest.mark.parametrize(("case", "body", "mentions"), BAD_PROJECTS, ids=[c[0] for c in BAD_PROJECTS])
async def test_bad_project_is_refused_and_nothing_is_written(
    client: Client,
    session: AsyncSession,
    stage: dict[str, Any],
    case: str,
    body: dict[str, Any],
    mentions: str,
) -> None:
    before = await _count(session, Project)
    response = await client.post(
        f"/api/v1/challenges/{stage['challenge']['id']}/projects", json=body, headers=stage["lead"].headers
    )
    assert response.status_code == 400, response.text
    assert mentions in response.text
    assert await _count(session, Project) == before


async def test_project_on_a_draft_or_closed_call_is_refused(client: Client, stage: dict[str, Any]) -> None:
    await client.post(f"/api/v1/challenges/{stage['challenge']['id']}/close", headers=stage["mayor"].headers)
    response = await client.post(
        f"/api/v1/challenges/{stage['challenge']['id']}/projects",
        json={"title": "T", "summary": "S"},
        headers=stage["lead"].headers,
    )
    assert response.status_code == 409


BAD_CHALLENGES: list[tuple[str, dict[str, Any], str]] = [
    ("unknown licence", {"licence": "WTFPL-9"}, "Licence inconnue"),
    ("negative pool", {"pool_cents": -1}, "pool_cents"),
    ("absurd pool", {"pool_cents": 10**16}, "pool_cents"),
    ("deadline not a date", {"deadline": "demain"}, "deadline"),
    ("unknown territory", {"territory_id": 424242}, "Territoire"),
    ("too many themes", {"themes": [f"t{i}" for i in range(20)]}, "themes"),
]


@pytest.mark.parametrize(("case", "fields", "mentions"), BAD_CHALLENGES, ids=[c[0] for c in BAD_CHALLENGES])
async def test_bad_challenge_is_refused(
    client: Client, stage: dict[str, Any], case: str, fields: dict[str, Any], mentions: str
) -> None:
    body = {"title": "Appel", "problem": "Défi", "licence": "CC-BY-4.0"} | fields
    response = await client.post("/api/v1/challenges", json=body, headers=stage["mayor"].headers)
    assert response.status_code == 400, response.text
    assert mentions in response.text


async def test_malformed_json_is_400(client: Client, stage: dict[str, Any]) -> None:
    response = await client.post(
        "/api/v1/challenges",
        content=b"{not json",
        headers={**stage["mayor"].headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400


async def test_second_publication_is_a_conflict(client: Client, stage: dict[str, Any]) -> None:
    again = await client.post(f"/api/v1/challenges/{stage['challenge']['id']}/publish", headers=stage["mayor"].headers)
    assert again.status_code == 409


async def test_joining_twice_is_a_conflict(client: Client, stage: dict[str, Any]) -> None:
    path = f"/api/v1/projects/{stage['project']['id']}/memberships"
    body = {"forms": ["support", "finance"], "offers": "Du temps", "expects": "Un lien"}
    first = await client.post(path, json=body, headers=stage["contributor"].headers)
    assert first.status_code == 201
    second = await client.post(path, json=body, headers=stage["contributor"].headers)
    assert second.status_code == 409
    unknown_form = await client.post(path, json={"forms": ["lobbying"]}, headers=stage["mayor"].headers)
    assert unknown_form.status_code == 400
