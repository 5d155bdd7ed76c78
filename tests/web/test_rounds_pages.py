"""Co-budgets through the pages: the authority declares one, citizens vote, the result is published."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from commons.budgeting.models import Ballot, Round, RoundStatus
from commons.budgeting.progress import RoundProgress, current_board
from commons.db import utcnow
from commons.formatting import format_cents
from tests import factories
from tests.budgeting.helpers import call_with_projects, receive_pool
from tests.conftest import eventually
from tests.factories import Client
from tests.web.helpers import post_form, read, sign_in, signed_in_person, text_of

ROUND_FORM: dict[str, str | list[str]] = {
    "title": "Premier relevé",
    "rule": "equal_shares",
    "satisfaction": "cardinality",
    "completion": "add1u",
    "budget": "1 500,50",
    "seed": "10,05",
    # Summer time in Paris (UTC+2), then winter time (UTC+1).
    "opens_at": "2030-07-01T09:30",
    "closes_at": "2030-12-15T18:00",
    "min_choices": "1",
    "max_choices": "2",
    "max_ballot": "1 000,10",
    "college_name_0": "Habitants",
    "college_weight_0": "1",
    "college_kinds_0": ["habitant", "association"],
    "college_name_1": "Collectivités",
    "college_weight_1": "2",
    "college_kinds_1": "collectivite",
}


async def _api_round(client: Client, stage: dict[str, Any], **fields: Any) -> int:
    now = utcnow()
    body = {
        "title": "Relevé de printemps",
        "rule": "greedy",
        "budget_cents": 100_000,
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
    } | fields
    created = await client.post(
        f"/api/v1/challenges/{stage['call']['id']}/rounds", json=body, headers=stage["mayor"].headers
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _words(page: str) -> str:
    """A page's text as read on screen: tags removed, spaces collapsed."""
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", page)).replace(" .", ".")


def _checked(page: str) -> set[int]:
    """The candidates ticked on the ballot form."""
    return {int(v) for v in re.findall(r'name="approvals" value="(\d+)" checked', page)}


async def test_authority_creates_a_round_through_the_form(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000, 50_000])
    await receive_pool(client, stage, 150_050)  # the seeds are paid from it at creation
    call_id = stage["call"]["id"]
    await sign_in(client, stage["mayor"].email)
    call_page = await client.get(f"/challenges/{call_id}")
    assert "Co-budgets" in call_page.text and f'href="/challenges/{call_id}/rounds/new"' in call_page.text
    form = await client.get(f"/challenges/{call_id}/rounds/new")
    assert form.status_code == 200
    assert 'type="datetime-local"' in form.text and "college_kinds_3" in form.text

    created = await post_form(client, f"/challenges/{call_id}/rounds/new", ROUND_FORM)
    assert created.status_code == 303, created.text
    round_ = await read(session, select(Round))
    assert created.headers["location"] == f"/rounds/{round_.id}"
    assert (round_.rule.value, round_.satisfaction, round_.completion) == ("equal_shares", "cardinality", "add1u")
    assert (round_.budget_cents, round_.seed_cents, round_.max_ballot_cents) == (150_050, 1_005, 100_010)
    assert (round_.min_choices, round_.max_choices) == (1, 2)
    assert round_.opens_at == datetime(2030, 7, 1, 7, 30, tzinfo=UTC)
    assert round_.closes_at == datetime(2030, 12, 15, 17, 0, tzinfo=UTC)
    assert [(c.name, c.weight, c.kinds) for c in round_.colleges] == [
        ("Habitants", 1, ["association", "habitant"]),
        ("Collectivités", 2, ["collectivite"]),
    ]
    assert [(c.project_id, c.cost_cents) for c in round_.candidates] == list(
        zip(stage["projects"], [60_000, 50_000], strict=True)
    )

    page = text_of(await client.get(created.headers["location"]))
    assert "Co-budget créé" in page
    assert "Parts égales (equal shares)" in page and "part égale du budget" in page
    assert "1 juillet 2030 à 9 h 30" in page and "15 décembre 2030 à 18 h 00" in page  # shown in Paris time
    assert "Habitants</strong> — poids 1" in page and "Collectivités</strong> — poids 2" in page
    assert "1\u202f500,50 €" in page and "10,05 €" in page and "au plus 1\u202f000,10 €" in page
    assert "Projet 1" in page and "600 €" in page
    assert "Clore maintenant" in page

    listing = await client.get(f"/challenges/{call_id}/rounds", headers={"HX-Request": "true"})
    assert "<html" not in listing.text  # the fragment the call page loads
    assert f'href="/rounds/{round_.id}"' in listing.text and "Premier relevé" in listing.text


