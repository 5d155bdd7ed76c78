"""Use cases of the ledger: open accounts, record and reverse transfers, read balances.

None of these commit: the ledger transfer belongs to the caller's use case (a pledge confirmed, a
settlement, an expense paid), so the state change and its money movement commit together or not at
all. They flush, so ids exist and later reads in the same transaction see the new entries.

Concurrency: ``record_transfer`` locks the accounts it touches (``SELECT ... FOR UPDATE`` on
PostgreSQL, in id order so two transfers cannot deadlock; SQLite transactions hold the write lock
from their start) before reading balances, so two concurrent transfers cannot both spend the same
balance. The idempotency key is looked up once the locks are held, so a concurrent recording of the
same operation waits and then returns the first one's transfer, as a replay would. The races the
locks do not cover (the same key on other accounts, two reversals of one transfer) end on a unique
constraint, caught inside a savepoint so the caller's transaction stays usable.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from commons.errors import Conflict, InvalidInput, NotFound
from commons.ledger.models import KEY_MAX_LENGTH, Entry, LedgerAccount, Transfer
from commons.ledger.rules import AccountKind, PlannedLeg, validate_legs, validate_unit

Leg = tuple[LedgerAccount, int]
"""A leg as callers write it: the account and the signed amount (positive credits the account)."""


async def find_account(session: AsyncSession, *, kind: AccountKind, owner_id: int, unit: str) -> LedgerAccount | None:
    """The account of this owner in this unit, if it was ever opened."""
    query = select(LedgerAccount).where(
        LedgerAccount.kind == kind, LedgerAccount.owner_id == owner_id, LedgerAccount.unit == unit
    )
    account: LedgerAccount | None = await session.scalar(query)
    return account


async def open_account(
    session: AsyncSession,
    *,
    kind: AccountKind,
    owner_id: int,
    unit: str,
    local_currencies: Collection[str] = (),
) -> LedgerAccount:
    """Get or create the account of an owner in a unit (one per kind, owner and unit).

    Parameters:
      kind: what the account stands for (sets its sign and floor, see ``commons.ledger.rules``).
      owner_id: the id of the challenge, organization, user or project the kind names.
      unit: ``EUR``, ``MIN`` or a configured local currency.
      local_currencies: the configured local currency codes.
    """
    validate_unit(unit, local_currencies)
    account = await find_account(session, kind=kind, owner_id=owner_id, unit=unit)
    if account is not None:
        return account
    account = LedgerAccount(kind=kind, owner_id=owner_id, unit=unit)
    try:
        async with session.begin_nested():
            session.add(account)
    except IntegrityError:
        # Another transaction opened it first: theirs is the account.
        existing = await find_account(session, kind=kind, owner_id=owner_id, unit=unit)
        if existing is None:
            raise
        return existing
    return account


async def record_transfer(session: AsyncSession, *, key: str, reason: str, legs: Sequence[Leg]) -> Transfer:
    """Record one business operation as a balanced transfer, or refuse it with nothing written.

    Idempotent on ``key``: recording the same key again returns the first transfer and writes nothing;
    the same key with different legs is a ``Conflict`` (two operations must not share a key). Refuses
    with ``InvalidInput`` what ``validate_legs`` refuses: fewer than two legs, a zero amount, an
    account named twice, legs not summing to zero per unit, an account left below its floor.

    Parameters:
      key: names the business operation, e.g. ``"pledge:42:confirmed"``; at most 200 characters.
      reason: why the value moves, for people reading the history.
      legs: ``(account, amount)`` pairs; each amount is in the account's unit, signed.
    """
    return await _record(session, key=key, reason=reason, legs=legs, reverses_id=None)


async def reverse_transfer(session: AsyncSession, *, transfer_id: int, key: str, reason: str) -> Transfer:
    """Cancel a transfer by recording its exact opposite; the history keeps both.

    A transfer is reversed at most once (``Conflict`` otherwise); the reversal is idempotent on its key
    and subject to the floors like any transfer (undoing a gift a project has already spent is
    refused). To redo a reversed operation, reverse the reversal.

    Parameters:
      transfer_id: the transfer to cancel.
      key: names the correction (idempotency key of the new transfer).
      reason: why it is cancelled.
    """
    original = await session.get(Transfer, transfer_id)
    if original is None:
        raise NotFound(f"Mouvement n°{transfer_id} introuvable dans le grand livre.")
    replay = await transfer_by_key(session, key)
    if replay is None:
        reversal_id = await session.scalar(select(Transfer.id).where(Transfer.reverses_id == transfer_id))
        if reversal_id is not None:
            raise Conflict(f"Le mouvement n°{transfer_id} a déjà été annulé par le mouvement n°{reversal_id}.")
    legs = [(entry.account, -entry.amount) for entry in original.entries]
    return await _record(session, key=key, reason=reason, legs=legs, reverses_id=transfer_id)


async def balance(session: AsyncSession, account: LedgerAccount) -> int:
    """An account's balance, the sum of its entries (see the sign convention in ``rules``)."""
    total = await session.scalar(select(func.coalesce(func.sum(Entry.amount), 0)).where(Entry.account_id == account.id))
    return int(total or 0)


