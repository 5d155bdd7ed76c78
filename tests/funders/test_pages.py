"""The funders' API and pages: only the call's admins manage them; the call page shows who paid what."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts import services as accounts
from commons.accounts.models import OrganizationKind
from commons.funders.models import Funder
from commons.funders.services import Grant, pay_out
from tests import factories
from tests.factories import Client
from tests.web.helpers import post_form, read, sign_in, text_of


async def test_only_the_calls_admins_manage_funders_through_the_api(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client, "Maire")
    call = await factories.open_challenge(client, mayor, pool_cents=100_000)
    foundation = await accounts.create_organization(
        session, actor=None, name="Fondation Solidaire", kind=OrganizationKind.FONDATION
    )
    body = {"organization_id": foundation.id, "amount_cents": 50_000, "kinds": ["association"], "max_share_percent": 70}
    url = f"/api/v1/challenges/{call['id']}/funders"
    stranger = await factories.api_user(client, "Passant")
    assert (await client.post(url, json=body)).status_code == 401
    assert (await client.post(url, json=body, headers=stranger.headers)).status_code == 403
    created = await client.post(url, json=body, headers=mayor.headers)
    assert created.status_code == 201, created.text
    funder = created.json()
    assert funder["organization"]["name"] == "Fondation Solidaire" and funder["received"] is False
    assert (await client.post(url, json=body, headers=mayor.headers)).status_code == 409

    for bad in ({**body, "max_share_percent": 101}, {**body, "kinds": ["club"]}, {**body, "amount_cents": 0}):
        answer = await client.post(url, json=bad, headers=mayor.headers)
        assert answer.status_code == 400, bad
    assert await read(session, select(func.count()).select_from(Funder)) == 2

    one = f"{url}/{funder['id']}"
    assert (await client.patch(one, json={"max_cents": 1}, headers=stranger.headers)).status_code == 403
    assert (await client.post(f"{one}/received", headers=stranger.headers)).status_code == 403
    assert (await client.delete(one, headers=stranger.headers)).status_code == 403
    patched = await client.patch(one, json={"max_cents": 8_000_000, "themes": ["Mobilité"]}, headers=mayor.headers)
    assert patched.status_code == 200, patched.text
    assert patched.json()["themes"] == ["mobilité"] and patched.json()["max_cents"] == 8_000_000
    # The foundation's money is marked received by the foundation, not by the call's admin who named it.
    not_hers = await client.post(f"{one}/received", headers=mayor.headers)
    assert not_hers.status_code == 403 and "Fondation Solidaire" in not_hers.json()["detail"]
    treasurer = await factories.api_user(client, "Trésorière")
    await accounts.add_organization_admin(session, actor=None, organization_id=foundation.id, email=treasurer.email)
    received = await client.post(f"{one}/received", headers=treasurer.headers)
    assert received.status_code == 200 and received.json()["received"] is True
    assert (await client.post(f"{one}/received", headers=treasurer.headers)).status_code == 409
    assert (await client.delete(one, headers=mayor.headers)).status_code == 409

    listed = (await client.get(url)).json()
    assert [f["is_authority"] for f in listed] == [True, False]
    assert [f["amount_cents"] for f in listed] == [100_000, 50_000]


async def test_the_call_page_shows_funders_and_who_paid_what(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client, "Maire")
    call = await factories.open_challenge(client, mayor, pool_cents=100_000)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, call["id"], title="Vélo-école")
    [authority] = (await client.get(f"/api/v1/challenges/{call['id']}/funders")).json()

    # Through the pages, as the mayor: add a funder with its rules, mark the pool received.
    await sign_in(client, mayor.email)
    foundation = await accounts.create_organization(
        session, actor=None, name="Fondation Solidaire", kind=OrganizationKind.FONDATION
    )
    form = await client.get(f"/challenges/{call['id']}/funders/new")
    assert form.status_code == 200 and "Fondation Solidaire" in text_of(form)
    bad = await post_form(
        client, f"/challenges/{call['id']}/funders/new", {"organization_id": str(foundation.id), "amount": "douze"}
    )
    assert bad.status_code == 400 and "montant invalide" in text_of(bad)
    added = await post_form(
        client,
        f"/challenges/{call['id']}/funders/new",
        {"organization_id": str(foundation.id), "amount": "300", "kinds": ["association"], "max_amount": "200"},
    )
    assert added.status_code == 303, added.text
    # The mayor is offered to mark the call's own pool received, not the foundation's money.
    funders = (await client.get(f"/api/v1/challenges/{call['id']}/funders")).json()
    page = text_of(await client.get(f"/challenges/{call['id']}"))
    assert f"/funders/{authority['id']}/received" in page and f"/funders/{funders[1]['id']}/received" not in page
    received = await post_form(client, f"/challenges/{call['id']}/funders/{authority['id']}/received")
    assert received.status_code == 303

    await pay_out(
        session,
        challenge_id=call["id"],
        round_id=3,
        grants=[Grant(project_id=project["id"], cents=40_000, divisible=False, purpose="allocation")],
    )
    await session.commit()
    payouts = (await client.get(f"/api/v1/challenges/{call['id']}/payouts")).json()
    assert payouts == [
        {
            "funder_id": authority["id"],
            "funder_name": authority["organization"]["name"],
            "project_id": project["id"],
            "project_title": "Vélo-école",
            "cents": 40_000,
        }
    ]
    [grant] = (await client.get(f"/api/v1/challenges/{call['id']}/grants")).json()
    assert grant["round_id"] == 3 and grant["by_funder"] == {str(authority["id"]): 40_000} and grant["reason"] == ""
    page = text_of(await client.get(f"/challenges/{call['id']}"))
    assert "Financeurs de la cagnotte" in page
    assert "Fondation Solidaire" in page and "Association" in page and "200 € au plus" in page
    assert "Qui a financé quoi" in page and "Vélo-école" in page and "400 €" in page
    transparency = text_of(await client.get(f"/projects/{project['id']}/transparence"))
    assert 'data-figure="allocated_cents">400 €' in transparency.replace("\u202f", " ")
    assert "Qui a payé l'argent attribué" in transparency

    # Someone else sees the funders but cannot manage them.
    stranger = await factories.api_user(client, "Passant")
    await sign_in(client, stranger.email)
    page = text_of(await client.get(f"/challenges/{call['id']}"))
    assert "Fondation Solidaire" in page and "Marquer reçu" not in page
    assert (await client.get(f"/challenges/{call['id']}/funders/new")).status_code == 403
    refused = await post_form(client, f"/challenges/{call['id']}/funders/{authority['id']}/delete")
    assert refused.status_code == 403
