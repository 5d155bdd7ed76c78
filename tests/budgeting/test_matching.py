"""Matching rounds: pledges matched by the pool, estimated as they arrive (coalesced), finalized at the close."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.budgeting import services
from commons.budgeting.models import MatchEstimate, Round, RoundResult
from commons.events.consumers import consume
from commons.events.models import OutboxEvent, ProcessedEvent
from tests import factories
from tests.budgeting.helpers import call_with_projects, create_round, published_result, round_body
from tests.conftest import eventually
from tests.factories import Actor, Client


async def _pledge(client: Client, person: Actor, project_id: int, cents: int) -> int:
    project = (await client.get(f"/api/v1/projects/{project_id}")).json()
    need = next(n for n in project["needs"] if n["kind"] == "money")
    made = await client.post(
        f"/api/v1/projects/{project_id}/pledges",
        json={"kind": "money", "need_id": need["id"], "amount_cents": cents},
        headers=person.headers,
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def _confirm(client: Client, receiver: Actor, pledge_id: int) -> None:
    """``receiver`` (a lead of the project) confirms the money was received: only then is it matched."""
    confirmed = await client.post(f"/api/v1/pledges/{pledge_id}/confirm", headers=receiver.headers)
    assert confirmed.status_code == 200, confirmed.text


async def _gift(client: Client, stage: dict[str, Any], person: Actor, project_id: int, cents: int) -> int:
    """Money pledged by ``person`` and received by the projects' lead."""
    pledge_id = await _pledge(client, person, project_id, cents)
    await _confirm(client, stage["lead"], pledge_id)
    return pledge_id


async def _estimate(client: Client, round_id: int) -> dict[int, int]:
    answer = await client.get(f"/api/v1/rounds/{round_id}/estimate")
    assert answer.status_code == 200, answer.text
    return {line["project_id"]: line["match_cents"] for line in answer.json()["lines"]}


async def _estimate_is(client: Client, round_id: int, expected: dict[int, int]) -> None:
    async def reached() -> bool:
        return await _estimate(client, round_id) == expected

    await eventually(reached)


