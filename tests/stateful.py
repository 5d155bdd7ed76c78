"""Running hypothesis state machines against the suite's databases.

The fixtures are async and ``RuleBasedStateMachine`` is sync: ``run_machine`` runs the machine in a
thread, and the machine hands each database step back to the test's event loop (``Loop.run``, by
``run_coroutine_threadsafe``), so it uses the suite's engine and fixtures on both databases.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from commons.models import Base

T = TypeVar("T")
SessionMaker = async_sessionmaker[AsyncSession]


@dataclass(frozen=True, slots=True)
class Loop:
    """The test's event loop, seen from the machine's thread."""

    loop: asyncio.AbstractEventLoop

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the test's loop and wait for its result (its exception is raised here)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def in_session(self, sessionmaker: SessionMaker, step: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``step`` in a new session, closed afterwards (what it did not commit is rolled back)."""

        async def scoped() -> T:
            async with sessionmaker() as session:
                return await step(session)

        return self.run(scoped())


async def delete_all_rows(engine: AsyncEngine) -> None:
    """Empty every table, children first, between a machine's examples.

    ``DELETE`` rather than the suite's ``TRUNCATE``: on the few rows an example writes, it takes
    milliseconds on PostgreSQL where truncating every table takes most of a second, run once per example.
    """
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(delete(table))


async def run_machine(
    machine: Callable[[Loop], RuleBasedStateMachine], *, max_examples: int, stateful_step_count: int
) -> None:
    """Run the machine ``machine(loop)`` builds as a test, off the event loop, with no deadline per step."""
    loop = Loop(asyncio.get_running_loop())
    # Hypothesis calls its argument to get each example's machine: any factory will do, though its
    # annotation asks for the class.
    factory = cast(type[RuleBasedStateMachine], lambda: machine(loop))
    await asyncio.to_thread(
        run_state_machine_as_test,
        factory,
        settings=settings(
            max_examples=max_examples,
            stateful_step_count=stateful_step_count,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
