"""Every mutating API route refuses the wrong person with a 403, and anonymous callers with a 401."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories


@dataclass
class World:
    """A call by one authority, a project by one citizen, a pledge by one contributor."""

    owner: factories.Actor
    other_authority: factories.Actor
    lead: factories.Actor
    contributor: factories.Actor
    stranger: factories.Actor
    challenge_id: int
    draft_id: int
    project_id: int
    pledge_id: int
    organization_id: int
    expense_id: int
    funder_id: int


@pytest.fixture
async def world(client: AsyncTestClient[Litestar], session: AsyncSession) -> World:
    owner = await factories.authority(session, client, "Maire")
    other = await factories.authority(session, client, "Voisine")
    challenge = await factories.open_challenge(client, owner)
    draft = await client.post(
        "/api/v1/challenges",
        json={"title": "Brouillon", "problem": "À écrire", "licence": "ODbL-1.0"},
        headers=owner.headers,
    )
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, challenge["id"])
    contributor = await factories.api_user(client, "Donatrice")
    pledge = await client.post(
        f"/api/v1/projects/{project['id']}/pledges",
        json={"need_id": project["needs"][0]["id"], "kind": "money", "amount_cents": 1000},
        headers=contributor.headers,
    )
    expense = await client.post(
        f"/api/v1/projects/{project['id']}/expenses",
        json={"amount_cents": 500, "purpose": "Affiches", "receipt_reference": "F-1", "spent_on": "2026-11-02"},
        headers=lead.headers,
    )
    assert expense.status_code == 201, expense.text
    funder = await client.post(
        f"/api/v1/challenges/{challenge['id']}/funders",
        json={"organization_id": await factories.organization_of(session, other.email), "amount_cents": 10_000},
        headers=owner.headers,
    )
    assert funder.status_code == 201, funder.text
    return World(
        owner=owner,
        other_authority=other,
        lead=lead,
        contributor=contributor,
        stranger=await factories.api_user(client, "Inconnu"),
        challenge_id=challenge["id"],
        draft_id=draft.json()["id"],
        project_id=project["id"],
        pledge_id=pledge.json()["id"],
        organization_id=challenge["organization"]["id"],
        expense_id=expense.json()["id"],
        funder_id=funder.json()["id"],
    )


# (method, path template, body, who may not) for each mutating route.
FORBIDDEN: list[tuple[str, str, dict[str, Any] | None, str]] = [
    ("PATCH", "/api/v1/challenges/{challenge_id}", {"title": "Piraté"}, "other_authority"),
    ("PATCH", "/api/v1/challenges/{challenge_id}", {"title": "Piraté"}, "lead"),
    ("POST", "/api/v1/challenges/{draft_id}/publish", None, "other_authority"),
    ("POST", "/api/v1/challenges/{challenge_id}/close", None, "other_authority"),
    ("POST", "/api/v1/challenges/{challenge_id}/close", None, "stranger"),
    ("PATCH", "/api/v1/projects/{project_id}", {"title": "Piraté"}, "stranger"),
    ("PATCH", "/api/v1/projects/{project_id}", {"title": "Piraté"}, "contributor"),
    ("PATCH", "/api/v1/projects/{project_id}", {"title": "Piraté"}, "owner"),
    ("GET", "/api/v1/projects/{project_id}/pledges", None, "contributor"),
    ("DELETE", "/api/v1/pledges/{pledge_id}", None, "lead"),
    ("DELETE", "/api/v1/pledges/{pledge_id}", None, "stranger"),
    (
        "POST",
        "/api/v1/challenges",
        {"title": "T", "problem": "P", "licence": "CC0-1.0"},
        "lead",
    ),
    (
        "POST",
        "/api/v1/challenges",
        {"title": "T", "problem": "P", "licence": "CC0-1.0", "organization_id": "{organization_id}"},
        "other_authority",
    ),
    ("POST", "/api/v1/organizations", {"name": "Asso", "kind": "association"}, "owner"),
    ("POST", "/api/v1/organizations/{organization_id}/admins", {"email": "x@example.fr"}, "owner"),
    ("POST", "/api/v1/projects/{project_id}/complete", None, "contributor"),
    ("POST", "/api/v1/projects/{project_id}/cancel", None, "owner"),
    ("POST", "/api/v1/pledges/{pledge_id}/confirm", None, "stranger"),
    (
        "POST",
        "/api/v1/projects/{project_id}/pledges",
        {"need_id": 1, "kind": "money", "amount_cents": 5, "on_behalf_of_id": "{organization_id}"},
        "contributor",
    ),
    (
        "POST",
        "/api/v1/projects/{project_id}/expenses",
        {"amount_cents": 500, "purpose": "P", "receipt_reference": "R", "spent_on": "2026-11-02"},
        "stranger",
    ),
    ("POST", "/api/v1/expenses/{expense_id}/approve", None, "stranger"),
    ("POST", "/api/v1/expenses/{expense_id}/approve", None, "lead"),
    ("POST", "/api/v1/expenses/{expense_id}/pay", None, "contributor"),
    ("POST", "/api/v1/expenses/{expense_id}/reject", {}, "stranger"),
    (
        "POST",
        "/api/v1/projects/{project_id}/revenue",
        {"amount_cents": 5, "description": "D", "period": "2026"},
        "owner",
    ),
    ("POST", "/api/v1/challenges/{challenge_id}/funders", {"organization_id": 1, "amount_cents": 5}, "other_authority"),
    ("PATCH", "/api/v1/challenges/{challenge_id}/funders/{funder_id}", {"amount_cents": 5}, "lead"),
    # A funder's money is vouched for by the funder: the call's admin who named it may not mark it received.
    ("POST", "/api/v1/challenges/{challenge_id}/funders/{funder_id}/received", None, "owner"),
    ("POST", "/api/v1/challenges/{challenge_id}/funders/{funder_id}/received", None, "stranger"),
    (
        "POST",
        "/api/v1/challenges/{challenge_id}/rounds",
        {
            "title": "R",
            "rule": "greedy",
            "budget_cents": 100,
            "opens_at": "2030-01-01T00:00:00Z",
            "closes_at": "2030-02-01T00:00:00Z",
        },
        "other_authority",
    ),
]


def _fill(value: Any, world: World) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and "/" not in value:
        return getattr(world, value[1:-1])
    if isinstance(value, str):
        return value.format(**vars(world))
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("method", "path", "body", "who"), FORBIDDEN, ids=lambda v: str(v)[:40])
async def test_wrong_person_is_refused(
    client: AsyncTestClient[Litestar],
    world: World,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    who: str,
) -> None:
    actor: factories.Actor = getattr(world, who)
    before = (await client.get(f"/api/v1/projects/{world.project_id}")).json()
    response = await client.request(method, _fill(path, world), json=_fill(body, world), headers=actor.headers)
    assert response.status_code == 403, response.text
    assert response.json()["detail"]
    after = (await client.get(f"/api/v1/projects/{world.project_id}")).json()
    assert after["title"] == before["title"]


MUTATING = [
    ("POST", "/api/v1/challenges", {"title": "T", "problem": "P", "licence": "CC0-1.0"}),
    ("POST", "/api/v1/challenges/{challenge_id}/publish", None),
    ("POST", "/api/v1/challenges/{challenge_id}/projects", {"title": "T", "summary": "S"}),
    ("POST", "/api/v1/projects/{project_id}/memberships", {"forms": ["support"]}),
    ("POST", "/api/v1/projects/{project_id}/pledges", {"need_id": 1, "kind": "money", "amount_cents": 5}),
    ("DELETE", "/api/v1/pledges/{pledge_id}", None),
    (
        "POST",
        "/api/v1/projects/{project_id}/expenses",
        {"amount_cents": 500, "purpose": "P", "receipt_reference": "R", "spent_on": "2026-11-02"},
    ),
    ("POST", "/api/v1/expenses/{expense_id}/pay", None),
    ("POST", "/api/v1/challenges/{challenge_id}/funders", {"organization_id": 1, "amount_cents": 5}),
    ("POST", "/api/v1/projects/{project_id}/complete", None),
]


@pytest.mark.parametrize(("method", "path", "body"), MUTATING, ids=lambda v: str(v)[:40])
async def test_anonymous_caller_must_authenticate(
    client: AsyncTestClient[Litestar], world: World, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = await client.request(method, _fill(path, world), json=body)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_unknown_token_is_refused(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert "Jeton" in response.json()["detail"]


async def test_draft_is_hidden_from_everyone_but_its_authority(client: AsyncTestClient[Litestar], world: World) -> None:
    assert (await client.get(f"/api/v1/challenges/{world.draft_id}")).status_code == 404
    seen = await client.get(f"/api/v1/challenges/{world.draft_id}", headers=world.other_authority.headers)
    assert seen.status_code == 404
    own = await client.get(f"/api/v1/challenges/{world.draft_id}", headers=world.owner.headers)
    assert own.status_code == 200
    listed = await client.get("/api/v1/challenges")
    assert world.draft_id not in [c["id"] for c in listed.json()]
