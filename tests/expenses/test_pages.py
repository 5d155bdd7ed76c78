"""Expenses through the pages: the "Dépenses" section, its forms, the journal and the transparency page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.expenses.models import Expense
from commons.projects.models import Project
from tests import factories
from tests.factories import Client
from tests.web.helpers import post_form, read, sign_in, signed_in_person, text_of

EXPENSE_FORM = {
    "amount": "120,50",
    "purpose": "Peinture du local",
    "receipt_reference": "Ticket 8812",
    "spent_on": "2026-11-03",
}


async def _stage(client: Client, session: AsyncSession) -> dict[str, Any]:
    mayor = await factories.authority(session, client)
    call = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, call["id"])
    member = await factories.api_user(client, "Membre")
    await factories.member(client, member, project["id"])
    donor = await factories.api_user(client, "Donatrice")
    await factories.received_money(client, donor, project, 100_000, receiver=lead)
    return {"lead": lead, "member": member, "project": project}


async def test_report_approve_and_pay_through_the_project_page(client: Client, session: AsyncSession) -> None:
    stage = await _stage(client, session)
    page_url = f"/projects/{stage['project']['id']}"
    await sign_in(client, stage["member"].email)
    page = text_of(await client.get(page_url))
    assert 'id="depenses"' in page and "Disponible sur le compte du projet : <strong" in page
    assert "1\u202f000 €" in page

    reported = await post_form(client, f"{page_url}/expenses", EXPENSE_FORM)
    assert reported.status_code == 303 and reported.headers["location"] == f"{page_url}#depenses"
    page = text_of(await client.get(page_url))
    assert "Dépense de 120,50 € déclarée" in page
    assert "Peinture du local" in page and "Ticket 8812" in page and "03/11/2026" in page
    assert "Il manque 1 approbation d'un porteur du projet" in page
    expense_id = await read(session, select(Expense.id))
    assert f'action="/expenses/{expense_id}/withdraw"' in page
    assert f'action="/expenses/{expense_id}/approve"' not in page  # not by its author

    await sign_in(client, stage["lead"].email)
    page = text_of(await client.get(page_url))
    assert f'action="/expenses/{expense_id}/approve"' in page
    assert f'action="/expenses/{expense_id}/pay"' not in page  # not before its approval
    assert (await post_form(client, f"/expenses/{expense_id}/approve")).status_code == 303
    assert "Approbation enregistrée." in (await client.get(page_url)).text
    assert (await post_form(client, f"/expenses/{expense_id}/pay")).status_code == 303
    again = await post_form(client, f"/expenses/{expense_id}/pay")
    assert again.status_code == 409 and "déjà payée" in text_of(again)

    # Anyone sees the paid expense, the journal of every action and the money spent.
    await signed_in_person(client, session, "Passante")
    public = text_of(await client.get(page_url))
    assert "Peinture du local" in public and "Ticket 8812" in public
    assert "Disponible sur le compte" not in public and "Déclarer une dépense" not in public
    journal = text_of(await client.get(f"{page_url}/journal"))
    assert "Membre a déclaré la dépense n°" in journal
    assert "Porteuse a approuvé la dépense" in journal and "Porteuse a payé la dépense" in journal
    transparency = await client.get(f"{page_url}/transparence")
    assert 'data-figure="spent_cents">120,50 €' in text_of(transparency)
    assert (await post_form(client, f"/expenses/{expense_id}/approve")).status_code == 403


async def test_a_bad_report_shows_the_form_again_and_writes_nothing(client: Client, session: AsyncSession) -> None:
    stage = await _stage(client, session)
    url = f"/projects/{stage['project']['id']}/expenses"
    await sign_in(client, stage["member"].email)
    assert "Déclarer la dépense" in (await client.get(f"{url}/new")).text
    bad = [
        ({"amount": "douze"}, "montant invalide"),
        ({"amount": "0"}, "supérieur à zéro"),
        ({"amount": "99999999999"}, "hors des limites"),
        ({"purpose": ""}, "« Objet » est obligatoire"),
        ({"receipt_reference": "  "}, "« Justificatif » est obligatoire"),
        ({"spent_on": ""}, "« Date » est obligatoire"),
        ({"spent_on": "2026-13-45"}, "date invalide"),
        ({"spent_on": "2999-01-01"}, "dans le futur"),
        ({"purpose": "x" * 501}, "Objet"),
    ]
    for change, message in bad:
        answer = await post_form(client, url, EXPENSE_FORM | change)
        assert answer.status_code == 400, (change, answer.status_code)
        assert message in text_of(answer), change
        if "purpose" not in change:
            assert 'value="Peinture du local"' in answer.text, change  # what was typed is kept
    assert await read(session, select(func.count(Expense.id))) == 0
    await signed_in_person(client, session, "Intruse")
    assert (await client.get(f"{url}/new")).status_code == 403
    assert (await post_form(client, url, EXPENSE_FORM)).status_code == 403
    assert await read(session, select(func.count(Expense.id))) == 0


async def test_the_lead_sets_the_approvals_an_expense_needs(client: Client, session: AsyncSession) -> None:
    stage = await _stage(client, session)
    url = f"/projects/{stage['project']['id']}/edit"
    await sign_in(client, stage["lead"].email)
    form = text_of(await client.get(url))
    assert 'name="approvals_required" type="number" min="1" max="20" value="1"' in form
    base = {"title": "Covoiturage de village", "summary": "Une plateforme."}
    too_many = await post_form(client, url, base | {"approvals_required": "21"})
    assert too_many.status_code == 400 and "Approbations par dépense" in text_of(too_many)
    assert (await post_form(client, url, base | {"approvals_required": "2"})).status_code == 303
    assert await read(session, select(Project.approvals_required)) == 2
    page = text_of(await client.get(f"/projects/{stage['project']['id']}"))
    assert "approuvée par 2 membres autres que son auteur, dont un porteur du projet" in page


async def test_a_lead_rejects_with_a_reason_and_the_author_withdraws(client: Client, session: AsyncSession) -> None:
    stage = await _stage(client, session)
    project_id = stage["project"]["id"]
    first = await factories.expense(client, stage["member"], project_id, purpose="Repas d'équipe")
    second = await factories.expense(client, stage["member"], project_id, purpose="Imprimante")
    await sign_in(client, stage["lead"].email)
    too_long = await post_form(client, f"/expenses/{first['id']}/reject", {"reason": "x" * 201})
    assert too_long.status_code == 400 and "« Motif »" in text_of(too_long)
    assert (await post_form(client, f"/expenses/{first['id']}/reject", {"reason": "Hors budget"})).status_code == 303
    await sign_in(client, stage["member"].email)
    assert (await post_form(client, f"/expenses/{second['id']}/withdraw")).status_code == 303
    page = text_of(await client.get(f"/projects/{project_id}"))
    assert "Repas d'équipe (300 €, Membre) : refusée — « Hors budget »" in page
    assert "Imprimante (300 €, Membre) : retirée" in page
    assert "Aucune dépense en attente." in page