async def test_bad_round_form_is_shown_again_and_nothing_is_created(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000])
    await sign_in(client, stage["mayor"].email)
    url = f"/challenges/{stage['call']['id']}/rounds/new"
    bad_inputs: list[tuple[dict[str, str | list[str]], str]] = [
        ({"budget": "douze"}, "montant invalide"),
        ({"budget": ""}, "« Budget » est obligatoire"),
        ({"title": ""}, "« Titre » est obligatoire"),
        ({"opens_at": "demain"}, "date et heure invalides"),
        ({"closes_at": "2030-06-30T10:00"}, "La clôture du co-budget doit suivre son ouverture"),
        ({"min_choices": "3", "max_choices": "2"}, "inférieur au nombre minimal"),
        ({"max_choices": "deux"}, "entrez un nombre entier positif"),
        ({"rule": "tirage"}, "« Règle » : choisissez parmi"),
        ({"completion": "add2"}, "« Complétion »"),
        ({"college_kinds_1": []}, "cochez au moins une famille"),
        ({"college_weight_1": "0"}, "« Collèges »"),
        ({"seed": "2 000"}, "L'amorçage des projets présélectionnés dépasse le budget"),
    ]
    for change, message in bad_inputs:
        answer = await post_form(client, url, ROUND_FORM | change)
        assert answer.status_code == 400, (change, answer.status_code)
        page = text_of(answer)
        assert message in page, change
        assert 'value="Habitants"' in page  # what was typed is kept
        assert re.search(r'name="college_kinds_0" value="association" checked', page)
    assert await read(session, select(func.count(Round.id))) == 0


async def test_only_the_call_s_admins_manage_its_rounds(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000])
    round_id = await _api_round(client, stage)
    await signed_in_person(client, session, "Citoyen")
    url = f"/challenges/{stage['call']['id']}/rounds/new"

    assert (await client.get(url)).status_code == 403
    assert (await post_form(client, url, ROUND_FORM)).status_code == 403
    assert (await post_form(client, url, {"title": ""})).status_code == 403
    assert await read(session, select(func.count(Round.id))) == 1
    page = await client.get(f"/rounds/{round_id}")
    assert "Clore maintenant" not in page.text
    assert (
        f'href="/challenges/{stage["call"]["id"]}/rounds/new"'
        not in (await client.get(f"/challenges/{stage['call']['id']}")).text
    )
    assert (await post_form(client, f"/rounds/{round_id}/close")).status_code == 403
    assert await read(session, select(Round.status)) == RoundStatus.SCHEDULED


async def test_citizen_votes_and_finds_the_choices_ticked(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000, 50_000, 30_000])
    first, second, third = stage["projects"]
    round_id = await _api_round(client, stage, max_ballot_cents=100_000, max_choices=2)

    visitor = text_of(await client.get(f"/rounds/{round_id}"))
    assert "Connectez-vous" in visitor and "pour voter" in visitor and 'name="approvals"' not in visitor

    await signed_in_person(client, session, "Citoyenne")
    page = text_of(await client.get(f"/rounds/{round_id}"))
    assert "Vous pouvez modifier votre bulletin jusqu'à la clôture" in page
    assert _checked(page) == set()
    assert "Au plus 2 choix" in page and "au plus 1\u202f000 €" in page

    # "See what is left", without JavaScript: the server computes the selection's cost, stores nothing.
    preview = await post_form(client, f"/rounds/{round_id}/ballot", {"approvals": [str(first)], "action": "preview"})
    assert preview.status_code == 200
    assert "Il reste 400 €" in _words(text_of(preview)) and _checked(preview.text) == {first}
    assert await read(session, select(func.count(Ballot.id))) == 0

    voted = await post_form(client, f"/rounds/{round_id}/ballot", {"approvals": [str(first), str(third)]})
    assert voted.status_code == 303, voted.text
    assert voted.headers["location"] == f"/rounds/{round_id}#bulletin"
    back = text_of(await client.get(f"/rounds/{round_id}"))
    assert "Bulletin enregistré" in back and "Votre bulletin est enregistré" in back
    assert _checked(back) == {first, third}
    assert "2 projets pour 900 € sur 1\u202f000 €" in _words(back) and "Il reste 100 €" in _words(back)

    # Changing one's mind replaces the ballot.
    assert (await post_form(client, f"/rounds/{round_id}/ballot", {"approvals": str(second)})).status_code == 303
    assert _checked((await client.get(f"/rounds/{round_id}")).text) == {second}
    assert await read(session, select(func.count(Ballot.id))) == 1


