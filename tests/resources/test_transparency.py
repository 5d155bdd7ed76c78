"""The public transparency pages and open data of a project and a call, on both databases."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.ledger.rules import EUR, AccountKind
from commons.ledger.services import owner_balances
from commons.pledges.models import Pledge
from tests import factories
from tests.factories import Actor, Client
from tests.web.helpers import post_form, read, signed_in_person, text_of


async def _pledge(client: Client, actor: Actor, project_id: int, **body: object) -> int:
    answer = await client.post(f"/api/v1/projects/{project_id}/pledges", json=body, headers=actor.headers)
    assert answer.status_code == 201, answer.text
    assert answer.json()["public_name"] is body.get("public_name", False)
    return int(answer.json()["id"])


async def _confirm(client: Client, actor: Actor, pledge_id: int) -> None:
    answer = await client.post(f"/api/v1/pledges/{pledge_id}/confirm", headers=actor.headers)
    assert answer.status_code == 200, answer.text


def _figure(page: str, name: str) -> str:
    """One figure of the page, its spaces (narrow ones too) made single."""
    match = re.search(rf'data-figure="{name}">(.*?)</td>', page)
    assert match, f"no figure {name}"
    return " ".join(match.group(1).split())


async def test_the_figures_and_only_the_names_of_those_who_opted_in(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client, "Maire")
    call = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, call["id"])
    money, time, _skill = (need["id"] for need in project["needs"])
    named = await factories.api_user(client, "Aliceopte")
    anonymous = await factories.api_user(client, "Brunodiscret")

    received = await _pledge(
        client, named, project["id"], kind="money", need_id=money, amount_cents=12_000, public_name=True
    )
    await _pledge(client, anonymous, project["id"], kind="money", need_id=money, amount_cents=5_050)
    hours = await _pledge(client, anonymous, project["id"], kind="time", need_id=time, minutes=150)
    await _confirm(client, lead, received)
    await _confirm(client, lead, hours)

    expected: dict[str, Any] = {
        "promised_cents": 5_050,
        "received_cents": 12_000,
        "allocated_cents": 0,
        "spent_cents": 0,
        "promised_minutes": 0,
        "given_minutes": 150,
        "named_contributors": ["Aliceopte"],
        "anonymous_contributors": 1,
    }
    for scope, scope_id in (("projects", project["id"]), ("challenges", call["id"])):
        data = (await client.get(f"/api/v1/{scope}/{scope_id}/transparency")).json()
        assert {key: data[key] for key in expected} == expected, scope
        assert data["id"] == scope_id

        answer = await client.get(f"/{scope}/{scope_id}/transparence")
        assert answer.status_code == 200, answer.text
        page = text_of(answer)
        assert _figure(page, "promised_cents") == "50,50 €"
        assert _figure(page, "received_cents") == "120 €"
        assert _figure(page, "spent_cents") == "0 €"
        assert _figure(page, "given_minutes") == "2 h 30"
        assert "Aliceopte" in page
        assert "et 1 contributeur anonyme" in page
        assert "Brunodiscret" not in page
        # The project and call pages link to it.
        assert f'href="/{scope}/{scope_id}/transparence"' in (await client.get(f"/{scope}/{scope_id}")).text

    # Money received is what the ledger holds for the project, plus what it spent.
    project_eur = await owner_balances(session, kind=AccountKind.PROJECT, owner_id=project["id"])
    spent = await owner_balances(session, kind=AccountKind.PROJECT_SPENT, owner_id=project["id"])
    await session.commit()
    assert project_eur.get(EUR, 0) + spent.get(EUR, 0) == 12_000


async def test_the_pledge_form_opts_in_only_when_ticked(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    call = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, call["id"])
    money = project["needs"][0]["id"]
    await signed_in_person(client, session, "Donatrice")
    page = text_of(await client.get(f"/projects/{project['id']}"))
    assert "Afficher mon nom sur la page de transparence" in page
    assert re.search(r'name="public_name" value="1"\s+>', page), "the box is unchecked by default"

    url = f"/projects/{project['id']}/pledges"
    assert (await post_form(client, url, {"need_id": str(money), "amount": "10"})).status_code == 303
    assert (
        await post_form(client, url, {"need_id": str(money), "amount": "20", "public_name": "1"})
    ).status_code == 303
    opted = list(await session.scalars(select(Pledge.public_name).order_by(Pledge.id)))
    await session.commit()
    assert opted == [False, True]
    assert await read(session, select(Pledge.public_name).where(Pledge.amount == 2_000)) is True


async def test_a_draft_call_has_no_public_transparency(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    draft = await client.post(
        "/api/v1/challenges",
        json={"title": "Brouillon", "problem": "Pas encore publié.", "licence": "CC-BY-SA-4.0"},
        headers=mayor.headers,
    )
    assert draft.status_code == 201, draft.text
    draft_id = draft.json()["id"]
    assert (await client.get(f"/challenges/{draft_id}/transparence")).status_code == 404
    assert (await client.get(f"/api/v1/challenges/{draft_id}/transparency")).status_code == 404
    # Its authority still sees it.
    own = await client.get(f"/api/v1/challenges/{draft_id}/transparency", headers=mayor.headers)
    assert own.status_code == 200 and own.json()["anonymous_contributors"] == 0
    assert (await client.get("/projects/999999/transparence")).status_code == 404
