"""Calls for commons through the API: the authority's full draft, publication, listing and search."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from commons.territories.models import Territory, TerritoryLevel
from tests import factories
from tests.conftest import eventually

Client = AsyncTestClient[Litestar]


async def test_authority_drafts_a_complete_call_then_publishes_and_closes_it(
    client: Client, session: AsyncSession
) -> None:
    territory = Territory(name="Val de Drôme", level=TerritoryLevel.INTERCOMMUNALITE, code="242600252")
    session.add(territory)
    await session.commit()
    mayor = await factories.authority(session, client)
    body = {
        "title": "Alimentation locale pour les cantines",
        "problem": "Servir 40 % de produits locaux dans les cantines d'ici 2028.",
        "licence": "ODbL-1.0",
        "cost_ceiling_cents": 8_000_000,
        "externalities": "Pas de transport de plus de 80 km.",
        "commons_governance": "Les données de la plateforme restent ouvertes.",
        "themes": ["Alimentation", "cantines", "alimentation"],
        "territory_id": territory.id,
        "indicators": [{"name": "Part de produits locaux", "unit": "%"}, {"name": "Repas servis", "unit": "repas"}],
        "pool_cents": 15_000_000,
        "deadline": "2027-06-30T18:00:00+02:00",
    }
    created = await client.post("/api/v1/challenges", json=body, headers=mayor.headers)
    assert created.status_code == 201, created.text
    call = created.json()
    assert call["status"] == "draft"
    assert call["themes"] == ["alimentation", "cantines"]
    assert [i["name"] for i in call["indicators"]] == ["Part de produits locaux", "Repas servis"]
    assert call["deadline"] == "2027-06-30T16:00:00Z"
    assert call["territory"]["code"] == "242600252"

    edited = await client.patch(
        f"/api/v1/challenges/{call['id']}", json={"pool_cents": 20_000_000}, headers=mayor.headers
    )
    assert edited.json()["pool_cents"] == 20_000_000

    published = await client.post(f"/api/v1/challenges/{call['id']}/publish", headers=mayor.headers)
    assert published.json()["status"] == "open"
    found = await client.get("/api/v1/challenges", params={"theme": "cantines", "territory_id": territory.id})
    assert [c["id"] for c in found.json()] == [call["id"]]
    assert (await client.get("/api/v1/challenges", params={"q": "vélo"})).json() == []

    lead = await factories.api_user(client, "Porteur")
    await factories.project(client, lead, call["id"])
    closed = await client.post(f"/api/v1/challenges/{call['id']}/close", headers=mayor.headers)
    assert closed.json()["status"] == "closed"

    async def lead_told_of_the_close() -> bool:
        notes = (await client.get("/api/v1/me/notifications", headers=lead.headers)).json()
        return any("est clos" in n["message"] for n in notes)

    await eventually(lead_told_of_the_close)


async def test_followers_hear_of_new_projects(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    call = await factories.open_challenge(client, mayor)
    follower = await factories.api_user(client, "Voisine")
    assert (await client.post(f"/api/v1/challenges/{call['id']}/follow", headers=follower.headers)).status_code == 204
    lead = await factories.api_user(client, "Porteur")
    await factories.project(client, lead, call["id"], title="Jardin partagé")

    async def followers_notified() -> bool:
        for person in (mayor, follower):
            notes = (await client.get("/api/v1/me/notifications", headers=person.headers)).json()
            if not any("Nouveau projet « Jardin partagé »" in n["message"] for n in notes):
                return False
        return True

    await eventually(followers_notified)
    own = (await client.get("/api/v1/me/notifications", headers=lead.headers)).json()
    assert not any("Jardin partagé" in n["message"] for n in own)


async def test_contract_call_with_three_fields_can_be_published(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    created = await client.post(
        "/api/v1/challenges",
        json={"title": "Mobilité", "problem": "Se déplacer", "licence": "CC-BY-SA-4.0"},
        headers=mayor.headers,
    )
    assert created.status_code == 201
    assert {"id", "title", "status"} <= set(created.json())
    published = await client.post(f"/api/v1/challenges/{created.json()['id']}/publish", headers=mayor.headers)
    assert published.status_code == 200