async def test_ballot_over_the_limit_is_shown_again_and_nothing_is_stored(
    client: Client, session: AsyncSession
) -> None:
    stage = await call_with_projects(client, session, [60_000, 50_000])
    first, second = stage["projects"]
    round_id = await _api_round(client, stage, max_ballot_cents=70_000)
    await signed_in_person(client, session, "Citoyen")

    answer = await post_form(client, f"/rounds/{round_id}/ballot", {"approvals": [str(first), str(second)]})
    assert answer.status_code == 400
    page = text_of(answer)
    assert "Vos choix dépassent le montant permis par bulletin." in page
    assert "Dépassement de 400 €" in _words(page)
    assert _checked(answer.text) == {first, second}  # what was ticked is kept
    assert await read(session, select(func.count(Ballot.id))) == 0
    assert await read(session, select(Round.frozen_at)) is None


async def test_closing_publishes_the_result_with_its_chart(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000, 50_000, 30_000])
    first, second, third = stage["projects"]
    round_id = await _api_round(client, stage)
    for approvals in ([first, second], [first, second], [first, third]):
        voter = await factories.api_user(client, "Votant")
        cast = await client.put(
            f"/api/v1/rounds/{round_id}/ballot", json={"approvals": approvals}, headers=voter.headers
        )
        assert cast.status_code == 200
    assert (await client.get(f"/rounds/{round_id}/result")).status_code == 404

    await sign_in(client, stage["mayor"].email)
    closed = await post_form(client, f"/rounds/{round_id}/close")
    assert closed.status_code == 303 and closed.headers["location"] == f"/rounds/{round_id}"
    assert "Co-budget clos" in (await client.get(f"/rounds/{round_id}")).text

    async def published() -> bool:
        return (await client.get(f"/rounds/{round_id}/result")).status_code == 200

    await eventually(published)
    round_page = await client.get(f"/rounds/{round_id}")
    assert f'href="/rounds/{round_id}/result"' in round_page.text and "Clore maintenant" not in round_page.text
    late = await post_form(client, f"/rounds/{round_id}/ballot", {"approvals": str(third)})
    assert late.status_code == 409 and "ne sont plus acceptés" in text_of(late)

    api = (await client.get(f"/api/v1/rounds/{round_id}/result")).json()
    answer = await client.get(f"/rounds/{round_id}/result")
    page = text_of(answer)
    # Greedy: project 1 (3 votes) takes 600 €, project 2 (2 votes) no longer fits, project 3 does.
    rows = {
        title: row
        for row in re.findall(r"<tr class=\"(?:funded|unfunded)\">.*?</tr>", page, re.S)
        for title in ("Projet 1", "Projet 2", "Projet 3")
        if f">{title}<" in row
    }
    assert "Financé" in rows["Projet 1"] and "600 €" in rows["Projet 1"]
    assert "Non financé" in rows["Projet 2"]
    assert "Financé" in rows["Projet 3"] and "300 €" in rows["Projet 3"]
    for line in api["lines"]:
        assert line["explanation"] and line["explanation"] in page
    assert "Répartition gloutonne (greedy)" in page and "version 1" in page
    assert f"<code>{api['fingerprint']}</code>" in page and "SHA-256" in page
    assert "900 €" in page and "sur 1\u202f000 €" in page
    assert "<svg" in answer.text and 'role="img"' in answer.text and '<title id="chart-title">' in answer.text
    assert f"/api/v1/rounds/{round_id}/export.pb" in answer.text
    assert answer.text.count("<rect") >= 3