async def test_quadratic_estimate_follows_pledges_then_is_finalized_at_the_close(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    stage = await call_with_projects(client, session, [60_000, 50_000])
    broad, narrow = stage["projects"]
    round_ = await create_round(client, stage, rule="quadratic", budget_cents=100_000)
    assert await _estimate(client, round_["id"]) == {broad: 0, narrow: 0}
    alice, bob, carol = [await factories.api_user(client, name) for name in ("Alice", "Bob", "Carole")]
    await _gift(client, stage, alice, broad, 10_000)
    # Bob gives twice to the same project: he counts once, with his pledges added up.
    await _gift(client, stage, bob, broad, 5_000)
    await _gift(client, stage, bob, broad, 5_000)
    await _gift(client, stage, carol, narrow, 40_000)
    # (√100 € + √100 €)² − 200 € = 200 € for two people; one big cheque alone is not matched.
    await _estimate_is(client, round_["id"], {broad: 20_000, narrow: 0})
    estimate = (await client.get(f"/api/v1/rounds/{round_['id']}/estimate")).json()
    assert estimate["computed_at"] is not None and estimate["total_cents"] == 20_000

    frozen = await client.patch(
        f"/api/v1/rounds/{round_['id']}", json={"budget_cents": 5}, headers=stage["mayor"].headers
    )
    assert frozen.status_code == 409 and "première contribution abondée" in frozen.json()["detail"]

    # A promise counts once the money is received, not before.
    dave = await factories.api_user(client, "David")
    promised = await _pledge(client, dave, broad, 2_500)
    await _confirm(client, stage["lead"], await _pledge(client, await factories.api_user(client, "Ève"), narrow, 100))
    await _estimate_is(client, round_["id"], {broad: 20_000, narrow: 4_000})
    await _confirm(client, stage["lead"], promised)
    # (√100 € + √100 € + √25 €)² − 225 € = 400 €; (√400 € + √1 €)² − 401 € = 40 €.
    await _estimate_is(client, round_["id"], {broad: 40_000, narrow: 4_000})

    assert (
        await client.post(f"/api/v1/rounds/{round_['id']}/close", headers=stage["mayor"].headers)
    ).status_code == 200
    late = await _gift(client, stage, bob, broad, 10_000)  # after the close: not matched
    assert late
    result = await published_result(client, round_["id"])
    lines = {line["project_id"]: line for line in result["lines"]}
    assert (lines[broad]["allocated_cents"], lines[broad]["selected"], lines[broad]["votes"]) == (40_000, True, 3)
    assert lines[broad]["contributed_cents"] == 22_500 and "3 contributeur(s)" in lines[broad]["explanation"]
    assert (lines[narrow]["allocated_cents"], lines[narrow]["selected"]) == (4_000, True)
    assert result["total_cents"] == 44_000 and result["voter_count"] == 5
    assert all(line["explanation"] for line in result["lines"])

    # The fingerprint is of anonymized inputs (people as ordinals), and recomputing gives it again, once.
    async with sessionmaker() as again:
        round_row = await again.get(Round, round_["id"])
        assert round_row is not None
        inputs = await services.result_inputs(again, round_row)
        assert inputs.fingerprint() == result["fingerprint"]
        assert b'"p1"' in inputs.canonical() and str(alice.id).encode() + b"," not in inputs.canonical()
        event_id = await again.scalar(select(OutboxEvent.event_id).where(OutboxEvent.type == "round.closed"))
        assert event_id is not None
        ran = await consume(
            again, consumer="commons.budgeting.compute_result", event_id=event_id, handler=services.compute_result
        )
        assert ran is False
        assert await again.scalar(select(func.count()).select_from(RoundResult)) == 1


async def test_a_burst_of_pledges_is_counted_by_one_recompute(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    stage = await call_with_projects(client, session, [60_000])
    (project,) = stage["projects"]
    round_ = await create_round(client, stage, rule="quadratic", budget_cents=100_000)
    people = [await factories.api_user(client, f"Donateur{i}") for i in range(6)]
    for person in people:
        await _gift(client, stage, person, project, 2_500)
    # Six people giving 25 € each: (6 × √25 €)² − 150 € = 750 €.
    await _estimate_is(client, round_["id"], {project: 75_000})

    async def all_processed() -> bool:
        """The estimate worker is done with the six pledges (so it does not race the replay below)."""
        async with sessionmaker() as s:
            done = await s.scalar(
                select(func.count()).where(ProcessedEvent.consumer == "commons.budgeting.refresh_estimates")
            )
            return done == 12  # each gift: its pledge, then its confirmation

    await eventually(all_processed)
    async with sessionmaker() as s:
        events = list(
            await s.scalars(select(OutboxEvent).where(OutboxEvent.type == "pledge.made").order_by(OutboxEvent.id))
        )
        assert len(events) == 6
        # Replay the burst as if no estimate had been computed since before it.
        before = min(e.created_at for e in events) - timedelta(seconds=1)
        await s.execute(
            update(MatchEstimate).where(MatchEstimate.round_id == round_["id"]).values(computed_at=before, amounts={})
        )
        await s.commit()
        version = await s.scalar(select(MatchEstimate.version).where(MatchEstimate.round_id == round_["id"]))
        assert version is not None
        for event in events:
            await services.refresh_estimates(s, event)
            await s.commit()
        estimate = await s.scalar(
            select(MatchEstimate)
            .where(MatchEstimate.round_id == round_["id"])
            .execution_options(populate_existing=True)
        )
        assert estimate is not None
        # Six events, one computation: the first one counted every pledge published before it.
        assert estimate.version == version + 1
        assert estimate.amounts == {str(project): 75_000}


async def test_ratio_matching_serves_gifts_first_come_within_the_pool(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000, 50_000])
    first, second = stage["projects"]
    round_ = await create_round(client, stage, rule="ratio", ratio="2", budget_cents=50_000, person_cap_cents=30_000)
    assert (round_["ratio"], round_["ratio_mode"], round_["person_cap_cents"]) == ("2", "first_come", 30_000)
    early, late = await factories.api_user(client, "Matinale"), await factories.api_user(client, "Tardif")
    await _gift(client, stage, early, first, 20_000)  # asks 400 €, capped at 300 € for one person
    await _estimate_is(client, round_["id"], {first: 30_000, second: 0})
    await _gift(client, stage, late, second, 20_000)  # asks 400 €, only 200 € left in the pool
    await _estimate_is(client, round_["id"], {first: 30_000, second: 20_000})
    await client.post(f"/api/v1/rounds/{round_['id']}/close", headers=stage["mayor"].headers)
    result = await published_result(client, round_["id"])
    lines = {line["project_id"]: line for line in result["lines"]}
    assert (lines[first]["allocated_cents"], lines[second]["allocated_cents"]) == (30_000, 20_000)
    assert "plafond de 300 € par personne" in lines[first]["explanation"]
    assert "enveloppe épuisée" in lines[second]["explanation"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rule": "quadratic", "max_choices": 2}, "limites de bulletin"),
        ({"rule": "greedy", "project_cap_cents": 10_000}, "plafond par projet"),
        ({"rule": "quadratic", "ratio": "2"}, "ratio"),
        ({"rule": "ratio"}, "Indiquez le ratio"),
        ({"rule": "ratio", "ratio": "0"}, "Ratio invalide"),
        ({"rule": "ratio", "ratio": "deux"}, "Ratio invalide"),
        ({"rule": "ratio", "ratio": "3/0"}, "Ratio invalide"),
        ({"rule": "quadratic", "delegation_allowed": True}, "délégation"),
        ({"rule": "greedy", "leftover": "respread"}, "portefeuilles"),
        ({"rule": "wallets"}, "avant l'ouverture"),
        (
            {
                "rule": "quadratic",
                "colleges": [
                    {"name": "Habitants", "weight": 1, "kinds": ["habitant"]},
                    {"name": "Habitants ", "weight": 2, "kinds": ["association"]},
                ],
            },
            "noms distincts",
        ),
    ],
)
async def test_settings_the_rule_does_not_have_are_refused(
    client: Client, session: AsyncSession, fields: dict[str, Any], message: str
) -> None:
    stage = await call_with_projects(client, session, [60_000])
    response = await client.post(
        f"/api/v1/challenges/{stage['call']['id']}/rounds", json=round_body(**fields), headers=stage["mayor"].headers
    )
    assert response.status_code == 400, response.text
    assert message.lower() in response.json()["detail"].lower()


