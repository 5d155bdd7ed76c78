"""The round page: the call's admins import a census or generate codes; people claim theirs."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from tests.budgeting.helpers import call_with_projects, create_round
from tests.factories import Client
from tests.web.helpers import post_form, sign_in, signed_in_person, text_of


async def test_census_imported_and_claimed_through_the_round_page(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000])
    round_ = await create_round(client, stage, rule="greedy", eligibility="census")
    page = f"/rounds/{round_['id']}"
    await sign_in(client, stage["mayor"].email)
    assert "Importer des identifiants" in text_of(await client.get(page))
    imported = await post_form(client, f"{page}/census", {"identifiers": "A-100\nA-101\n\nA-100"})
    assert imported.status_code == 303
    assert "2 identifiant(s) ajouté(s), 1 déjà présent(s)" in text_of(await client.get(page))

    await signed_in_person(client, session, "Électrice")
    assert "Votre identifiant" in text_of(await client.get(page))
    unknown = await post_form(client, f"{page}/eligibility", {"identifier": "B-1"})
    assert unknown.status_code == 403 and "ne figure pas sur la liste" in text_of(unknown)
    claimed = await post_form(client, f"{page}/eligibility", {"identifier": "a 100"})
    assert claimed.status_code == 303
    assert "Vous êtes reconnu(e) pour ce co-budget" in text_of(await client.get(page))


async def test_codes_are_shown_once_on_their_own_page(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000])
    round_ = await create_round(client, stage, rule="greedy", eligibility="codes")
    page = f"/rounds/{round_['id']}"
    await sign_in(client, stage["mayor"].email)
    generated = await post_form(client, f"{page}/codes", {"count": "2"})
    assert generated.status_code == 201
    codes = re.findall(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b", generated.text)
    assert len(set(codes)) == 2
    shown_again = text_of(await client.get(page))
    assert not any(code in shown_again for code in codes)
    await signed_in_person(client, session, "Invité")
    assert (await post_form(client, f"{page}/eligibility", {"identifier": codes[0]})).status_code == 303