async def test_a_round_being_computed_says_so_and_refreshes(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000])
    round_id = await _api_round(client, stage)
    # Closed, with no result yet (as while a worker computes a large round).
    await session.execute(update(Round).where(Round.id == round_id).values(status=RoundStatus.CLOSED))
    await session.commit()

    page = await client.get(f"/rounds/{round_id}")
    assert "Calcul en cours…" in page.text and '<meta http-equiv="refresh" content="3">' in page.text
    pending = await client.get(f"/rounds/{round_id}/result")
    assert pending.status_code == 404
    assert "pas encore publié" in text_of(pending) and f'href="/rounds/{round_id}"' in pending.text
    assert (await client.get("/rounds/999999")).status_code == 404


async def test_a_round_being_computed_shows_how_far_it_went(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000])
    round_id = await _api_round(client, stage, rule="equal_shares")
    await session.execute(update(Round).where(Round.id == round_id).values(status=RoundStatus.CLOSED))
    await session.commit()
    # As the worker's computation reports it, 42 seconds after it started.
    started = utcnow() - timedelta(seconds=42)
    current_board().report(round_id, RoundProgress(runs=7, share_cents=123_456, started_at=started))

    page = _words(text_of(await client.get(f"/rounds/{round_id}")))
    assert re.search(
        rf"Calcul en cours : 7 passages de la méthode des parts égales, part par votant actuelle : "
        rf"{format_cents(123_456)}, depuis 4[2-4] s\.",
        page,
    ), page
    shown = (await client.get(f"/api/v1/rounds/{round_id}")).json()["progress"]
    assert (shown["runs"], shown["share_cents"]) == (7, 123_456) and 42 <= shown["elapsed_seconds"] <= 44

    # With colleges the share is per unit of weight, not per voter: it is left out.
    current_board().report(round_id, RoundProgress(runs=1, share_cents=None, started_at=started))
    page = _words(text_of(await client.get(f"/rounds/{round_id}")))
    assert "Calcul en cours : 1 passage de la méthode des parts égales, depuis" in page
    assert "part par votant" not in page

    current_board().clear(round_id)
    answer = await client.get(f"/rounds/{round_id}")
    assert "Calcul en cours…" in answer.text and "passage" not in answer.text
    assert '<meta http-equiv="refresh" content="3">' in answer.text
    assert (await client.get(f"/api/v1/rounds/{round_id}")).json()["progress"] is None


async def test_ballots_stay_secret_on_the_round_page(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000, 50_000])
    round_id = await _api_round(client, stage)
    for name in ("Zéphyrine", "Barnabé"):
        voter = await factories.api_user(client, name)
        await client.put(
            f"/api/v1/rounds/{round_id}/ballot", json={"approvals": stage["projects"][:1]}, headers=voter.headers
        )
    await sign_in(client, stage["mayor"].email)  # even the call's admins see only the count
    page = text_of(await client.get(f"/rounds/{round_id}"))
    assert "Bulletins déposés 2" in _words(page)
    assert "Zéphyrine" not in page and "Barnabé" not in page
    assert _checked(page) == set()  # the admin's own (empty) ballot, not anyone else's


MATCHING_FORM: dict[str, str | list[str]] = {
    "title": "Abondement de printemps",
    "rule": "ratio",
    "budget": "2 000",
    "opens_at": "2030-07-01T09:30",
    "closes_at": "2030-12-15T18:00",
    "ratio": "3/2",
    "person_cap": "100",
    "project_cap": "500",
    "ratio_mode": "proportional",
}


