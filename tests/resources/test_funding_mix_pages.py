"""The funding mix on the project and call pages, from pledges made through the API, on both databases."""

from __future__ import annotations

import re
from fractions import Fraction

from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts import services as accounts
from commons.accounts.models import OrganizationKind
from commons.funders.services import Grant, pay_out
from commons.resources.funding_mix import Tier
from commons.resources.services import challenge_funding_mix, project_funding_mix
from commons.resources.valuation import DEFAULT_VALUATION
from tests import factories
from tests.factories import Actor, Client
from tests.web.helpers import text_of


async def _pledge(client: Client, actor: Actor, project_id: int, **body: object) -> int:
    answer = await client.post(f"/api/v1/projects/{project_id}/pledges", json=body, headers=actor.headers)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def _row(page: str, tier: Tier) -> str:
    """The text of one tier's table row, its tags removed and all spaces (narrow ones too) made single."""
    match = re.search(rf'<tr class="mix-row-{tier.value}">(.*?)</tr>', page, re.S)
    assert match, f"no row for {tier}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


async def test_project_and_call_pages_show_the_four_tiers(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client, "Maire")
    call = await factories.open_challenge(client, mayor, pool_cents=20_000)
    [authority] = (await client.get(f"/api/v1/challenges/{call['id']}/funders")).json()
    collectivite = authority["organization"]["id"]
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, call["id"])
    money, time, _skill = (need["id"] for need in project["needs"])
    citizen = await factories.api_user(client, "Habitant")
    # An association's admin pledging on its behalf gives private money: only collectivités are public.
    association = await accounts.create_organization(
        session, actor=None, name="Les Amis du Vélo", kind=OrganizationKind.ASSOCIATION
    )
    await accounts.add_organization_admin(session, actor=None, organization_id=association.id, email=citizen.email)

    # Public: a pledge on behalf of the collectivité, and a payout from its pool.
    public = await _pledge(
        client, mayor, project["id"], kind="money", need_id=money, amount_cents=30_000, on_behalf_of_id=collectivite
    )
    # The mayor in their own name is a citizen: private money.
    await _pledge(client, mayor, project["id"], kind="money", need_id=money, amount_cents=2_000)
    await _pledge(
        client, citizen, project["id"], kind="money", need_id=money, amount_cents=8_000, on_behalf_of_id=association.id
    )
    withdrawn = await _pledge(client, citizen, project["id"], kind="money", need_id=money, amount_cents=5_000)
    assert (await client.delete(f"/api/v1/pledges/{withdrawn}", headers=citizen.headers)).status_code == 200
    # 2 h of legal work (coefficient 3) and 1 h 30 of the need's "animation" (default level, 1).
    await _pledge(client, citizen, project["id"], kind="time", need_id=time, minutes=120, skill="Juridique")
    await _pledge(client, lead, project["id"], kind="time", need_id=time, minutes=90)
    confirmed = await client.post(f"/api/v1/pledges/{public}/confirm", headers=lead.headers)
    assert confirmed.status_code == 200, confirmed.text
    received = await client.post(
        f"/api/v1/challenges/{call['id']}/funders/{authority['id']}/received", headers=mayor.headers
    )
    assert received.status_code == 200, received.text
    grant = Grant(project_id=project["id"], cents=20_000, divisible=False, purpose="allocation")
    await pay_out(session, challenge_id=call["id"], round_id=1, grants=[grant])
    await session.commit()
    # Own revenue, declared by the lead.
    revenue = {"amount_cents": 15_000, "description": "Réparations facturées", "period": "2026"}
    declared = await client.post(f"/api/v1/projects/{project['id']}/revenue", json=revenue, headers=lead.headers)
    assert declared.status_code == 201, declared.text

    mix = await project_funding_mix(session, project["id"], valuation=DEFAULT_VALUATION)
    await session.commit()
    volunteering = 7_212 + 1_803  # 2 h × 12,02 € × 3, and 1,5 h × 12,02 € × 1
    assert {t.tier: t.cents for t in mix.tiers} == {
        Tier.PUBLIC: 50_000,
        Tier.PRIVATE: 10_000,
        Tier.OWN_REVENUE: 15_000,
        Tier.VOLUNTEERING: volunteering,
    }
    assert mix.total_cents == 84_015
    assert mix.tier(Tier.PUBLIC).share == Fraction(50_000, 84_015)

    page = text_of(await client.get(f"/projects/{project['id']}"))
    assert "Ressources et règle des quatre tiers" in page
    assert '<svg class="chart mix-chart"' in page and 'role="img"' in page and "<title" in page
    # Amount, confirmed, share, target (84 015 / 4, the remainder to the first tiers), gap.
    assert _row(page, Tier.PUBLIC) == "Financement public 500 € 500 € 59,5 % 210,04 € +289,96 €"
    assert _row(page, Tier.PRIVATE) == "Financement privé 100 € 0 € 11,9 % 210,04 € -110,04 €"
    assert _row(page, Tier.OWN_REVENUE) == (
        "Prestations de service déclarées par les porteurs · voir les recettes 150 € 150 € 17,9 % 210,04 € -60,04 €"
    )
    assert _row(page, Tier.VOLUNTEERING) == (
        "Bénévolat valorisé 3 h 30 de bénévolat 90,15 € 0 € 10,7 % 210,03 € -119,88 €"
    )

    call_page = text_of(await client.get(f"/challenges/{call['id']}"))
    assert '<svg class="chart mix-chart"' in call_page
    assert _row(call_page, Tier.PUBLIC) == _row(page, Tier.PUBLIC)
    assert _row(call_page, Tier.VOLUNTEERING) == _row(page, Tier.VOLUNTEERING)
    assert await challenge_funding_mix(session, call["id"], valuation=DEFAULT_VALUATION) == mix
    await session.commit()


async def test_a_project_without_pledges_shows_an_empty_mix(client: Client, session: AsyncSession) -> None:
    mayor = await factories.authority(session, client)
    call = await factories.open_challenge(client, mayor)
    project = await factories.project(client, await factories.api_user(client), call["id"])
    page = text_of(await client.get(f"/projects/{project['id']}"))
    assert "Aucune ressource promise pour l'instant." in page
    assert "mix-chart" not in page
    assert _row(page, Tier.PUBLIC) == "Financement public 0 € 0 € 0 % 0 € 0 €"
