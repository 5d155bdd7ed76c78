"""Own revenue declared by a project's leads, through the API and the page, on both databases."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.resources.models import RevenueLine
from tests import factories
from tests.factories import Client
from tests.web.helpers import post_form, read, sign_in, text_of


async def test_only_leads_declare_revenue_and_bad_input_is_refused(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    call = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, call["id"])
    url = f"/api/v1/projects/{project['id']}/revenue"
    body = {"amount_cents": 120_000, "description": "Ateliers de réparation facturés", "period": "2026"}
    assert (await client.post(url, json=body)).status_code == 401
    assert (await client.post(url, json=body, headers=mayor.headers)).status_code == 403
    for bad in ({**body, "amount_cents": 0}, {**body, "period": ""}, {**body, "description": "x" * 201}):
        assert (await client.post(url, json=bad, headers=lead.headers)).status_code == 400
    created = await client.post(url, json=body, headers=lead.headers)
    assert created.status_code == 201, created.text
    assert created.json()["declared_by"] == "Porteuse"
    assert [line["amount_cents"] for line in (await client.get(url)).json()] == [120_000]
    assert (await client.delete(f"{url}/{created.json()['id']}", headers=mayor.headers)).status_code == 403
    assert (await client.delete(f"{url}/999999", headers=lead.headers)).status_code == 404

    await sign_in(client, lead.email)
    page = f"/projects/{project['id']}/recettes"
    refused = await post_form(client, page, {"description": "Vente", "period": "2026", "amount": "-3"})
    assert refused.status_code == 400 and "montant invalide" in text_of(refused)
    added = await post_form(client, page, {"description": "Location du local", "period": "T1 2026", "amount": "300"})
    assert added.status_code == 303, added.text
    shown = text_of(await client.get(page)).replace("\u202f", " ")
    assert "Location du local" in shown and 'data-figure="own_revenue_cents">1 500 €' in shown
    assert await read(session, select(func.count()).select_from(RevenueLine)) == 2
    project_page = text_of(await client.get(f"/projects/{project['id']}"))
    assert "déclarer, voir les recettes" in project_page
