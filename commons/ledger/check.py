"""Verify every invariant of a stored ledger (``commons ledger check``).

The services keep these invariants for everything written through them; this check is for what the
services cannot see: rows written by hand or by a faulty migration, a restored backup, a SQLite file
opened without foreign keys. It only reads, and reports each break as a French sentence, so an
operator can act on it. The invariants:

1. every transfer has entries, and its entries sum to zero in each unit;
2. every entry is in its account's unit;
3. no account's balance is below its kind's floor (see ``commons.ledger.rules``);
4. every reversal points to an existing, earlier transfer, and its entries are exactly the opposite
   of that transfer's.
"""

from __future__ import annotations

import sys
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from commons.db import create_engine, create_sessionmaker
from commons.ledger.models import Entry, LedgerAccount, Transfer
from commons.ledger.rules import breaks_floor, format_amount


async def check_ledger(session: AsyncSession) -> list[str]:
    """Every broken invariant of the ledger, one French sentence each; empty when the ledger is sound."""
    return [
        *await _unbalanced_transfers(session),
        *await _empty_transfers(session),
        *await _entries_in_wrong_unit(session),
        *await _balances_below_floor(session),
        *await _broken_reversals(session),
    ]


async def run_check(database_url: str) -> int:
    """Check the ledger of a database; print the problems on stderr. Exit code: 0 when sound, 1 otherwise."""
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            problems = await check_ledger(session)
    finally:
        await engine.dispose()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"Grand livre incohérent : {len(problems)} problème(s).", file=sys.stderr)
        return 1
    print("Grand livre cohérent.")
    return 0


async def _unbalanced_transfers(session: AsyncSession) -> list[str]:
    total = func.sum(Entry.amount)
    query = (
        select(Entry.transfer_id, Entry.unit, total)
        .group_by(Entry.transfer_id, Entry.unit)
        .having(total != 0)
        .order_by(Entry.transfer_id, Entry.unit)
    )
    return [
        f"Mouvement n°{transfer_id} déséquilibré en {unit} : ses écritures totalisent "
        f"{format_amount(int(amount), unit)} au lieu de zéro."
        for transfer_id, unit, amount in await session.execute(query)
    ]


async def _empty_transfers(session: AsyncSession) -> list[str]:
    query = (
        select(Transfer.id)
        .where(~select(Entry.id).where(Entry.transfer_id == Transfer.id).exists())
        .order_by(Transfer.id)
    )
    return [f"Mouvement n°{transfer_id} sans aucune écriture." for transfer_id in await session.scalars(query)]


async def _entries_in_wrong_unit(session: AsyncSession) -> list[str]:
    query = (
        select(Entry.id, Entry.transfer_id, Entry.unit, LedgerAccount.id, LedgerAccount.unit)
        .join(LedgerAccount, LedgerAccount.id == Entry.account_id)
        .where(Entry.unit != LedgerAccount.unit)
        .order_by(Entry.id)
    )
    return [
        f"Écriture n°{entry_id} (mouvement n°{transfer_id}) en {entry_unit} sur le compte n°{account_id} "
        f"tenu en {account_unit}."
        for entry_id, transfer_id, entry_unit, account_id, account_unit in await session.execute(query)
    ]


async def _balances_below_floor(session: AsyncSession) -> list[str]:
    query = (
        select(LedgerAccount.id, LedgerAccount.kind, LedgerAccount.owner_id, LedgerAccount.unit, func.sum(Entry.amount))
        .join(Entry, Entry.account_id == LedgerAccount.id)
        .group_by(LedgerAccount.id, LedgerAccount.kind, LedgerAccount.owner_id, LedgerAccount.unit)
        .order_by(LedgerAccount.id)
    )
    return [
        f"Compte n°{account_id} ({kind.label} {owner_id}, {unit}) au solde de {format_amount(int(total), unit)} : "
        f"un compte {kind.label} ne peut pas {'rendre plus que reçu' if kind.is_source else 'être négatif'}."
        for account_id, kind, owner_id, unit, total in await session.execute(query)
        if breaks_floor(kind, int(total))
    ]


async def _broken_reversals(session: AsyncSession) -> list[str]:
    original = aliased(Transfer)
    query = (
        select(Transfer.id, Transfer.reverses_id, original.id)
        .outerjoin(original, original.id == Transfer.reverses_id)
        .where(Transfer.reverses_id.is_not(None))
        .order_by(Transfer.id)
    )
    # The query keeps only reversals; the test narrows the type for the comparisons below.
    pairs = [
        (reversal, reverses, found)
        for reversal, reverses, found in await session.execute(query)
        if reverses is not None
    ]
    problems: list[str] = []
    for reversal_id, reverses_id, found_id in pairs:
        if found_id is None:
            problems.append(f"Mouvement n°{reversal_id} : il annule le mouvement n°{reverses_id}, introuvable.")
        elif reverses_id >= reversal_id:
            problems.append(
                f"Mouvement n°{reversal_id} : il annule le mouvement n°{reverses_id}, qui ne le précède pas."
            )
    legs: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
    involved = {transfer_id for reversal_id, reverses_id, _ in pairs for transfer_id in (reversal_id, reverses_id)}
    entries = select(Entry.transfer_id, Entry.account_id, Entry.amount).where(Entry.transfer_id.in_(involved))
    for transfer_id, account_id, amount in await session.execute(entries):
        legs[transfer_id].append((account_id, amount))
    for reversal_id, reverses_id, found_id in pairs:
        opposite = sorted((account_id, -amount) for account_id, amount in legs[reverses_id])
        if found_id is not None and sorted(legs[reversal_id]) != opposite:
            problems.append(
                f"Mouvement n°{reversal_id} : ses écritures ne sont pas l'exact opposé de celles du mouvement "
                f"n°{reverses_id} qu'il annule."
            )
    return problems
