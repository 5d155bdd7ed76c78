"""`check_ledger` finds every broken invariant, and nothing on a sound ledger."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from commons.ledger import services as ledger
from commons.ledger.check import check_ledger, run_check
from commons.ledger.models import Entry, LedgerAccount, Transfer
from commons.ledger.rules import EUR, MINUTES, AccountKind


async def sound_ledger(session: AsyncSession) -> dict[str, LedgerAccount]:
    """A funded pool, an allocation and its reversal, a gift of time: every invariant holds."""
    accounts = {
        "funder": await ledger.open_account(session, kind=AccountKind.FUNDER, owner_id=1, unit=EUR),
        "pool": await ledger.open_account(session, kind=AccountKind.CHALLENGE_POOL, owner_id=1, unit=EUR),
        "project": await ledger.open_account(session, kind=AccountKind.PROJECT, owner_id=1, unit=EUR),
        "volunteer": await ledger.open_account(session, kind=AccountKind.CONTRIBUTOR, owner_id=1, unit=MINUTES),
        "hours": await ledger.open_account(session, kind=AccountKind.PROJECT, owner_id=1, unit=MINUTES),
    }
    legs = [(accounts["funder"], -1_000), (accounts["pool"], 1_000)]
    await ledger.record_transfer(session, key="fund", reason="Apport", legs=legs)
    allocation = await ledger.record_transfer(
        session, key="allocate", reason="Allocation", legs=[(accounts["pool"], -600), (accounts["project"], 600)]
    )
    await ledger.reverse_transfer(session, transfer_id=allocation.id, key="allocate:undo", reason="Erreur")
    legs = [(accounts["volunteer"], -90), (accounts["hours"], 90)]
    await ledger.record_transfer(session, key="time", reason="Heures données", legs=legs)
    await session.commit()
    return accounts


async def raw_transfer(session: AsyncSession, key: str, legs: list[tuple[LedgerAccount, int, str]]) -> int:
    """Write a transfer the way a faulty script would: straight into the tables, past every rule."""
    transfer_id: int | None = await session.scalar(
        insert(Transfer).values(key=key, reason="Écrit à la main").returning(Transfer.id)
    )
    assert transfer_id is not None
    for account, amount, unit in legs:
        await session.execute(
            insert(Entry).values(transfer_id=transfer_id, account_id=account.id, amount=amount, unit=unit)
        )
    await session.commit()
    return transfer_id


async def test_a_sound_ledger_has_no_problem(session: AsyncSession) -> None:
    await sound_ledger(session)
    assert await check_ledger(session) == []


async def test_an_entry_added_by_hand_unbalances_its_transfer(session: AsyncSession) -> None:
    accounts = await sound_ledger(session)
    fund_id = await session.scalar(text("SELECT id FROM ledger_transfer WHERE key = 'fund'"))
    await session.execute(insert(Entry).values(transfer_id=fund_id, account_id=accounts["pool"].id, amount=5, unit=EUR))
    await session.commit()
    assert await check_ledger(session) == [
        f"Mouvement n°{fund_id} déséquilibré en EUR : ses écritures totalisent 0,05 EUR au lieu de zéro."
    ]


async def test_an_entry_in_another_unit_than_its_account_is_reported(session: AsyncSession) -> None:
    accounts = await sound_ledger(session)
    # Balanced in each unit, but the minutes land on a euro account.
    transfer_id = await raw_transfer(
        session, "mixed", [(accounts["volunteer"], -30, MINUTES), (accounts["project"], 30, MINUTES)]
    )
    problems = await check_ledger(session)
    assert len(problems) == 1
    assert problems[0].startswith("Écriture n°") and f"(mouvement n°{transfer_id}) en MIN" in problems[0]
    assert f"compte n°{accounts['project'].id} tenu en EUR" in problems[0]


async def test_a_balance_below_its_floor_is_reported(session: AsyncSession) -> None:
    accounts = await sound_ledger(session)
    await raw_transfer(session, "overdraw", [(accounts["pool"], -1_500, EUR), (accounts["project"], 1_500, EUR)])
    assert await check_ledger(session) == [
        f"Compte n°{accounts['pool'].id} (cagnotte de l'appel 1, EUR) au solde de -5,00 EUR : "
        "un compte cagnotte de l'appel ne peut pas être négatif."
    ]


async def test_a_reversal_that_is_not_the_opposite_is_reported(session: AsyncSession) -> None:
    accounts = await sound_ledger(session)
    fund_id = await session.scalar(text("SELECT id FROM ledger_transfer WHERE key = 'fund'"))
    transfer_id = await raw_transfer(session, "bad-undo", [(accounts["funder"], -1, EUR), (accounts["pool"], 1, EUR)])
    await session.execute(
        text("UPDATE ledger_transfer SET reverses_id = :fund WHERE id = :id"), {"fund": fund_id, "id": transfer_id}
    )
    await session.commit()
    assert await check_ledger(session) == [
        f"Mouvement n°{transfer_id} : ses écritures ne sont pas l'exact opposé de celles du mouvement "
        f"n°{fund_id} qu'il annule."
    ]


async def test_a_transfer_without_entries_is_reported(session: AsyncSession) -> None:
    await sound_ledger(session)
    transfer_id = await raw_transfer(session, "empty", [])
    assert await check_ledger(session) == [f"Mouvement n°{transfer_id} sans aucune écriture."]


async def test_run_check_exits_non_zero_and_explains_on_stderr(
    session: AsyncSession, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    accounts = await sound_ledger(session)
    assert await run_check(database_url) == 0
    assert capsys.readouterr().out == "Grand livre cohérent.\n"
    await raw_transfer(session, "lonely", [(accounts["pool"], 100, EUR)])
    assert await run_check(database_url) == 1
    err = capsys.readouterr().err
    assert "déséquilibré en EUR" in err
    assert "1 problème(s)" in err
