"""The list of calls, the call page, and the authority's forms."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.challenges.models import Challenge, ChallengeStatus
from tests import factories
from tests.factories import Client
from tests.web.helpers import post_form, read, sign_in, signed_in_person

CALL_FORM: dict[str, str] = {
    "title": "Mobilité solidaire",
    "problem": "Se déplacer sans voiture dans les villages.",
    "licence": "CC-BY-SA-4.0",
    "themes": "Mobilité, solidarité",
    "cost_ceiling": "50 000",
    "pool": "20 000,50",
    "deadline": "2027-06-30",
    "indicator_name_0": "Trajets partagés",
    "indicator_unit_0": "trajets/mois",
}


async def _signed_in_authority(client: Client, session: AsyncSession, name: str = "Élue") -> factories.Actor:
    mayor = await factories.authority(session, client, name)
    await sign_in(client, mayor.email)
    return mayor


async def test_home_lists_open_calls_with_their_figures_and_hides_drafts(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    await factories.open_challenge(client, mayor, title="Mobilité solidaire", pool_cents=2_000_000, themes=["mobilité"])
    draft = await client.post(
        "/api/v1/challenges",
        json={"title": "Brouillon secret", "problem": "…", "licence": "MIT"},
        headers=mayor.headers,
    )
    assert draft.status_code == 201

    home = await client.get("/")
    assert home.status_code == 200
    assert "Mobilité solidaire" in home.text
    assert "20\u202f000 €" in home.text
    assert "Brouillon secret" not in home.text
    assert (await client.get(f"/challenges/{draft.json()['id']}")).status_code == 404

    # The authority sees its draft.
    await sign_in(client, mayor.email)
    assert "Brouillon secret" in (await client.get("/")).text
    assert (await client.get(f"/challenges/{draft.json()['id']}")).status_code == 200


async def test_home_searches_by_text_and_theme(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    await factories.open_challenge(client, mayor, title="Mobilité solidaire", themes=["mobilité"])
    await factories.open_challenge(
        client, mayor, title="Cantines bio", problem="Manger local.", themes=["alimentation"]
    )

    found = await client.get("/", params={"q": "cantines", "territory": "", "theme": ""})
    assert "Cantines bio" in found.text and "Mobilité solidaire" not in found.text
    by_theme = await client.get("/", params={"theme": "mobilité"})
    assert "Mobilité solidaire" in by_theme.text and "Cantines bio" not in by_theme.text


async def test_authority_drafts_then_publishes_a_call_through_the_forms(client: Client, session: AsyncSession) -> None:
    await _signed_in_authority(client, session)
    form = await client.get("/challenges/new")
    assert form.status_code == 200
    assert "Licence ouverte des livrables" in form.text

    created = await post_form(client, "/challenges/new", CALL_FORM)
    assert created.status_code == 303, created.text
    location = created.headers["location"]
    challenge = await read(session, select(Challenge))
    assert challenge is not None
    assert (challenge.pool_cents, challenge.cost_ceiling_cents) == (2_000_050, 5_000_000)
    assert challenge.themes == ["mobilité", "solidarité"]
    assert [(i.name, i.unit) for i in challenge.indicators] == [("Trajets partagés", "trajets/mois")]
    assert challenge.status == ChallengeStatus.DRAFT

    page = await client.get(location)
    assert "Brouillon enregistré" in page.text
    assert "Se déplacer sans voiture" in page.text and "Trajets partagés" in page.text
    assert "Publier" in page.text

    published = await post_form(client, f"{location}/publish")
    assert published.status_code == 303
    page = await client.get(location)
    assert "Appel publié" in page.text and "Lancer un projet" in page.text and "Clore" in page.text


async def test_authority_edits_its_call(client: Client, session: AsyncSession) -> None:
    mayor = await _signed_in_authority(client, session)
    challenge = await factories.open_challenge(client, mayor, pool_cents=1_000_050)
    edit = await client.get(f"/challenges/{challenge['id']}/edit")
    assert edit.status_code == 200
    assert 'value="10000,50"' in edit.text  # the pool in euros, as one types it

    updated = await post_form(
        client, f"/challenges/{challenge['id']}/edit", CALL_FORM | {"title": "Mobilité partagée", "pool": "15000"}
    )
    assert updated.status_code == 303
    call = (await client.get(f"/api/v1/challenges/{challenge['id']}")).json()
    assert (call["title"], call["pool_cents"]) == ("Mobilité partagée", 1_500_000)


async def test_bad_call_form_is_shown_again_with_the_error_and_nothing_is_created(
    client: Client, session: AsyncSession
) -> None:
    await _signed_in_authority(client, session)
    bad_inputs: list[tuple[dict[str, Any], str]] = [
        ({"pool": "vingt mille"}, "montant invalide"),
        ({"pool": "-100"}, "montant invalide"),
        ({"cost_ceiling": "12,345"}, "montant invalide"),
        ({"title": ""}, "« Titre » est obligatoire"),
        ({"deadline": "demain"}, "date invalide"),
        ({"licence": "WTFPL"}, "Licence inconnue"),
        ({"indicator_name_0": "", "indicator_unit_0": "km"}, "donnez-lui un nom"),
    ]
    for change, message in bad_inputs:
        answer = await post_form(client, "/challenges/new", CALL_FORM | change)
        assert answer.status_code == 400, (change, answer.text)
        assert message in answer.text, change
        assert 'value="Se déplacer' not in answer.text  # textarea content, not an attribute
        assert "Se déplacer sans voiture dans les villages." in answer.text  # what was typed is kept
    assert await read(session, select(func.count(Challenge.id))) == 0


async def test_a_citizen_cannot_post_a_call(client: Client, session: AsyncSession) -> None:
    await signed_in_person(client, session)
    assert (await client.get("/challenges/new")).status_code == 403
    assert (await post_form(client, "/challenges/new", CALL_FORM)).status_code == 403
    assert await read(session, select(func.count(Challenge.id))) == 0


async def test_anonymous_visitor_is_sent_to_login(client: Client, session: AsyncSession) -> None:
    answer = await client.get("/challenges/new", follow_redirects=False)
    assert answer.status_code in (302, 303, 307)
    assert answer.headers["location"] == "/login?next=/challenges/new"


async def test_another_authority_cannot_edit_publish_or_close_a_call(client: Client, session: AsyncSession) -> None:
    owner = await factories.authority(session, client, "Maire")
    draft = await client.post(
        "/api/v1/challenges", json={"title": "Brouillon", "problem": "…", "licence": "MIT"}, headers=owner.headers
    )
    opened = await factories.open_challenge(client, owner)
    await _signed_in_authority(client, session, "Voisine")

    assert (await client.get(f"/challenges/{opened['id']}/edit")).status_code == 403
    assert (await post_form(client, f"/challenges/{opened['id']}/edit", CALL_FORM)).status_code == 403
    assert (await post_form(client, f"/challenges/{opened['id']}/edit", {"title": ""})).status_code == 403
    assert (await post_form(client, f"/challenges/{opened['id']}/close")).status_code == 403
    assert (await post_form(client, f"/challenges/{draft.json()['id']}/publish")).status_code == 403
    assert (await client.get(f"/challenges/{draft.json()['id']}")).status_code == 404
    call = (await client.get(f"/api/v1/challenges/{opened['id']}")).json()
    assert (call["title"], call["status"]) == ("Mobilité solidaire", "open")
    page = await client.get(f"/challenges/{opened['id']}")
    assert "Modifier" not in page.text and "Clore" not in page.text


async def test_a_citizen_cannot_publish_an_authority_draft(client: Client, session: AsyncSession) -> None:
    owner = await factories.authority(session, client)
    draft = await client.post(
        "/api/v1/challenges", json={"title": "Brouillon", "problem": "…", "licence": "MIT"}, headers=owner.headers
    )
    await signed_in_person(client, session)
    assert (await post_form(client, f"/challenges/{draft.json()['id']}/publish")).status_code == 403
    opened = await factories.open_challenge(client, owner)
    assert (await post_form(client, f"/challenges/{opened['id']}/close")).status_code == 403
    assert (await post_form(client, f"/challenges/{opened['id']}/publish")).status_code == 403


async def test_following_a_call(client: Client, session: AsyncSession) -> None:
    owner = await factories.authority(session, client)
    opened = await factories.open_challenge(client, owner)
    await signed_in_person(client, session)
    page = await client.get(f"/challenges/{opened['id']}")
    assert ">Suivre<" in page.text
    assert (await post_form(client, f"/challenges/{opened['id']}/follow", {"follow": "1"})).status_code == 303
    assert "Ne plus suivre" in (await client.get(f"/challenges/{opened['id']}")).text
    assert (await post_form(client, f"/challenges/{opened['id']}/follow", {"follow": "0"})).status_code == 303
    assert ">Suivre<" in (await client.get(f"/challenges/{opened['id']}")).text


async def test_closing_a_call(client: Client, session: AsyncSession) -> None:
    mayor = await _signed_in_authority(client, session)
    opened = await factories.open_challenge(client, mayor)
    assert (await post_form(client, f"/challenges/{opened['id']}/close")).status_code == 303
    page = await client.get(f"/challenges/{opened['id']}")
    assert "Clos" in page.text and "Lancer un projet" not in page.text
    assert "Appels clos" in (await client.get("/")).text
    again = await post_form(client, f"/challenges/{opened['id']}/close")
    assert again.status_code == 409
    assert "Seul un appel ouvert peut être clos" in again.text


async def test_unknown_page_is_a_404_in_the_layout(client: Client, session: AsyncSession) -> None:
    answer = await client.get("/challenges/999999")
    assert answer.status_code == 404
    assert "Appel 999999 introuvable" in answer.text
    assert 'class="site-nav"' in answer.text
    missing = await client.get("/nulle-part")
    assert missing.status_code == 404 and "Page introuvable" in missing.text
