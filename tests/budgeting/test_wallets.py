"""Wallet rounds: registration before the opening, equal wallets, delegation without cycles, no overspending."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.accounts.models import OrganizationKind
from commons.budgeting import services
from commons.budgeting.models import Registration, Round, WalletSpending
from commons.db import utcnow
from tests import factories
from tests.budgeting.helpers import call_with_projects, create_round, move_opening, published_result
from tests.factories import Actor, Client


async def _wallet_round(client: Client, stage: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A wallet round opening in an hour: people register before it opens."""
    opens = (utcnow() + timedelta(hours=1)).isoformat()
    return await create_round(client, stage, rule="wallets", opens_at=opens, **fields)


async def _wallet(client: Client, round_id: int, person: Actor) -> dict[str, Any]:
    answer = await client.get(f"/api/v1/rounds/{round_id}/wallet", headers=person.headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def _spend(client: Client, round_id: int, person: Actor, lines: dict[int, int]) -> Any:
    body = {"lines": [{"project_id": p, "amount_cents": c} for p, c in lines.items()]}
    return await client.put(f"/api/v1/rounds/{round_id}/wallet", json=body, headers=person.headers)


async def _delegate(client: Client, round_id: int, person: Actor, to: Actor, percent: int) -> Any:
    return await client.put(
        f"/api/v1/rounds/{round_id}/delegation",
        json={"delegate_id": to.id, "percent": percent},
        headers=person.headers,
    )


async def test_wallet_round_from_registration_to_published_result(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    stage = await call_with_projects(client, session, [30_000, 50_000, 60_000])
    small, medium, large = stage["projects"]
    round_ = await _wallet_round(client, stage, budget_cents=90_000, delegation_allowed=True)
    rid = round_["id"]
    anne, basile, chloe = [await factories.api_user(client, name) for name in ("Anne", "Basile", "Chloé")]
    for person in (anne, basile, chloe, anne):  # registering twice is one registration
        assert (await client.post(f"/api/v1/rounds/{rid}/registration", headers=person.headers)).status_code == 200
    async with sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(Registration)) == 3

    # Delegations may be given before the opening; one that loops back is refused, naming the cycle.
    assert (await _delegate(client, rid, anne, basile, 50)).status_code == 200
    assert (await _delegate(client, rid, basile, chloe, 100)).status_code == 200
    cycle = await _delegate(client, rid, chloe, anne, 10)
    assert cycle.status_code == 400
    assert "cycle" in cycle.json()["detail"] and "Anne → Basile → Chloé → Anne" in cycle.json()["detail"]
    itself = await _delegate(client, rid, chloe, chloe, 10)
    assert itself.status_code == 400 and "Chloé → Chloé" in itself.json()["detail"]

    early = await _spend(client, rid, anne, {small: 1_000})
    assert early.status_code == 409 and "pas encore ouvert" in early.json()["detail"]
    await move_opening(sessionmaker, rid, -1)
    late = await client.post(f"/api/v1/rounds/{rid}/registration", headers=stage["mayor"].headers)
    assert late.status_code == 409 and "figée" in late.json()["detail"]
    outsider = await _spend(client, rid, stage["mayor"], {small: 1_000})
    assert outsider.status_code == 403

    # 900 € among three: 300 € each. Anne hands half to Basile, who hands all he holds to Chloé.
    wallet = await _wallet(client, rid, anne)
    assert (wallet["wallet_cents"], wallet["delegated_cents"], wallet["received_cents"]) == (30_000, 15_000, 0)
    assert wallet["spending_power_cents"] == 15_000 and wallet["delegation"]["name"] == "Basile"
    chloe_wallet = await _wallet(client, rid, chloe)
    assert (chloe_wallet["received_cents"], chloe_wallet["spending_power_cents"]) == (45_000, 75_000)
    assert (await _wallet(client, rid, basile))["spending_power_cents"] == 0

    over = await _spend(client, rid, anne, {small: 20_000})
    assert over.status_code == 400 and "ne contient que 150 €" in over.json()["detail"]
    twice = await client.put(
        f"/api/v1/rounds/{rid}/wallet",
        json={"lines": [{"project_id": small, "amount_cents": 1}, {"project_id": small, "amount_cents": 2}]},
        headers=anne.headers,
    )
    assert twice.status_code == 400 and "deux fois" in twice.json()["detail"]
    assert (await _spend(client, rid, anne, {small: 15_000})).status_code == 200
    changed = await _spend(client, rid, anne, {small: 10_000})  # changed until the close: still one line
    assert changed.status_code == 200 and changed.json()["left_cents"] == 5_000
    assert (await _spend(client, rid, chloe, {small: 15_000, medium: 50_000})).status_code == 200
    async with sessionmaker() as s:
        assert await s.scalar(select(func.count()).where(WalletSpending.user_id == anne.id)) == 1

    # Taking back a delegation the delegate's delegate already spread is refused, naming who spent it.
    back = await client.delete(f"/api/v1/rounds/{rid}/delegation", headers=anne.headers)
    assert back.status_code == 400 and "Chloé a déjà réparti 650 €" in back.json()["detail"]
    frozen = await client.patch(f"/api/v1/rounds/{rid}", json={"budget_cents": 1}, headers=stage["mayor"].headers)
    assert frozen.status_code == 409 and "première répartition" in frozen.json()["detail"]

    assert (await client.post(f"/api/v1/rounds/{rid}/close", headers=stage["mayor"].headers)).status_code == 200
    assert (await _spend(client, rid, anne, {small: 1})).status_code == 409
    result = await published_result(client, rid)
    lines = {line["project_id"]: line for line in result["lines"]}
    # 250 € on the small project miss its 300 € minimum and go back to the pool; the medium one reaches 500 €.
    assert (lines[small]["selected"], lines[small]["allocated_cents"], lines[small]["votes"]) == (False, 0, 2)
    assert "sous le minimum de 300 €" in lines[small]["explanation"]
    assert (lines[medium]["selected"], lines[medium]["allocated_cents"]) == (True, 50_000)
    assert "minimum de 500 € atteint" in lines[medium]["explanation"]
    assert (lines[large]["selected"], lines[large]["allocated_cents"]) == (False, 0)
    assert result["total_cents"] == 50_000 and result["voter_count"] == 3
    assert "250 € retournent à l'enveloppe" in result["explanation"]
    async with sessionmaker() as s:
        round_row = await s.get(Round, rid)
        assert round_row is not None
        inputs = await services.result_inputs(s, round_row)
        assert inputs.fingerprint() == result["fingerprint"]
        assert b'"participants":["p1","p2","p3"]' in inputs.canonical()  # people as ordinals, never ids


async def test_delegation_is_refused_where_the_round_does_not_allow_it(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [30_000])
    rid = (await _wallet_round(client, stage))["id"]
    anne, basile = await factories.api_user(client, "Anne"), await factories.api_user(client, "Basile")
    for person in (anne, basile):
        await client.post(f"/api/v1/rounds/{rid}/registration", headers=person.headers)
    refused = await _delegate(client, rid, anne, basile, 50)
    assert refused.status_code == 400 and "n'autorise pas la délégation" in refused.json()["detail"]
    # Leaving before the opening is allowed; the wallets are then shared among those who stay.
    assert (await client.delete(f"/api/v1/rounds/{rid}/registration", headers=basile.headers)).status_code == 204
    assert (await _wallet(client, rid, anne))["wallet_cents"] == 100_000
    assert (await _wallet(client, rid, basile))["registered"] is False


async def test_a_per_project_cap_limits_each_person_s_spending(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    stage = await call_with_projects(client, session, [30_000])
    rid = (await _wallet_round(client, stage, project_cap_cents=10_000, leftover="respread"))["id"]
    anne = await factories.api_user(client, "Anne")
    await client.post(f"/api/v1/rounds/{rid}/registration", headers=anne.headers)
    await move_opening(sessionmaker, rid, -1)
    capped = await _spend(client, rid, anne, {stage["projects"][0]: 20_000})
    assert capped.status_code == 400 and "au plus 100 € sur un projet" in capped.json()["detail"]


async def test_wallets_are_split_by_college_then_equally_within_each(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    stage = await call_with_projects(client, session, [40_000])
    (project,) = stage["projects"]
    colleges = [
        {"name": "Habitants", "weight": 1, "kinds": ["habitant"]},
        {"name": "Collectivités", "weight": 1, "kinds": ["collectivite"]},
        {"name": "Associations", "weight": 2, "kinds": ["association"]},
    ]
    rid = (await _wallet_round(client, stage, budget_cents=90_000, colleges=colleges))["id"]
    citizens = [await factories.api_user(client, f"Habitant{i}") for i in range(3)]
    for person in (*citizens, stage["mayor"]):
        assert (await client.post(f"/api/v1/rounds/{rid}/registration", headers=person.headers)).status_code == 200
    # Nobody of the associations registered: 900 € are split 1 : 1 between the colleges present, then
    # 450 € among three citizens and 450 € for the elected official alone.
    mayor_wallet = await _wallet(client, rid, stage["mayor"])
    assert (mayor_wallet["wallet_cents"], mayor_wallet["college"]) == (45_000, "Collectivités")
    assert [(await _wallet(client, rid, c))["wallet_cents"] for c in citizens] == [15_000, 15_000, 15_000]

    await move_opening(sessionmaker, rid, -1)
    # The official alone can fund the project her three neighbours could not together.
    assert (await _spend(client, rid, stage["mayor"], {project: 40_000})).status_code == 200
    over = await _spend(client, rid, citizens[0], {project: 20_000})
    assert over.status_code == 400 and "ne contient que 150 €" in over.json()["detail"]
    assert (await client.post(f"/api/v1/rounds/{rid}/close", headers=stage["mayor"].headers)).status_code == 200
    result = await published_result(client, rid)
    assert (result["lines"][0]["selected"], result["lines"][0]["allocated_cents"]) == (True, 40_000)
    assert (
        "partagée entre leurs collèges selon leur poids (Collectivités : 450 €, Habitants : 450 €)"
        in (result["explanation"])
    )
    async with sessionmaker() as s:
        round_row = await s.get(Round, rid)
        assert round_row is not None
        inputs = await services.result_inputs(s, round_row)
        assert inputs.fingerprint() == result["fingerprint"]
        assert b'"colleges":{"p1":"Habitants","p2":"Habitants","p3":"Habitants","p4":"Collectivit' in inputs.canonical()


async def test_registration_is_refused_to_a_person_no_college_welcomes(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [40_000])
    colleges = [{"name": "Collectivités", "weight": 1, "kinds": ["collectivite"]}]
    rid = (await _wallet_round(client, stage, colleges=colleges))["id"]
    citizen = await factories.api_user(client, "Habitante")
    refused = await client.post(f"/api/v1/rounds/{rid}/registration", headers=citizen.headers)
    assert refused.status_code == 403 and "Aucun collège" in refused.json()["detail"]
    assert (await _wallet(client, rid, citizen))["registered"] is False
    assert (await client.post(f"/api/v1/rounds/{rid}/registration", headers=stage["mayor"].headers)).status_code == 200
    assert (await _wallet(client, rid, stage["mayor"]))["wallet_cents"] == 100_000


async def test_a_participant_keeps_the_college_placed_at_registration(client: Client, session: AsyncSession) -> None:
    """Becoming an organization's admin during the round moves nobody: wallets do not change size."""
    stage = await call_with_projects(client, session, [40_000])
    colleges = [
        {"name": "Habitants", "weight": 1, "kinds": ["habitant"]},
        {"name": "Collectivités", "weight": 1, "kinds": ["collectivite"]},
    ]
    rid = (await _wallet_round(client, stage, budget_cents=90_000, colleges=colleges))["id"]
    citizens = [await factories.api_user(client, f"Voisine{i}") for i in range(2)]
    for person in (*citizens, stage["mayor"]):
        assert (await client.post(f"/api/v1/rounds/{rid}/registration", headers=person.headers)).status_code == 200
    await factories.organization_of(session, citizens[0].email, kind=OrganizationKind.COLLECTIVITE)
    wallet = await _wallet(client, rid, citizens[0])
    assert (wallet["college"], wallet["wallet_cents"]) == ("Habitants", 22_500)
    assert (await _wallet(client, rid, stage["mayor"]))["wallet_cents"] == 45_000