async def test_authority_declares_a_ratio_round_with_its_settings(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000])
    await sign_in(client, stage["mayor"].email)
    url = f"/challenges/{stage['call']['id']}/rounds/new"
    form = await client.get(url)
    assert 'value="quadratic"' in form.text and 'value="wallets"' in form.text and 'name="ratio"' in form.text
    for change, message in [
        ({"ratio": ""}, "Indiquez le ratio"),
        ({"ratio": "beaucoup"}, "Ratio invalide"),
        ({"rule": "quadratic"}, "ne valent que pour l'abondement au ratio"),
        ({"max_choices": "2"}, "limites de bulletin"),
        ({"rule": "greedy", "person_cap": "", "ratio": "", "ratio_mode": "first_come"}, "plafond par projet"),
        (
            {
                "rule": "wallets",
                "ratio": "",
                "person_cap": "",
                "ratio_mode": "first_come",
                "opens_at": "2020-01-01T10:00",
            },
            "avant l'ouverture",
        ),
    ]:
        answer = await post_form(client, url, MATCHING_FORM | change)
        assert answer.status_code == 400, (change, answer.status_code)
        page = text_of(answer)
        assert message in page, change
        assert 'value="Abondement de printemps"' in page
    assert await read(session, select(func.count(Round.id))) == 0

    created = await post_form(client, url, MATCHING_FORM)
    assert created.status_code == 303, text_of(created)
    round_ = await read(session, select(Round))
    assert (round_.rule.value, round_.ratio_numerator, round_.ratio_denominator) == ("ratio", 3, 2)
    assert (round_.person_cap_cents, round_.project_cap_cents, round_.ratio_mode) == (10_000, 50_000, "proportional")
    page = _words(text_of(await client.get(created.headers["location"])))
    assert "figées dès la première contribution abondée" in page
    assert "Abondement au ratio" in page and "Ratio : 3/2 € de l'enveloppe pour 1 € donné" in page
    assert "Proportionnel, à la clôture" in page and "Plafond par personne : 100 €" in page
    assert 'name="approvals"' not in page


async def test_call_and_round_pages_show_the_estimated_match(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000, 50_000])
    first = stage["projects"][0]
    round_id = await _api_round(client, stage, rule="quadratic")
    need = (await client.get(f"/api/v1/projects/{first}")).json()["needs"][0]["id"]
    for name in ("Alice", "Bob"):
        giver = await factories.api_user(client, name)
        made = await client.post(
            f"/api/v1/projects/{first}/pledges",
            json={"kind": "money", "need_id": need, "amount_cents": 10_000},
            headers=giver.headers,
        )
        assert made.status_code == 201
        # Matched once its lead confirms the money received.
        received = await client.post(f"/api/v1/pledges/{made.json()['id']}/confirm", headers=stage["lead"].headers)
        assert received.status_code == 200, received.text

    async def estimated() -> bool:
        return bool((await client.get(f"/api/v1/rounds/{round_id}/estimate")).json()["total_cents"] == 20_000)

    await eventually(estimated)
    for url in (f"/challenges/{stage['call']['id']}", f"/rounds/{round_id}"):
        page = _words(text_of(await client.get(url)))
        assert "Abondement estimé — calculé le" in page, url
        assert re.search(r"Projet 1 2 200 €", page) and re.search(r"Projet 2 0 0 €", page), url


