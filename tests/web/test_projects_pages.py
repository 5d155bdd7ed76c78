"""Launching a project through its form, its page, editing it, joining it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.projects.models import Membership, Need, Project
from tests import factories
from tests.factories import Client
from tests.web.helpers import post_form, read, sign_in, signed_in_person, text_of

PROJECT_FORM: dict[str, str] = {
    "title": "Covoiturage de village",
    "summary": "Une plateforme et des référents par commune.",
    "team": "Deux associations et un garage solidaire.",
    "governance": "Une SCIC, un collège par famille d'acteurs.",
    "need_kind_0": "money",
    "need_label_0": "Véhicule",
    "need_min_0": "120,50",
    "need_max_0": "1 200.5",
    "need_kind_1": "time",
    "need_label_1": "Animation",
    "need_min_1": "1,5",
    "need_max_1": "10",
    "need_skill_1": "animation",
    "need_kind_2": "skill",
    "need_label_2": "Juriste",
    "need_skill_2": "droit des associations",
    # Rows 3 to 5 left blank (the kind select always sends a value).
    "need_kind_3": "money",
    "need_kind_4": "time",
}


async def _open_call(client: Client, session: AsyncSession) -> dict[str, object]:
    mayor = await factories.authority(session, client)
    return await factories.open_challenge(client, mayor)


async def test_launching_a_project_through_the_form_stores_its_needs_exactly(
    client: Client, session: AsyncSession
) -> None:
    call = await _open_call(client, session)
    await signed_in_person(client, session, "Porteuse")
    page = await client.get(f"/challenges/{call['id']}")
    assert "Lancer un projet" in page.text
    form = await client.get(f"/challenges/{call['id']}/projects/new")
    assert form.status_code == 200 and "need_label_5" in form.text

    launched = await post_form(client, f"/challenges/{call['id']}/projects/new", PROJECT_FORM)
    assert launched.status_code == 303, launched.text
    project_id = await read(session, select(Project.id))
    assert launched.headers["location"] == f"/projects/{project_id}"
    needs = list(await session.scalars(select(Need).order_by(Need.position)))
    await session.commit()
    assert [(n.kind.value, n.label, n.min_amount, n.max_amount, n.skill) for n in needs] == [
        ("money", "Véhicule", 12_050, 120_050, ""),
        ("time", "Animation", 90, 600, "animation"),
        ("skill", "Juriste", 1, 1, "droit des associations"),
    ]

    page = await client.get(launched.headers["location"])
    assert page.status_code == 200
    assert "Projet lancé" in page.text
    assert "Covoiturage de village" in page.text and "Une SCIC, un collège" in page.text
    assert "minimum 120,50 €" in page.text and "maximum 1\u202f200,50 €" in page.text
    assert "minimum 1 h 30" in page.text and "maximum 10 h" in page.text
    assert "Porteuse" in page.text and "Modifier le projet" in page.text
    assert "Qui a promis quoi" in page.text  # the lead's view
    call_page = await client.get(f"/challenges/{call['id']}")
    assert "Covoiturage de village" in call_page.text


async def test_bad_project_form_is_shown_again_and_nothing_is_created(client: Client, session: AsyncSession) -> None:
    call = await _open_call(client, session)
    await signed_in_person(client, session)
    url = f"/challenges/{call['id']}/projects/new"
    bad_inputs = [
        ({"need_min_0": "douze"}, "montant invalide"),
        ({"need_min_0": "-5"}, "montant invalide"),
        ({"need_min_1": "1h30min"}, "durée invalide"),
        ({"need_max_0": "100"}, "maximum est inférieur au minimum"),
        ({"title": ""}, "« Titre » est obligatoire"),
        ({"summary": "   "}, "« Résumé » est obligatoire"),
        ({"need_label_0": ""}, "donnez-lui un libellé"),
        ({"need_skill_2": ""}, "précisez la compétence"),
        ({"title": "x" * 201}, "Titre"),
    ]
    for change, message in bad_inputs:
        answer = await post_form(client, url, PROJECT_FORM | change)
        assert answer.status_code == 400, (change, answer.status_code)
        assert message in answer.text, change
        assert "Deux associations et un garage solidaire." in answer.text  # what was typed is kept
    assert await read(session, select(func.count(Project.id))) == 0


async def test_a_citizen_cannot_edit_someone_else_s_project(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    call = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, call["id"])
    await signed_in_person(client, session, "Intruse")

    assert (await client.get(f"/projects/{project['id']}/edit")).status_code == 403
    answer = await post_form(client, f"/projects/{project['id']}/edit", PROJECT_FORM | {"title": "Piraté"})
    assert answer.status_code == 403
    bad = await post_form(client, f"/projects/{project['id']}/edit", {"title": ""})
    assert bad.status_code == 403
    assert (await client.get(f"/api/v1/projects/{project['id']}")).json()["title"] == "Covoiturage de village"
    page = await client.get(f"/projects/{project['id']}")
    assert "Modifier le projet" not in page.text and "Qui a promis quoi" not in page.text


async def test_lead_edits_the_project_and_adds_a_need(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    call = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, call["id"])
    await sign_in(client, lead.email)

    edit = await client.get(f"/projects/{project['id']}/edit")
    assert edit.status_code == 200 and "Covoiturage de village" in edit.text
    answer = await post_form(
        client,
        f"/projects/{project['id']}/edit",
        {
            "title": "Covoiturage des villages",
            "summary": "Étendu à tout le canton.",
            "need_kind_0": "money",
            "need_label_0": "Assurance",
            "need_min_0": "300",
        },
    )
    assert answer.status_code == 303
    read_back = (await client.get(f"/api/v1/projects/{project['id']}")).json()
    assert read_back["title"] == "Covoiturage des villages"
    assert [n["label"] for n in read_back["needs"]] == ["Véhicule", "Animation", "Juriste", "Assurance"]
    assert read_back["needs"][-1]["min_cents"] == 30_000


async def test_joining_a_project(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    call = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, call["id"])
    await signed_in_person(client, session, "Renfort")
    url = f"/projects/{project['id']}/join"

    none_chosen = await post_form(client, url, {"offers": "Un local"})
    assert none_chosen.status_code == 400
    assert "au moins une forme de participation" in none_chosen.text
    assert "Un local" in none_chosen.text

    joined = await post_form(
        client,
        url,
        {"forms": ["support", "resources"], "resources": ["territory"], "offers": "Un local", "expects": "Visibilité"},
    )
    assert joined.status_code == 303
    page = text_of(await client.get(f"/projects/{project['id']}"))
    assert "Renfort" in page and "Territoire d'expérimentation" in page and "Apporte : Un local" in page
    assert "Rejoindre le projet" not in page
    again = await post_form(client, url, {"forms": "support"})
    assert again.status_code == 409
    assert await read(session, select(func.count(Membership.id))) == 2


async def test_project_page_is_public_and_invites_to_sign_in(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    call = await factories.open_challenge(client, mayor)
    project = await factories.project(client, await factories.api_user(client), call["id"])
    page = await client.get(f"/projects/{project['id']}")
    assert page.status_code == 200
    assert "pour contribuer" in page.text and "pour rejoindre" in page.text
    assert "_csrf_token" not in page.text.split("<main", 1)[1]  # no form for a visitor
    assert (await client.get("/projects/999999")).status_code == 404


async def test_no_project_on_a_closed_call(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    call = await factories.open_challenge(client, mayor)
    await client.post(f"/api/v1/challenges/{call['id']}/close", headers=mayor.headers)
    await signed_in_person(client, session)
    assert (await client.get(f"/challenges/{call['id']}/projects/new")).status_code == 409
    assert (await post_form(client, f"/challenges/{call['id']}/projects/new", PROJECT_FORM)).status_code == 409
    assert await read(session, select(func.count(Project.id))) == 0


async def test_the_lead_sets_stretch_goals_on_the_project_form(client: Client, session: AsyncSession) -> None:
    call = await _open_call(client, session)
    await signed_in_person(client, session, "Porteuse")
    form = await client.get(f"/challenges/{call['id']}/projects/new")
    assert 'name="stretch_goals" value="1" >' in form.text  # offered, unchecked by default
    launched = await post_form(client, f"/challenges/{call['id']}/projects/new", PROJECT_FORM | {"stretch_goals": "1"})
    assert launched.status_code == 303
    project_id = await read(session, select(Project.id))
    assert await read(session, select(Project.stretch_goals)) is True
    page = text_of(await client.get(f"/projects/{project_id}"))
    assert "Objectifs bonus" in page and "Ce projet accepte les contributions au-delà du maximum" in page

    edit = await client.get(f"/projects/{project_id}/edit")
    assert 'name="stretch_goals" value="1" checked>' in edit.text
    # A bad edit is refused and leaves the setting as it was.
    bad = await post_form(client, f"/projects/{project_id}/edit", {"title": "", "summary": "Résumé"})
    assert bad.status_code == 400
    assert await read(session, select(Project.stretch_goals)) is True
    unchecked = {"title": PROJECT_FORM["title"], "summary": PROJECT_FORM["summary"]}
    assert (await post_form(client, f"/projects/{project_id}/edit", unchecked)).status_code == 303
    assert await read(session, select(Project.stretch_goals)) is False
    assert "Objectifs bonus" not in (await client.get(f"/projects/{project_id}")).text
