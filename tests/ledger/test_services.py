"""Recording, replaying and reversing transfers in the database, on both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.errors import Conflict, DomainError, InvalidInput, NotFound
from commons.ledger import services as ledger
from commons.ledger.models import Entry, LedgerAccount, Transfer
from commons.ledger.rules import EUR, MINUTES, AccountKind


async def account(session: AsyncSession, kind: AccountKind, owner_id: int = 1, unit: str = EUR) -> LedgerAccount:
    return await ledger.open_account(session, kind=kind, owner_id=owner_id, unit=unit, local_currencies={"EUSKO"})


async def counts(session: AsyncSession) -> tuple[int, int]:
    transfers = await session.scalar(select(func.count()).select_from(Transfer))
    entries = await session.scalar(select(func.count()).select_from(Entry))
    return int(transfers or 0), int(entries or 0)


async def test_open_account_returns_the_same_account_for_the_same_owner_and_unit(session: AsyncSession) -> None:
    first = await account(session, AccountKind.PROJECT, 7)
    await session.commit()
    assert (await account(session, AccountKind.PROJECT, 7)).id == first.id
    assert (await account(session, AccountKind.PROJECT, 7, MINUTES)).id != first.id
    assert (await account(session, AccountKind.PROJECT_SPENT, 7)).id != first.id
    with pytest.raises(InvalidInput, match="GONETTE"):
        await account(session, AccountKind.PROJECT, 7, "GONETTE")


async def test_a_balanced_transfer_moves_value_between_accounts(session: AsyncSession) -> None:
    funder, pool = await account(session, AccountKind.FUNDER), await account(session, AccountKind.CHALLENGE_POOL)
    transfer = await ledger.record_transfer(
        session, key="pool:1:funding:1", reason="Apport de la métropole", legs=[(funder, -500_000), (pool, 500_000)]
    )
    await session.commit()
    assert transfer.id is not None
    assert [(e.account_id, e.amount, e.unit) for e in transfer.entries] == [
        (funder.id, -500_000, EUR),
        (pool.id, 500_000, EUR),
    ]
    assert await ledger.balance(session, pool) == 500_000
    assert await ledger.balances(session, [funder, pool]) == {funder.id: -500_000, pool.id: 500_000}
    assert await ledger.owner_balances(session, kind=AccountKind.CHALLENGE_POOL, owner_id=1) == {EUR: 500_000}


async def test_money_and_time_and_local_currency_each_balance_on_their_own(session: AsyncSession) -> None:
    contributor_eur = await account(session, AccountKind.CONTRIBUTOR)
    contributor_eusko = await account(session, AccountKind.CONTRIBUTOR, unit="EUSKO")
    contributor_time = await account(session, AccountKind.CONTRIBUTOR, unit=MINUTES)
    project_eur = await account(session, AccountKind.PROJECT)
    project_eusko = await account(session, AccountKind.PROJECT, unit="EUSKO")
    project_time = await account(session, AccountKind.PROJECT, unit=MINUTES)
    await ledger.record_transfer(
        session,
        key="pledges:1",
        reason="Contributions confirmées",
        legs=[
            (contributor_eur, -2_000),
            (project_eur, 2_000),
            (contributor_eusko, -3_000),
            (project_eusko, 3_000),
            (contributor_time, -120),
            (project_time, 120),
        ],
    )
    # 1 Eusko is worth 1 euro, but the units stay apart: euros cannot pay for euskos.
    with pytest.raises(InvalidInput, match="déséquilibré"):
        await ledger.record_transfer(
            session, key="mixed", reason="Mélange", legs=[(contributor_eur, -1_000), (project_eusko, 1_000)]
        )
    await session.commit()
    assert await ledger.owner_balances(session, kind=AccountKind.PROJECT, owner_id=1) == {
        EUR: 2_000,
        "EUSKO": 3_000,
        MINUTES: 120,
    }


@pytest.mark.parametrize(
    "amounts",
    [[], [(0, -500), (1, 499)], [(0, -500)], [(0, 0), (1, 0)]],
    ids=["no-leg", "unbalanced", "one-leg", "zero"],
)
async def test_an_invalid_transfer_is_refused_and_writes_nothing(
    session: AsyncSession, amounts: list[tuple[int, int]]
) -> None:
    accounts = [await account(session, AccountKind.FUNDER), await account(session, AccountKind.CHALLENGE_POOL)]
    with pytest.raises(InvalidInput):
        await ledger.record_transfer(
            session, key="bad", reason="Essai", legs=[(accounts[i], amount) for i, amount in amounts]
        )
    await session.commit()
    assert await counts(session) == (0, 0)


async def test_recording_the_same_key_twice_has_one_effect(session: AsyncSession) -> None:
    funder, pool = await account(session, AccountKind.FUNDER), await account(session, AccountKind.CHALLENGE_POOL)
    legs = [(funder, -1_000), (pool, 1_000)]
    first = await ledger.record_transfer(session, key="pool:1:funding:9", reason="Apport", legs=legs)
    await session.commit()
    again = await ledger.record_transfer(session, key="pool:1:funding:9", reason="Apport", legs=legs)
    await session.commit()
    assert again.id == first.id
    assert await counts(session) == (1, 2)
    assert await ledger.balance(session, pool) == 1_000
    with pytest.raises(Conflict, match="pool:1:funding:9"):
        await ledger.record_transfer(
            session, key="pool:1:funding:9", reason="Apport", legs=[(funder, -2_000), (pool, 2_000)]
        )


async def test_floors_hold_for_every_kind(session: AsyncSession) -> None:
    contributor, project = await account(session, AccountKind.CONTRIBUTOR), await account(session, AccountKind.PROJECT)
    spent, pool = await account(session, AccountKind.PROJECT_SPENT), await account(session, AccountKind.CHALLENGE_POOL)
    await ledger.record_transfer(session, key="gift", reason="Don", legs=[(contributor, -10_000), (project, 10_000)])
    refused = [
        ("overspend", [(project, -10_001), (spent, 10_001)], "projet"),
        ("refund-too-much", [(project, -10_001), (contributor, 10_001)], "projet"),
        ("empty-pool", [(pool, -1), (project, 1)], "cagnotte de l'appel"),
        ("unspend", [(spent, -1), (project, 1)], "dépenses du projet"),
    ]
    for key, legs, kind in refused:
        with pytest.raises(InvalidInput, match=f"compte {kind} n°.* n'a pas assez"):
            await ledger.record_transfer(session, key=key, reason="Essai", legs=legs)
    await ledger.record_transfer(session, key="spend", reason="Facture", legs=[(project, -10_000), (spent, 10_000)])
    await session.commit()
    assert await ledger.balances(session, [contributor, project, spent, pool]) == {
        contributor.id: -10_000,
        project.id: 0,
        spent.id: 10_000,
        pool.id: 0,
    }


async def test_a_reversal_restores_the_balances_and_keeps_the_history(session: AsyncSession) -> None:
    funder, pool = await account(session, AccountKind.FUNDER), await account(session, AccountKind.CHALLENGE_POOL)
    project = await account(session, AccountKind.PROJECT)
    await ledger.record_transfer(session, key="fund", reason="Apport", legs=[(funder, -1_000), (pool, 1_000)])
    allocation = await ledger.record_transfer(
        session, key="allocate", reason="Allocation", legs=[(pool, -400), (project, 400)]
    )
    reversal = await ledger.reverse_transfer(
        session, transfer_id=allocation.id, key="allocate:undo", reason="Erreur de saisie"
    )
    await session.commit()
    assert reversal.reverses_id == allocation.id
    assert sorted((e.account_id, e.amount) for e in reversal.entries) == [(pool.id, 400), (project.id, -400)]
    assert await ledger.balances(session, [pool, project]) == {pool.id: 1_000, project.id: 0}
    assert await counts(session) == (3, 6)
    # Replaying the correction changes nothing; a second, different correction is refused.
    again = await ledger.reverse_transfer(session, transfer_id=allocation.id, key="allocate:undo", reason="Erreur")
    assert again.id == reversal.id
    with pytest.raises(Conflict, match="déjà été annulé"):
        await ledger.reverse_transfer(session, transfer_id=allocation.id, key="allocate:undo:2", reason="Erreur")
    # Redoing the operation is reversing the reversal.
    await ledger.reverse_transfer(session, transfer_id=reversal.id, key="allocate:redo", reason="Finalement oui")
    await session.commit()
    assert await ledger.balances(session, [pool, project]) == {pool.id: 600, project.id: 400}


async def test_a_reversal_cannot_take_back_what_was_already_spent(session: AsyncSession) -> None:
    contributor, project = await account(session, AccountKind.CONTRIBUTOR), await account(session, AccountKind.PROJECT)
    spent = await account(session, AccountKind.PROJECT_SPENT)
    gift = await ledger.record_transfer(session, key="gift", reason="Don", legs=[(contributor, -100), (project, 100)])
    await ledger.record_transfer(session, key="spend", reason="Facture", legs=[(project, -80), (spent, 80)])
    with pytest.raises(InvalidInput, match="projet"):
        await ledger.reverse_transfer(session, transfer_id=gift.id, key="gift:undo", reason="Retrait")
    with pytest.raises(NotFound):
        await ledger.reverse_transfer(session, transfer_id=gift.id + 100, key="nothing", reason="Rien")


async def test_entries_and_transfers_cannot_be_changed(session: AsyncSession) -> None:
    funder, pool = await account(session, AccountKind.FUNDER), await account(session, AccountKind.CHALLENGE_POOL)
    transfer = await ledger.record_transfer(session, key="fund", reason="Apport", legs=[(funder, -10), (pool, 10)])
    await session.commit()
    transfer.entries[0].amount = -20
    with pytest.raises(TypeError, match="immutable"):
        await session.flush()
    await session.rollback()
    await session.delete(transfer)
    with pytest.raises(TypeError, match="immutable"):
        await session.flush()
    await session.rollback()


async def _pool_with(sessionmaker: async_sessionmaker[AsyncSession], cents: int) -> tuple[LedgerAccount, ...]:
    async with sessionmaker() as session:
        funder, pool = await account(session, AccountKind.FUNDER), await account(session, AccountKind.CHALLENGE_POOL)
        project = await account(session, AccountKind.PROJECT)
        await ledger.record_transfer(session, key="fund", reason="Apport", legs=[(funder, -cents), (pool, cents)])
        await session.commit()
    return pool, project


Record = Callable[[AsyncSession, str], Awaitable[Transfer]]


async def _race(
    sessionmaker: async_sessionmaker[AsyncSession], record: Record, first_key: str, second_key: str
) -> tuple[int, int | DomainError]:
    """Two transactions record at the same time; the first commits while the second waits for its locks."""
    async with sessionmaker() as first, sessionmaker() as second:
        winner = await record(first, first_key)

        async def concurrent() -> int | DomainError:
            try:
                transfer = await record(second, second_key)
            except DomainError as error:
                await second.rollback()
                return error
            await second.commit()
            return transfer.id

        task = asyncio.create_task(concurrent())
        await asyncio.sleep(0.2)  # the second transaction now waits for the first's locks
        await first.commit()
        return winner.id, await task


def allocating(pool: LedgerAccount, project: LedgerAccount, cents: int) -> Record:
    async def record(session: AsyncSession, key: str) -> Transfer:
        return await ledger.record_transfer(
            session, key=key, reason="Allocation", legs=[(pool, -cents), (project, cents)]
        )

    return record


async def test_the_same_key_recorded_concurrently_has_one_effect(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    pool, project = await _pool_with(sessionmaker, 1_000)
    first, second = await _race(sessionmaker, allocating(pool, project, 600), "allocate", "allocate")
    assert second == first
    async with sessionmaker() as session:
        assert await counts(session) == (2, 4)
        assert await ledger.balances(session, [pool, project]) == {pool.id: 400, project.id: 600}
        await session.commit()


async def test_two_concurrent_transfers_cannot_spend_the_same_money(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    pool, project = await _pool_with(sessionmaker, 1_000)
    _, second = await _race(sessionmaker, allocating(pool, project, 600), "allocate:1", "allocate:2")
    assert isinstance(second, InvalidInput)
    async with sessionmaker() as session:
        assert await ledger.balances(session, [pool, project]) == {pool.id: 400, project.id: 600}
        await session.commit()


async def test_a_transfer_reversed_concurrently_twice_is_reversed_once(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    pool, project = await _pool_with(sessionmaker, 1_000)
    async with sessionmaker() as session:
        contributor = await account(session, AccountKind.CONTRIBUTOR)
        allocation = await ledger.record_transfer(
            session, key="allocate", reason="Allocation", legs=[(pool, -600), (project, 600)]
        )
        # The project has enough from elsewhere that a second reversal would keep every floor.
        legs = [(contributor, -600), (project, 600)]
        await ledger.record_transfer(session, key="gift", reason="Don", legs=legs)
        await session.commit()

    async def undo(session: AsyncSession, key: str) -> Transfer:
        return await ledger.reverse_transfer(session, transfer_id=allocation.id, key=key, reason="Erreur")

    _, second = await _race(sessionmaker, undo, "undo:1", "undo:2")
    assert isinstance(second, Conflict)
    async with sessionmaker() as session:
        assert await ledger.balances(session, [pool, project]) == {pool.id: 1_000, project.id: 600}
        await session.commit()