async def test_participant_spreads_a_wallet_and_delegates_through_the_pages(
    client: Client, session: AsyncSession
) -> None:
    stage = await call_with_projects(client, session, [30_000, 50_000])
    first, second = stage["projects"]
    opens = (utcnow() + timedelta(hours=1)).isoformat()
    round_id = await _api_round(client, stage, rule="wallets", opens_at=opens, delegation_allowed=True)
    other = await factories.api_user(client, "Basile")
    await client.post(f"/api/v1/rounds/{round_id}/registration", headers=other.headers)

    visitor = text_of(await client.get(f"/rounds/{round_id}"))
    assert "Connectez-vous" in visitor and "pour vous inscrire" in visitor
    me = await signed_in_person(client, session, "Anne")
    assert "Participer à ce co-budget" in text_of(await client.get(f"/rounds/{round_id}"))
    joined = await post_form(client, f"/rounds/{round_id}/registration")
    assert joined.status_code == 303 and joined.headers["location"] == f"/rounds/{round_id}/wallet"
    page = _words(text_of(await client.get(f"/rounds/{round_id}/wallet")))
    assert "Inscription enregistrée" in page and "Ma part de l'enveloppe 500 €" in page  # 1 000 € for two
    assert "La répartition ouvre le" in page

    delegated = await post_form(
        client, f"/rounds/{round_id}/delegation", {"delegate_id": str(other.id), "percent": "40"}
    )
    assert delegated.status_code == 303
    loop = await client.put(
        f"/api/v1/rounds/{round_id}/delegation", json={"delegate_id": me.id, "percent": 10}, headers=other.headers
    )
    assert loop.status_code == 400 and "cycle (Basile → Anne → Basile)" in loop.json()["detail"]

    await session.execute(update(Round).where(Round.id == round_id).values(opens_at=utcnow() - timedelta(minutes=1)))
    await session.commit()
    page = _words(text_of(await client.get(f"/rounds/{round_id}/wallet")))
    assert "Vous confiez 40 % de votre portefeuille à Basile" in page
    assert "Confié à d'autres 200 €" in page and "À répartir 300 €" in page

    # "See what is left" without JavaScript, then an overspending is refused with what was typed kept.
    preview = await post_form(
        client, f"/rounds/{round_id}/wallet", {f"amount_{first}": "120", f"amount_{second}": "", "action": "preview"}
    )
    assert preview.status_code == 200 and "Il reste 180 €" in _words(text_of(preview))
    over = await post_form(client, f"/rounds/{round_id}/wallet", {f"amount_{first}": "200", f"amount_{second}": "150"})
    assert over.status_code == 400
    assert (
        "ne contient que 300 €" in text_of(over)
        and f'name="amount_{second}" type="text" inputmode="decimal" value="150"' in over.text
    )
    saved = await post_form(client, f"/rounds/{round_id}/wallet", {f"amount_{first}": "300", f"amount_{second}": ""})
    assert saved.status_code == 303
    page = _words(text_of(await client.get(f"/rounds/{round_id}/wallet")))
    assert "Répartition enregistrée" in page and "Reste 0 €" in page
    back = await post_form(client, f"/rounds/{round_id}/delegation/delete")
    assert back.status_code == 303  # Basile has not spent anything: the delegation comes back

    await client.post(f"/api/v1/rounds/{round_id}/close", headers=stage["mayor"].headers)

    async def published() -> bool:
        return (await client.get(f"/rounds/{round_id}/result")).status_code == 200

    await eventually(published)
    answer = await client.get(f"/rounds/{round_id}/result")
    result = _words(text_of(answer))
    assert "Soutiens" in result and "Participants 2" in result
    assert "300 € reçus, minimum de 300 € atteint" in result and "personne n'y a mis d'argent" in result
    assert "<svg" in answer.text and "export.pb" not in answer.text


async def test_matching_and_wallet_pages_show_the_colleges_and_where_the_person_counts(
    client: Client, session: AsyncSession
) -> None:
    stage = await call_with_projects(client, session, [60_000])
    colleges = [
        {"name": "Habitants", "weight": 1, "kinds": ["habitant"]},
        {"name": "Collectivités", "weight": 3, "kinds": ["collectivite"]},
    ]
    matching = await _api_round(client, stage, rule="quadratic", colleges=colleges)
    opens = (utcnow() + timedelta(hours=1)).isoformat()
    wallets = await _api_round(client, stage, rule="wallets", opens_at=opens, colleges=colleges)
    await signed_in_person(client, session, "Anne")

    page = _words(text_of(await client.get(f"/rounds/{matching}")))
    assert "Habitants — poids 1" in page and "Collectivités — poids 3" in page
    assert "Chaque collège dispose de la part de l'enveloppe proportionnelle à son poids" in page
    assert "Vos dons comptent dans le collège « Habitants » (poids 1)" in page

    page = _words(text_of(await client.get(f"/rounds/{wallets}")))
    assert "Collectivités — poids 3" in page and "Vous participez dans le collège « Habitants »" in page
    assert "partagée entre les collèges selon leur poids, puis à parts égales" in page
    assert (await post_form(client, f"/rounds/{wallets}/registration")).status_code == 303
    page = _words(text_of(await client.get(f"/rounds/{wallets}/wallet")))
    assert "vous êtes dans le collège « Habitants »" in page and "Ma part de l'enveloppe 1\u202f000 €" in page
