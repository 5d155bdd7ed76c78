"""Pledging through the project page (plain form and htmx), withdrawing from Mon espace."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.pledges.models import Pledge, PledgeStatus
from tests import factories
from tests.conftest import eventually
from tests.factories import Client
from tests.web.helpers import post_form, read, sign_in, signed_in_person, text_of


async def _project(client: Client, session: AsyncSession) -> tuple[factories.Actor, dict[str, Any]]:
    mayor = await factories.authority(session, client)
    call = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    return lead, await factories.project(client, lead, call["id"])


async def test_a_pledge_through_the_form_shows_on_the_project_page(client: Client, session: AsyncSession) -> None:
    lead, project = await _project(client, session)
    money, time, skill = (n["id"] for n in project["needs"])
    await signed_in_person(client, session, "Donatrice")
    url = f"/projects/{project['id']}/pledges"

    pledged = await post_form(client, url, {"need_id": str(money), "amount": "120,50", "note": "Bon courage"})
    assert pledged.status_code == 303
    assert pledged.headers["location"] == f"/projects/{project['id']}#besoin-{money}"
    assert "Merci ! Votre promesse (120,50 €)" in (await client.get(f"/projects/{project['id']}")).text
    assert (await post_form(client, url, {"need_id": str(time), "hours": "1,5"})).status_code == 303
    assert (await post_form(client, url, {"need_id": str(skill)})).status_code == 303
    amounts = sorted(await session.scalars(select(Pledge.amount)))
    await session.commit()
    assert amounts == [1, 90, 12_050]

    async def totals_shown() -> bool:
        page = await client.get(f"/projects/{project['id']}")
        return "<strong>120,50 €</strong> promis" in page.text and "<strong>1 h 30</strong> promis" in page.text

    await eventually(totals_shown)
    # Only the project's leads see who pledged what.
    assert "Qui a promis quoi" not in (await client.get(f"/projects/{project['id']}")).text
    await sign_in(client, lead.email)
    lead_view = await client.get(f"/projects/{project['id']}")
    assert "Qui a promis quoi" in lead_view.text
    assert "Donatrice" in lead_view.text and "Bon courage" in lead_view.text


async def test_bad_pledges_are_refused_with_a_message_and_nothing_is_recorded(
    client: Client, session: AsyncSession
) -> None:
    _, project = await _project(client, session)
    money, time, _skill = (n["id"] for n in project["needs"])
    await signed_in_person(client, session)
    url = f"/projects/{project['id']}/pledges"
    bad = [
        ({"need_id": str(money), "amount": "cent euros"}, "montant invalide"),
        ({"need_id": str(money), "amount": "-20"}, "montant invalide"),
        ({"need_id": str(money), "amount": "0"}, "supérieur à zéro"),
        ({"need_id": str(money)}, "supérieur à zéro"),
        ({"need_id": str(time), "hours": "deux"}, "durée invalide"),
        ({"need_id": str(money), "amount": "99999999999"}, "hors des limites"),
    ]
    for form, message in bad:
        answer = await post_form(client, url, form)
        assert answer.status_code == 400, (form, answer.status_code)
        assert message in text_of(answer), form
        assert f'id="besoin-{form["need_id"]}"' in answer.text  # the project page again
    unknown = await post_form(client, url, {"need_id": "999999", "amount": "10"})
    assert unknown.status_code == 400
    assert await read(session, select(func.count(Pledge.id))) == 0


async def test_htmx_pledge_answers_with_the_form_fragment(client: Client, session: AsyncSession) -> None:
    _, project = await _project(client, session)
    money = project["needs"][0]["id"]
    await signed_in_person(client, session)
    url = f"/projects/{project['id']}/pledges"
    htmx = {"HX-Request": "true"}

    refused = await post_form(client, url, {"need_id": str(money), "amount": "abc"}, headers=htmx)
    assert refused.status_code == 400
    assert refused.text.lstrip().startswith(f'<div id="pledge-{money}"')
    assert "montant invalide" in refused.text and 'value="abc"' in refused.text

    accepted = await post_form(client, url, {"need_id": str(money), "amount": "15"}, headers=htmx)
    assert accepted.status_code == 200
    assert "<html" not in accepted.text and "_csrf_token" in accepted.text
    assert "Merci ! Votre promesse (15 €)" in accepted.text
    assert await read(session, select(func.count(Pledge.id))) == 1


async def test_withdrawing_a_pledge_from_my_space(client: Client, session: AsyncSession) -> None:
    _, project = await _project(client, session)
    money = project["needs"][0]["id"]
    await signed_in_person(client, session, "Donatrice")
    await post_form(client, f"/projects/{project['id']}/pledges", {"need_id": str(money), "amount": "40"})
    pledge_id = await read(session, select(Pledge.id))

    me = await client.get("/me")
    assert "Covoiturage de village" in me.text and "40 €" in me.text and "Retirer" in me.text
    withdrawn = await post_form(client, f"/pledges/{pledge_id}/withdraw")
    assert (withdrawn.status_code, withdrawn.headers["location"]) == (303, "/me")
    assert await read(session, select(Pledge.status)) == PledgeStatus.WITHDRAWN
    me = await client.get("/me")
    assert "Contribution retirée" in me.text and "Aucune contribution en cours" in me.text
    assert (await post_form(client, f"/pledges/{pledge_id}/withdraw")).status_code == 409


async def test_nobody_withdraws_someone_else_s_pledge(client: Client, session: AsyncSession) -> None:
    _, project = await _project(client, session)
    money = project["needs"][0]["id"]
    await signed_in_person(client, session, "Donatrice")
    await post_form(client, f"/projects/{project['id']}/pledges", {"need_id": str(money), "amount": "40"})
    pledge_id = await read(session, select(Pledge.id))
    await signed_in_person(client, session, "Intruse")
    assert (await post_form(client, f"/pledges/{pledge_id}/withdraw")).status_code == 403
    assert await read(session, select(Pledge.status)) == PledgeStatus.PROMISED


async def test_pledging_requires_signing_in(client: Client, session: AsyncSession) -> None:
    _, project = await _project(client, session)
    answer = await post_form(
        client, f"/projects/{project['id']}/pledges", {"need_id": str(project["needs"][0]["id"]), "amount": "5"}
    )
    assert answer.status_code in (302, 303, 307)
    assert answer.headers["location"].startswith("/login?next=")
    assert await read(session, select(func.count(Pledge.id))) == 0


async def test_my_space_shows_notifications_and_marks_them_read(client: Client, session: AsyncSession) -> None:
    lead, project = await _project(client, session)
    money = project["needs"][0]["id"]
    await signed_in_person(client, session, "Donatrice")
    await post_form(client, f"/projects/{project['id']}/pledges", {"need_id": str(money), "amount": "40"})
    await sign_in(client, lead.email)

    async def notified() -> bool:
        return "Donatrice a promis 40 €" in text_of(await client.get("/me"))

    await eventually(notified)
    home = await client.get("/")
    assert 'class="badge"' in home.text
    assert "Tout marquer comme lu" in (await client.get("/me")).text
    assert (await post_form(client, "/me/notifications/read")).status_code == 303
    me = await client.get("/me")
    assert "Tout marquer comme lu" not in me.text and "Donatrice a promis 40 €" in text_of(me)
    assert 'class="badge"' not in (await client.get("/")).text
