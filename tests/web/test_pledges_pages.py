"""Pledging through the project page (plain form and htmx), withdrawing from Mon espace."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import Organization
from commons.pledges.currencies import LocalCurrency
from commons.pledges.models import Pledge, PledgeStatus
from commons.settings import Settings
from tests import factories
from tests.conftest import eventually
from tests.factories import Client
from tests.web.helpers import person, post_form, read, sign_in, signed_in_person, text_of


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
    # Money is confirmed received by the project's leads, not by the person who gave it.
    assert f"/pledges/{pledge_id}/confirm" not in me.text and "en attente de confirmation" in text_of(me)
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


async def test_an_organization_admin_pledges_in_its_name_through_the_form(
    client: Client, session: AsyncSession
) -> None:
    lead, project = await _project(client, session)
    money = project["needs"][0]["id"]
    url, page = f"/projects/{project['id']}/pledges", f"/projects/{project['id']}"
    # Someone administering no organization pledges in their own name only.
    await signed_in_person(client, session, "Habitante")
    assert "Au nom de" not in (await client.get(page)).text
    donor = await signed_in_person(client, session, "Gérante")
    organization = await factories.organization_of(session, donor.email)
    form = await client.get(page)
    assert "Au nom de" in form.text and f'<option value="{organization}"' in form.text
    organization_name = await read(session, select(Organization.name).where(Organization.id == organization))

    stranger = await factories.organization_of(session, (await person(session, "Autre")).email)
    refused = await post_form(client, url, {"need_id": str(money), "amount": "80", "on_behalf_of": str(stranger)})
    assert refused.status_code == 403
    assert "Vous n'administrez pas l'organisation" in text_of(refused)
    assert f'id="besoin-{money}"' in refused.text  # the project page again, with the form
    bad = await post_form(client, url, {"need_id": str(money), "amount": "80", "on_behalf_of": "la mienne"})
    assert bad.status_code == 400 and "Au nom de" in text_of(bad)
    assert await read(session, select(func.count(Pledge.id))) == 0

    fields = {"need_id": str(money), "amount": "80", "on_behalf_of": str(organization), "public_name": "1"}
    made = await post_form(client, url, fields)
    assert made.status_code == 303
    assert f"Merci ! Votre promesse (80 €) au nom de {organization_name}" in text_of(await client.get(page))
    assert await read(session, select(Pledge.on_behalf_of_id)) == organization
    # Shown to everyone (the contributor agreed to be named), and to the leads beside the person.
    await sign_in(client, lead.email)
    lead_view = text_of(await client.get(page))
    assert f"Avec le soutien de {organization_name}." in lead_view.replace("<strong>", "").replace("</strong>", "")
    assert f"au nom de {organization_name}" in lead_view


async def test_stretch_goals_show_pledges_beyond_the_maximum(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    call = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    needs = [{"kind": "money", "label": "Four", "min_cents": 50_000, "max_cents": 80_000}]
    strict = await factories.project(client, lead, call["id"], needs=needs)
    stretch = await factories.project(client, lead, call["id"], needs=needs, stretch_goals=True)
    await signed_in_person(client, session, "Donatrice")

    refused = await post_form(
        client, f"/projects/{strict['id']}/pledges", {"need_id": str(strict["needs"][0]["id"]), "amount": "900"}
    )
    assert refused.status_code == 400 and "il reste 800 €" in text_of(refused)
    assert "Objectifs bonus" not in refused.text

    page = f"/projects/{stretch['id']}"
    assert "Ce projet accepte les contributions au-delà du maximum" in text_of(await client.get(page))
    made = await post_form(client, f"{page}/pledges", {"need_id": str(stretch["needs"][0]["id"]), "amount": "1000"})
    assert made.status_code == 303
    assert await read(session, select(func.count(Pledge.id))) == 1

    async def shown_as_stretch() -> bool:
        html = text_of(await client.get(page))
        return "125 % du maximum : 200 € au-delà." in html and 'class="meter meter-stretch"' in html

    await eventually(shown_as_stretch)
    assert "Entièrement financé" in (await client.get(page)).text


async def test_pledging_in_a_local_currency_through_the_form(settings: Settings, session: AsyncSession) -> None:
    eusko = (LocalCurrency("EUSKO", "Eusko"),)
    async with factories.client_of(replace(settings, local_currencies=eusko)) as client:
        lead, project = await _project(client, session)
        money = project["needs"][0]["id"]
        url, page = f"/projects/{project['id']}/pledges", f"/projects/{project['id']}"
        await signed_in_person(client, session, "Donatrice")
        assert '<option value="EUSKO" >Eusko</option>' in (await client.get(page)).text

        unknown = await post_form(client, url, {"need_id": str(money), "amount": "30", "currency": "GONETTE"})
        assert unknown.status_code == 400
        assert "les monnaies possibles sont EUR, EUSKO (Eusko)" in text_of(unknown)
        assert await read(session, select(func.count(Pledge.id))) == 0

        made = await post_form(client, url, {"need_id": str(money), "amount": "300", "currency": "EUSKO"})
        assert made.status_code == 303
        assert "Merci ! Votre promesse (300 EUSKO)" in text_of(await client.get(page))
        assert "300 EUSKO" in text_of(await client.get("/me"))

        async def counted_as_euros() -> bool:
            return "<strong>300 €</strong> promis" in (await client.get(page)).text

        await eventually(counted_as_euros)
        await sign_in(client, lead.email)
        assert "300 EUSKO" in text_of(await client.get(page))


async def test_the_lead_marks_the_project_completed_from_its_page(client: Client, session: AsyncSession) -> None:
    lead, project = await _project(client, session)
    money, time, skill = (n["id"] for n in project["needs"])
    page = f"/projects/{project['id']}"
    await sign_in(client, lead.email)
    early = await post_form(client, f"{page}/complete")
    assert early.status_code == 409 and "pas encore atteint son minimum" in text_of(early)
    assert "Marquer le projet comme terminé" not in (await client.get(page)).text

    await signed_in_person(client, session, "Donatrice")
    for fields in ({"need_id": str(money), "amount": "500"}, {"need_id": str(time), "hours": "10"}):
        assert (await post_form(client, f"{page}/pledges", fields)).status_code == 303
    assert (await post_form(client, f"{page}/pledges", {"need_id": str(skill)})).status_code == 303
    assert (await post_form(client, f"{page}/complete")).status_code == 403
    await sign_in(client, lead.email)

    async def offered() -> bool:
        return "Marquer le projet comme terminé" in text_of(await client.get(page))

    await eventually(offered)
    done = await post_form(client, f"{page}/complete")
    assert (done.status_code, done.headers["location"]) == (303, page)
    after = text_of(await client.get(page))
    assert "Projet marqué comme terminé" in after and "Terminé" in after
    assert "Ce projet est terminé : les contributions sont fermées." in after
    assert 'class="pledge-form"' not in after
    refused = await post_form(client, f"{page}/pledges", {"need_id": str(money), "amount": "5"})
    assert refused.status_code == 409
    assert await read(session, select(func.count(Pledge.id))) == 3
