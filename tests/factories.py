"""Builders of test data, through the JSON API as a script would, or through the services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts import services as accounts
from commons.accounts.models import OrganizationKind, User

PASSWORD = "correct horse battery"
_sequence = itertools.count(1)

Client = AsyncTestClient[Litestar]


@dataclass
class Actor:
    """A signed-up person with an API token."""

    id: int
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def api_user(client: Client, name: str = "Camille") -> Actor:
    email = f"{name.lower()}.{next(_sequence)}@example.fr"
    created = await client.post("/api/v1/accounts", json={"email": email, "password": PASSWORD, "name": name})
    assert created.status_code == 201, created.text
    token = await client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD})
    assert token.status_code == 201, token.text
    return Actor(id=created.json()["id"], email=email, token=token.json()["token"])


async def authority(session: AsyncSession, client: Client, name: str = "Élue") -> Actor:
    """A user administering a new organization of kind collectivité."""
    actor = await api_user(client, name)
    organization = await accounts.create_organization(
        session,
        actor=None,
        name=f"Communauté de communes n°{next(_sequence)}",
        kind=OrganizationKind.COLLECTIVITE,
    )
    await accounts.add_organization_admin(session, actor=None, organization_id=organization.id, email=actor.email)
    return actor


async def platform_admin(session: AsyncSession) -> User:
    return await accounts.sign_up(
        session,
        email=f"admin.{next(_sequence)}@example.fr",
        password=PASSWORD,
        name="Admin",
        is_platform_admin=True,
    )


async def open_challenge(client: Client, owner: Actor, **fields: Any) -> dict[str, Any]:
    body = {
        "title": "Mobilité solidaire",
        "problem": "Se déplacer sans voiture.",
        "licence": "CC-BY-SA-4.0",
    } | fields
    created = await client.post("/api/v1/challenges", json=body, headers=owner.headers)
    assert created.status_code == 201, created.text
    published = await client.post(f"/api/v1/challenges/{created.json()['id']}/publish", headers=owner.headers)
    assert published.status_code == 200, published.text
    return dict(published.json())


async def project(client: Client, lead: Actor, challenge_id: int, **fields: Any) -> dict[str, Any]:
    body = {
        "title": "Covoiturage de village",
        "summary": "Une plateforme et des référents par commune.",
        "needs": [
            {"kind": "money", "label": "Véhicule", "min_cents": 50_000, "max_cents": 120_000},
            {
                "kind": "time",
                "label": "Animation",
                "min_minutes": 600,
                "max_minutes": 1200,
                "skill": "animation",
            },
            {"kind": "skill", "label": "Juriste", "skill": "droit des associations"},
        ],
    } | fields
    created = await client.post(f"/api/v1/challenges/{challenge_id}/projects", json=body, headers=lead.headers)
    assert created.status_code == 201, created.text
    return dict(created.json())
