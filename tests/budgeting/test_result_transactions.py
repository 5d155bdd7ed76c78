"""A round's result is computed outside any transaction: the platform keeps serving meanwhile, and a
result whose inputs changed before it was stored is refused (and computed again)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.budgeting import services
from commons.budgeting.models import Ballot, Round
from tests import factories
from tests.budgeting.helpers import call_with_projects, published_result
from tests.conftest import eventually
from tests.factories import Client

# A real election whose equal-shares-with-add1 result takes seconds to compute.
WIELICZKA = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "pabulib" / "Poland_Wieliczka_2023_Green_Budget.pb"
)


async def _computing_round(client: Client, session: AsyncSession) -> tuple[dict[str, Any], int]:
    """An imported round the worker is computing: its inputs read, its rule reporting progress."""
    stage = await call_with_projects(client, session, [])
    imported = await client.post(
        f"/api/v1/challenges/{stage['call']['id']}/rounds/import",
        json={"pb": WIELICZKA.read_text(encoding="utf-8"), "rule": "equal_shares", "completion": "add1"},
        headers=stage["mayor"].headers,
    )
    assert imported.status_code == 201, imported.text
    round_id = int(imported.json()["id"])

    async def reporting() -> bool:
        return (await client.get(f"/api/v1/rounds/{round_id}")).json()["progress"] is not None

    await eventually(reporting, timeout=60)
    return stage, round_id


async def _still_computing(client: Client, round_id: int) -> bool:
    return (await client.get(f"/api/v1/rounds/{round_id}/result")).status_code == 404


async def test_pages_and_writes_go_on_while_a_result_is_computed(client: Client, session: AsyncSession) -> None:
    stage, round_id = await _computing_round(client, session)
    call = await client.get(f"/api/v1/challenges/{stage['call']['id']}")
    assert call.status_code == 200
    page = await client.get(f"/challenges/{stage['call']['id']}")
    assert page.status_code == 200
    # A write: with the computation inside a write transaction, it would wait for the whole computation.
    await factories.project(client, stage["lead"], stage["call"]["id"], title="Lancé pendant le calcul")
    assert await _still_computing(client, round_id), "the computation ended before the requests: inconclusive"
    result = await published_result(client, round_id, timeout=120)
    assert result["voter_count"] == 6586


async def test_a_result_computed_from_inputs_that_changed_meanwhile_is_refused(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    _, round_id = await _computing_round(client, session)
    async with sessionmaker() as change:
        ballot = await change.scalar(select(Ballot).where(Ballot.round_id == round_id).order_by(Ballot.id).limit(1))
        assert ballot is not None
        round_row = await change.get(Round, round_id)
        assert round_row is not None
        everything = [c.project_id for c in round_row.candidates]
        await change.execute(update(Ballot).where(Ballot.id == ballot.id).values(approvals=everything))
        await change.commit()
    assert await _still_computing(client, round_id), "the computation ended before the change: inconclusive"

    result = await published_result(client, round_id, timeout=180)
    async with sessionmaker() as check:
        round_row = await check.get(Round, round_id)
        assert round_row is not None
        current = (await services.result_inputs(check, round_row)).fingerprint()
    # The first computation, from the ballots as they were, was not stored: the one stored counts the change.
    assert result["fingerprint"] == current