async def balances(session: AsyncSession, accounts: Collection[LedgerAccount]) -> dict[int, int]:
    """The balance of each account, by account id (0 for an account without entries)."""
    return await _balances_by_id(session, {account.id for account in accounts})


async def owner_balances(session: AsyncSession, *, kind: AccountKind, owner_id: int) -> dict[str, int]:
    """The balances of one owner's accounts of a kind, by unit (e.g. a project's euros and minutes)."""
    query = (
        select(LedgerAccount.unit, func.coalesce(func.sum(Entry.amount), 0))
        .outerjoin(Entry, Entry.account_id == LedgerAccount.id)
        .where(LedgerAccount.kind == kind, LedgerAccount.owner_id == owner_id)
        .group_by(LedgerAccount.unit)
    )
    return {unit: int(total) for unit, total in await session.execute(query)}


async def _balances_by_id(session: AsyncSession, account_ids: Collection[int]) -> dict[int, int]:
    query = (
        select(Entry.account_id, func.sum(Entry.amount))
        .where(Entry.account_id.in_(account_ids))
        .group_by(Entry.account_id)
    )
    found = {account_id: int(total) for account_id, total in await session.execute(query)}
    return {account_id: found.get(account_id, 0) for account_id in account_ids}


async def transfer_by_key(session: AsyncSession, key: str) -> Transfer | None:
    transfer: Transfer | None = await session.scalar(select(Transfer).where(Transfer.key == key))
    return transfer


def _same_operation(transfer: Transfer, legs: Sequence[Leg], reverses_id: int | None) -> Transfer:
    """The stored transfer, if it is the operation being recorded again; a ``Conflict`` otherwise."""
    stored = sorted((entry.account_id, entry.amount) for entry in transfer.entries)
    asked = sorted((account.id, amount) for account, amount in legs)
    if stored != asked or transfer.reverses_id != reverses_id:
        raise Conflict(f"La clé « {transfer.key} » désigne déjà un autre mouvement (n°{transfer.id}) du grand livre.")
    return transfer


async def _record(
    session: AsyncSession, *, key: str, reason: str, legs: Sequence[Leg], reverses_id: int | None
) -> Transfer:
    if not key or len(key) > KEY_MAX_LENGTH:
        raise InvalidInput(f"La clé d'un mouvement doit compter de 1 à {KEY_MAX_LENGTH} caractères.")
    if not reason.strip():
        raise InvalidInput("Un mouvement du grand livre doit dire pourquoi la valeur bouge.")
    await session.flush()  # accounts opened in this transaction get their ids
    planned = [PlannedLeg(account.id, account.kind, account.unit, amount) for account, amount in legs]
    account_ids = sorted({leg.account_id for leg in planned})
    await session.execute(
        select(LedgerAccount.id).where(LedgerAccount.id.in_(account_ids)).order_by(LedgerAccount.id).with_for_update()
    )
    # Looked up after the locks: a concurrent recording of the same key has committed by now.
    existing = await transfer_by_key(session, key)
    if existing is not None:
        return _same_operation(existing, legs, reverses_id)
    validate_legs(planned, await _balances_by_id(session, account_ids))
    transfer = Transfer(
        key=key,
        reason=reason.strip(),
        reverses_id=reverses_id,
        entries=[Entry(account=account, amount=amount, unit=account.unit) for account, amount in legs],
    )
    try:
        async with session.begin_nested():
            session.add(transfer)
    except IntegrityError:
        # A concurrent transaction recorded the same key (or reversed the same transfer) first.
        winner = await transfer_by_key(session, key)
        if winner is not None:
            return _same_operation(winner, legs, reverses_id)
        if reverses_id is None:
            raise
        raise Conflict(f"Le mouvement n°{reverses_id} vient d'être annulé par une autre opération.") from None
    return transfer
