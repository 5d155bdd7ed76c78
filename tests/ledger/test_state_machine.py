"""Random transfers, replays and reversals against the real database, checked after every step.

A hypothesis ``RuleBasedStateMachine`` drives the ledger services on each database, keeping its own
model of the balances. After every step: the database balances equal the model's, each unit sums to
zero over all accounts, no balance breaks its kind's floor, and ``check_ledger`` finds nothing.

The oracle is written apart from ``commons.ledger.rules`` (source kinds spelled out here), so a bug in
the rules cannot hide itself: a transfer the oracle accepts must be recorded, one it refuses must be
refused with nothing written.

The machine runs in a thread and hands each database step back to the test's event loop (see
``tests.stateful``). The ledger tables are emptied between examples.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import delete, func, select

from commons.errors import Conflict, InvalidInput
from commons.ledger import services as ledger
from commons.ledger.check import check_ledger
from commons.ledger.models import Entry, LedgerAccount, Transfer
from commons.ledger.rules import EUR, MINUTES, AccountKind
from tests.stateful import Loop, SessionMaker, run_machine

SOURCES = {AccountKind.FUNDER, AccountKind.CONTRIBUTOR}
SPECS = [(kind, owner, unit) for unit in (EUR, MINUTES) for kind in AccountKind for owner in (1, 2)]
account_index = st.integers(0, len(SPECS) - 1)
amount = st.integers(1, 5_000)


def within_floor(kind: AccountKind, balance: int) -> bool:
    return balance <= 0 if kind in SOURCES else balance >= 0


@dataclass
class Recorded:
    key: str
    transfer_id: int
    legs: list[tuple[int, int]]  # (index in SPECS, amount)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self, loop: Loop, sessionmaker: SessionMaker, accounts: list[LedgerAccount]) -> None:
        super().__init__()
        self.run = loop.run
        self.sessionmaker = sessionmaker
        self.accounts = accounts  # one per SPECS line, opened once for all examples
        self.model = [0] * len(SPECS)
        self.recorded: list[Recorded] = []
        self.reversed: set[int] = set()  # transfer ids already reversed
        self.keys = 0

    def _key(self) -> str:
        self.keys += 1
        return f"step:{self.keys}"

    def _accepted(self, legs: list[tuple[int, int]]) -> bool:
        """The oracle: balanced per unit, no account twice, every floor kept."""
        totals: defaultdict[str, int] = defaultdict(int)
        for index, value in legs:
            totals[SPECS[index][2]] += value
        indexes = [index for index, _ in legs]
        return (
            len(legs) >= 2
            and len(set(indexes)) == len(indexes)
            and all(total == 0 for total in totals.values())
            and all(within_floor(SPECS[index][0], self.model[index] + value) for index, value in legs)
        )

    async def _record(self, key: str, legs: list[tuple[int, int]], reverses: int | None) -> int:
        async with self.sessionmaker() as session:
            if reverses is None:
                pairs = [(self.accounts[index], value) for index, value in legs]
                transfer = await ledger.record_transfer(session, key=key, reason="Hasard", legs=pairs)
            else:
                transfer = await ledger.reverse_transfer(session, transfer_id=reverses, key=key, reason="Annulation")
            await session.commit()
            return transfer.id

    def _attempt(self, legs: list[tuple[int, int]], reverses: int | None = None) -> None:
        expected = self._accepted(legs)
        key = self._key()
        try:
            transfer_id = self.run(self._record(key, legs, reverses))
        except InvalidInput:
            assert not expected, f"refused a valid transfer {legs}"
            return
        assert expected, f"recorded an invalid transfer {legs}"
        for index, value in legs:
            self.model[index] += value
        self.recorded.append(Recorded(key, transfer_id, legs))
        if reverses is not None:
            self.reversed.add(reverses)

    @rule(source=account_index, destination=account_index, value=amount)
    def move(self, source: int, destination: int, value: int) -> None:
        self._attempt([(source, -value), (destination, value)])

    @rule(source=account_index, first=account_index, second=account_index, a=amount, b=amount)
    def split(self, source: int, first: int, second: int, a: int, b: int) -> None:
        self._attempt([(source, -(a + b)), (first, a), (second, b)])

    @rule(source=account_index, destination=account_index, value=amount, error=st.integers(-3, 3).filter(bool))
    def unbalanced(self, source: int, destination: int, value: int, error: int) -> None:
        self._attempt([(source, -value), (destination, value + error)])

    @precondition(lambda self: bool(self.recorded))
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        original = data.draw(st.sampled_from(self.recorded))
        if original.transfer_id in self.reversed:
            try:
                self.run(self._record(self._key(), [], original.transfer_id))
            except Conflict:
                return
            raise AssertionError(f"transfer {original.transfer_id} reversed twice")
        self._attempt([(index, -value) for index, value in original.legs], reverses=original.transfer_id)

    @precondition(lambda self: bool(self.recorded))
    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        original = data.draw(st.sampled_from(self.recorded))
        assert self.run(self._replay(original)) == original.transfer_id

    async def _replay(self, original: Recorded) -> int:
        async with self.sessionmaker() as session:
            stored = await session.scalar(select(Transfer).where(Transfer.key == original.key))
            assert stored is not None
            if stored.reverses_id is None:
                pairs = [(self.accounts[index], value) for index, value in original.legs]
                transfer = await ledger.record_transfer(session, key=original.key, reason="Hasard", legs=pairs)
            else:
                transfer = await ledger.reverse_transfer(
                    session, transfer_id=stored.reverses_id, key=original.key, reason="Annulation"
                )
            await session.commit()
            return transfer.id

    @invariant()
    def ledger_is_sound(self) -> None:
        """Refused and replayed transfers wrote nothing; balances match; units sum to zero; floors hold."""
        database, problems, counts = self.run(self._read())
        assert counts == (len(self.recorded), sum(len(r.legs) for r in self.recorded))
        assert database == self.model
        for unit in (EUR, MINUTES):
            assert sum(b for (_, _, u), b in zip(SPECS, database, strict=True) if u == unit) == 0
        assert all(within_floor(kind, b) for (kind, _, _), b in zip(SPECS, database, strict=True))
        assert problems == []

    async def _read(self) -> tuple[list[int], list[str], tuple[int, int]]:
        async with self.sessionmaker() as session:
            found = await ledger.balances(session, self.accounts)
            problems = await check_ledger(session)
            transfers = await session.scalar(select(func.count()).select_from(Transfer))
            entries = await session.scalar(select(func.count()).select_from(Entry))
            await session.commit()
        return [found[account.id] for account in self.accounts], problems, (transfers or 0, entries or 0)

    def teardown(self) -> None:
        self.run(_empty_ledger(self.sessionmaker))


async def _empty_ledger(sessionmaker: SessionMaker) -> None:
    async with sessionmaker() as session:
        await session.execute(delete(Entry))
        await session.execute(delete(Transfer))
        await session.commit()


async def test_random_transfers_and_reversals_keep_the_ledger_sound(sessionmaker: SessionMaker) -> None:
    async with sessionmaker() as session:
        accounts = [
            await ledger.open_account(session, kind=kind, owner_id=owner, unit=unit) for kind, owner, unit in SPECS
        ]
        await session.commit()
    await run_machine(lambda loop: LedgerMachine(loop, sessionmaker, accounts), max_examples=25, stateful_step_count=20)