async def test_quadratic_colleges_match_their_people_from_their_envelope_whatever_their_size(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    stage = await call_with_projects(client, session, [60_000, 50_000])
    broad, narrow = stage["projects"]
    colleges = [
        {"name": "Habitants", "weight": 3, "kinds": ["habitant"]},
        {"name": "Collectivités", "weight": 1, "kinds": ["collectivite"]},
        {"name": "Associations", "weight": 4, "kinds": ["association"]},
    ]
    round_ = await create_round(client, stage, rule="quadratic", budget_cents=100_000, colleges=colleges)
    assert [c["name"] for c in round_["colleges"]] == ["Habitants", "Collectivités", "Associations"]
    citizens = [await factories.api_user(client, f"Habitante{i}") for i in range(4)]
    for citizen in citizens:
        await _gift(client, stage, citizen, broad, 10_000)
    deputy = await factories.authority(session, client, "Adjoint")
    for official in (stage["mayor"], deputy):
        await _gift(client, stage, official, narrow, 40_000)
    # Ideal matches: (4 × √100 €)² − 400 € = 1,200 € for the four citizens, (2 × √400 €)² − 800 € = 800 €
    # for the two officials. Nobody of the associations gave: the pool is split 3 : 1 between the
    # colleges present, 750 € and 250 €, and each college's match is held to its envelope.
    await _estimate_is(client, round_["id"], {broad: 75_000, narrow: 25_000})

    assert (
        await client.post(f"/api/v1/rounds/{round_['id']}/close", headers=stage["mayor"].headers)
    ).status_code == 200
    result = await published_result(client, round_["id"])
    lines = {line["project_id"]: line for line in result["lines"]}
    assert (lines[broad]["allocated_cents"], lines[narrow]["allocated_cents"]) == (75_000, 25_000)
    assert "par collège : Habitants 750 €" in lines[broad]["explanation"]
    assert "par collège : Collectivités 250 €" in lines[narrow]["explanation"]
    assert "(Collectivités : 250 €, Habitants : 750 €)" in result["explanation"]
    async with sessionmaker() as again:
        round_row = await again.get(Round, round_["id"])
        assert round_row is not None
        inputs = await services.result_inputs(again, round_row)
        assert inputs.fingerprint() == result["fingerprint"]
        assert b'"colleges":{"p1":"Habitants","p2":"Habitants","p3":"Habitants","p4":"Habitants",' in inputs.canonical()
        assert b'"p5":"Collectivit' in inputs.canonical() and b'"Associations":4' in inputs.canonical()


async def test_settings_can_change_until_the_first_matched_pledge(client: Client, session: AsyncSession) -> None:
    stage = await call_with_projects(client, session, [60_000])
    round_ = await create_round(client, stage, rule="ratio", ratio="3/2", ratio_mode="proportional")
    assert round_["ratio"] == "3/2"
    changed = await client.patch(
        f"/api/v1/rounds/{round_['id']}",
        json={"ratio": "1,5", "project_cap_cents": 20_000},
        headers=stage["mayor"].headers,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["ratio"], changed.json()["project_cap_cents"]) == ("3/2", 20_000)
    bad = await client.patch(
        f"/api/v1/rounds/{round_['id']}", json={"leftover": "respread"}, headers=stage["mayor"].headers
    )
    assert bad.status_code == 400
    giver = await factories.api_user(client, "Donatrice")
    await _gift(client, stage, giver, stage["projects"][0], 1_000)
    frozen = await client.patch(f"/api/v1/rounds/{round_['id']}", json={"ratio": "2"}, headers=stage["mayor"].headers)
    assert frozen.status_code == 409  # refused at once, even before the estimate worker has run
    # No pabulib export for a round without ballots, and no ballot either.
    assert (await client.get(f"/api/v1/rounds/{round_['id']}/export.pb")).status_code == 409
    ballot = await client.put(f"/api/v1/rounds/{round_['id']}/ballot", json={"approvals": []}, headers=giver.headers)
    assert ballot.status_code == 409


async def test_promises_never_received_draw_nothing_from_the_pool(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Ten fresh accounts each promising 1 € drew 90 € from the pool; now only money received counts, and
    withdrawing the promises after the close changes nothing, since nothing was matched for them."""
    stage = await call_with_projects(client, session, [60_000])
    (project,) = stage["projects"]
    round_ = await create_round(client, stage, rule="quadratic", budget_cents=100_000)
    socks = [await factories.api_user(client, f"Prête-nom{i}") for i in range(10)]
    promises = [await _pledge(client, sock, project, 100) for sock in socks]
    for pledge_id in promises[:3]:
        await _confirm(client, stage["lead"], pledge_id)
    # Three received euros: (3 × √1 €)² − 3 € = 6 €; the seven promises count for nothing.
    await _estimate_is(client, round_["id"], {project: 600})
    assert (
        await client.post(f"/api/v1/rounds/{round_['id']}/close", headers=stage["mayor"].headers)
    ).status_code == 200
    # Received after the close: too late to be matched.
    await _confirm(client, stage["lead"], promises[3])
    for sock, pledge_id in zip(socks[4:], promises[4:], strict=True):
        assert (await client.delete(f"/api/v1/pledges/{pledge_id}", headers=sock.headers)).status_code == 200
    result = await published_result(client, round_["id"])
    assert result["lines"][0]["allocated_cents"] == 600 and result["voter_count"] == 3
    async with sessionmaker() as again:
        round_row = await again.get(Round, round_["id"])
        assert round_row is not None
        assert (await services.result_inputs(again, round_row)).fingerprint() == result["fingerprint"]
