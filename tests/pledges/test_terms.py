"""Terms of a pledge through the API: on whose behalf, stretch goals, local currencies, completed projects."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.events.models import OutboxEvent
from commons.ledger.check import check_ledger
from commons.ledger.rules import EUR, AccountKind
from commons.ledger.services import owner_balances
from commons.pledges.currencies import LocalCurrency
from commons.pledges.models import Pledge
from commons.settings import Settings
from tests import factories
from tests.conftest import eventually

Client = AsyncTestClient[Litestar]
EUSKO = LocalCurrency(code="EUSKO", label="Eusko")


async def _stage(client: Client, session: AsyncSession, **project: Any) -> dict[str, Any]:
    """A project on an open call with one money need (min 500 €, max 800 €), its lead and a donor."""
    mayor = await factories.authority(session, client)
    challenge = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    needs = [{"kind": "money", "label": "Four", "min_cents": 50_000, "max_cents": 80_000}]
    created = await factories.project(client, lead, challenge["id"], needs=needs, **project)
    donor = await factories.api_user(client, "Donatrice")
    return {"lead": lead, "donor": donor, "project": created, "need": created["needs"][0]["id"]}


async def _pledge(client: Client, stage: dict[str, Any], actor: factories.Actor | None = None, **body: Any) -> Any:
    """POST a money pledge (overridable fields in ``body``); returns the response."""
    payload = {"need_id": stage["need"], "kind": "money", "amount_cents": 10_000} | body
    return await client.post(
        f"/api/v1/projects/{stage['project']['id']}/pledges",
        json=payload,
        headers=(actor or stage["donor"]).headers,
    )


async def _count(session: AsyncSession) -> int:
    try:
        return int(await session.scalar(select(func.count(Pledge.id))) or 0)
    finally:
        await session.commit()


async def _project_read(client: Client, stage: dict[str, Any]) -> dict[str, Any]:
    return dict((await client.get(f"/api/v1/projects/{stage['project']['id']}")).json())


# On whose behalf


async def test_an_organization_admin_pledges_in_its_name(client: Client, session: AsyncSession) -> None:
    stage = await _stage(client, session)
    organization = await factories.organization_of(session, stage["donor"].email)
    made = await _pledge(client, stage, on_behalf_of_id=organization)
    assert made.status_code == 201, made.text
    assert made.json()["on_behalf_of"]["id"] == organization
    assert made.json()["on_behalf_of"]["name"].startswith("Coopérative")
    own = await _pledge(client, stage)
    assert own.status_code == 201 and "on_behalf_of" not in own.json()
    listed = (
        await client.get(f"/api/v1/projects/{stage['project']['id']}/pledges", headers=stage["lead"].headers)
    ).json()
    assert [p.get("on_behalf_of", {}).get("id") for p in listed] == [organization, None]


async def test_pledging_for_an_organization_one_does_not_administer_is_forbidden(
    client: Client, session: AsyncSession
) -> None:
    stage = await _stage(client, session)
    someone_else = await factories.api_user(client, "Autre")
    theirs = await factories.organization_of(session, someone_else.email)
    refused = await _pledge(client, stage, on_behalf_of_id=theirs)
    assert refused.status_code == 403
    assert "Vous n'administrez pas l'organisation" in refused.json()["detail"]
    assert (await _pledge(client, stage, on_behalf_of_id=999_999)).status_code == 403
    for bad in (0, -1, "Coopérative", 2**40):
        assert (await _pledge(client, stage, on_behalf_of_id=bad)).status_code == 400, bad
    assert await _count(session) == 0


# Stretch goals


async def test_beyond_the_maximum_is_refused_without_stretch_goals(client: Client, session: AsyncSession) -> None:
    stage = await _stage(client, session)
    assert (await _pledge(client, stage, amount_cents=70_000)).status_code == 201
    over = await _pledge(client, stage, amount_cents=20_000)
    assert over.status_code == 400 and "il reste 100 €" in over.json()["detail"]
    assert await _count(session) == 1


async def test_stretch_goals_accept_pledges_beyond_the_maximum(client: Client, session: AsyncSession) -> None:
    stage = await _stage(client, session, stretch_goals=True)
    assert stage["project"]["stretch_goals"] is True
    assert (await _pledge(client, stage, amount_cents=70_000)).status_code == 201
    assert (await _pledge(client, stage, amount_cents=34_000)).status_code == 201

    async def stretched() -> bool:
        need = (await _project_read(client, stage))["needs"][0]
        return bool(need["pledged_cents"] == 104_000)

    await eventually(stretched)
    read = await _project_read(client, stage)
    assert read["funding_status"] == "fully_funded"  # the maximum is reached, whatever the surplus
    assert (read["needs"][0]["progress_percent"], read["needs"][0]["percent_of_max"]) == (100, 130)


async def test_turning_stretch_goals_off_refuses_new_surplus(client: Client, session: AsyncSession) -> None:
    stage = await _stage(client, session, stretch_goals=True)
    assert (await _pledge(client, stage, amount_cents=90_000)).status_code == 201
    path = f"/api/v1/projects/{stage['project']['id']}"
    stranger = await client.patch(path, json={"stretch_goals": False}, headers=stage["donor"].headers)
    assert stranger.status_code == 403
    bad = await client.patch(path, json={"stretch_goals": "oui"}, headers=stage["lead"].headers)
    assert bad.status_code == 400
    off = await client.patch(path, json={"stretch_goals": False}, headers=stage["lead"].headers)
    assert off.status_code == 200 and off.json()["stretch_goals"] is False
    refused = await _pledge(client, stage, amount_cents=100)
    assert refused.status_code == 400 and "atteint son maximum" in refused.json()["detail"]
    assert await _count(session) == 1


# Local currencies


async def test_unknown_currencies_are_refused_naming_the_accepted_ones(client: Client, session: AsyncSession) -> None:
    stage = await _stage(client, session)
    refused = await _pledge(client, stage, currency="EUSKO")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "Monnaie « EUSKO » non acceptée ici : les monnaies possibles sont EUR."
    assert (await _pledge(client, stage, currency="")).status_code == 400
    assert (await _pledge(client, stage, currency="EUROS-EN-PAPIER")).status_code == 400
    assert await _count(session) == 0


async def test_a_local_currency_counts_as_euros_and_stays_apart_in_the_ledger(
    settings: Settings, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with factories.client_of(replace(settings, local_currencies=(EUSKO,))) as client:
        stage = await _stage(client, session)
        eusko = await _pledge(client, stage, amount_cents=30_000, currency="EUSKO")
        assert eusko.status_code == 201, eusko.text
        assert (eusko.json()["amount_cents"], eusko.json()["currency"]) == (30_000, "EUSKO")
        euros = await _pledge(client, stage, amount_cents=20_000)
        assert euros.json()["currency"] == EUR
        unknown = await _pledge(client, stage, currency="GONETTE")
        assert unknown.status_code == 400
        assert "les monnaies possibles sont EUR, EUSKO (Eusko)" in unknown.json()["detail"]
        # 300 Eusko + 200 € reach the 500 € minimum: pegged 1:1.
        beyond = await _pledge(client, stage, amount_cents=30_001, currency="EUSKO")
        assert beyond.status_code == 400 and "il reste 300 €" in beyond.json()["detail"]

        async def minimum_reached() -> bool:
            read = await _project_read(client, stage)
            return bool(read["funding_status"] == "minimum_reached" and read["needs"][0]["pledged_cents"] == 50_000)

        await eventually(minimum_reached)
        for pledge in (eusko, euros):
            confirmed = await client.post(
                f"/api/v1/pledges/{pledge.json()['id']}/confirm", headers=stage["lead"].headers
            )
            assert confirmed.status_code == 200
    async with sessionmaker() as check:
        project = await owner_balances(check, kind=AccountKind.PROJECT, owner_id=stage["project"]["id"])
        donor = await owner_balances(check, kind=AccountKind.CONTRIBUTOR, owner_id=stage["donor"].id)
        assert project == {EUR: 20_000, "EUSKO": 30_000}
        assert donor == {EUR: -20_000, "EUSKO": -30_000}
        assert await check_ledger(check) == []


# Completed projects


async def test_a_project_is_completed_once_its_minimum_is_reached_and_then_takes_no_pledge(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    stage = await _stage(client, session)
    path = f"/api/v1/projects/{stage['project']['id']}/complete"
    first = await _pledge(client, stage, amount_cents=30_000)
    early = await client.post(path, headers=stage["lead"].headers)
    assert early.status_code == 409 and "pas encore atteint son minimum" in early.json()["detail"]
    second = await _pledge(client, stage, amount_cents=20_000)
    assert second.status_code == 201
    # Judged on the pledges themselves, not on totals the workers may not have refreshed yet.
    assert (await client.post(path, headers=stage["donor"].headers)).status_code == 403
    done = await client.post(path, headers=stage["lead"].headers)
    assert done.status_code == 200 and done.json()["funding_status"] == "completed"
    again = await client.post(path, headers=stage["lead"].headers)
    assert again.status_code == 409 and "terminé" in again.json()["detail"]

    late = await _pledge(client, stage, amount_cents=100)
    assert late.status_code == 409
    assert late.json()["detail"] == "Ce projet est terminé : les contributions sont fermées."
    withdrawn = await client.delete(f"/api/v1/pledges/{first.json()['id']}", headers=stage["donor"].headers)
    assert withdrawn.status_code == 409
    cancel = await client.post(f"/api/v1/projects/{stage['project']['id']}/cancel", headers=stage["lead"].headers)
    assert cancel.status_code == 409
    assert await _count(session) == 2
    async with sessionmaker() as check:
        events = list(await check.scalars(select(OutboxEvent).where(OutboxEvent.type == "project.completed")))
        assert [e.payload["contributor_ids"] for e in events] == [[stage["donor"].id]]

    async def donor_told() -> bool:
        notes = (await client.get("/api/v1/me/notifications", headers=stage["donor"].headers)).json()
        return any("est terminé : merci pour votre contribution" in n["message"] for n in notes)

    await eventually(donor_told)
    # Completion is final: the read model never moves it back, whatever the pledges.
    read = await _project_read(client, stage)
    assert read["funding_status"] == "completed"


async def test_completing_an_unknown_project_is_not_found(client: Client, session: AsyncSession) -> None:
    lead = await factories.api_user(client, "Porteuse")
    assert (await client.post("/api/v1/projects/999999/complete", headers=lead.headers)).status_code == 404
