"""The funding mix on the project and call pages, from pledges made through the API, on both databases."""

from __future__ import annotations

import re
from fractions import Fraction

from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts import services as accounts
from commons.accounts.models import OrganizationKind
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
    call = await factories.open_challenge(client, mayor)
    # Administering a second collectivité must not count the mayor's money twice.
    other = await accounts.create_organization(
        session, actor=None, name="Département des Landes", kind=OrganizationKind.COLLECTIVITE
    )
    await accounts.add_organization_admin(session, actor=None, organization_id=other.id, email=mayor.email)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, call["id"])
    money, time, _skill = (need["id"] for need in project["needs"])
    citizen = await factories.api_user(client, "Habitant")
    # An association's admin gives private money: only collectivités are public.
    association = await accounts.create_organization(
        session, actor=None, name="Les Amis du Vélo", kind=OrganizationKind.ASSOCIATION
    )
    await accounts.add_organization_admin(session, actor=None, organization_id=association.id, email=citizen.email)

    public = await _pledge(client, mayor, project["id"], kind="money", need_id=money, amount_cents=30_000)
    await _pledge(client, citizen, project["id"], kind="money", need_id=money, amount_cents=10_000)
    withdrawn = await _pledge(client, citizen, project["id"], kind="money", need_id=money, amount_cents=5_000)
    assert (await client.delete(f"/api/v1/pledges/{withdrawn}", headers=citizen.headers)).status_code == 200
    # 2 h of legal work (coefficient 3) and 1 h 30 of the need's "animation" (default level, 1).
    await _pledge(client, citizen, project["id"], kind="time", need_id=time, minutes=120, skill="Juridique")
    await _pledge(client, lead, project["id"], kind="time", need_id=time, minutes=90)
    confirmed = await client.post(f"/api/v1/pledges/{public}/confirm", headers=lead.headers)
    assert confirmed.status_code == 200, confirmed.text

    mix = await project_funding_mix(session, project["id"], valuation=DEFAULT_VALUATION)
    await session.commit()
    volunteering = 7_212 + 1_803  # 2 h × 12,02 € × 3, and 1,5 h × 12,02 € × 1
    assert {t.tier: t.cents for t in mix.tiers} == {
        Tier.PUBLIC: 30_000,
        Tier.PRIVATE: 10_000,
        Tier.OWN_REVENUE: 0,
        Tier.VOLUNTEERING: volunteering,
    }
    assert mix.total_cents == 49_015
    assert mix.tier(Tier.PUBLIC).share == Fraction(30_000, 49_015)

    page = text_of(await client.get(f"/projects/{project['id']}"))
    assert "Ressources et règle des quatre tiers" in page
    assert '<svg class="chart mix-chart"' in page and 'role="img"' in page and "<title" in page
    # Amount, confirmed, share, target (49 015 / 4, the remainder to the first tiers), gap.
    assert _row(page, Tier.PUBLIC) == "Financement public 300 € 300 € 61,2 % 122,54 € +177,46 €"
    assert _row(page, Tier.PRIVATE) == "Financement privé 100 € 0 € 20,4 % 122,54 € -22,54 €"
    assert _row(page, Tier.OWN_REVENUE) == (
        "Prestations de service déclarées par les porteurs 0 € 0 € 0 % 122,54 € -122,54 €"
    )
    assert _row(page, Tier.VOLUNTEERING) == (
        "Bénévolat valorisé 3 h 30 de bénévolat 90,15 € 0 € 18,4 % 122,53 € -32,38 €"
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
