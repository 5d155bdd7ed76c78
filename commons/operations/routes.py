"""JSON API of the dead-letter queue, for platform admins: list the messages the workers gave up on, replay them."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath

from commons.accounts.models import User
from commons.errors import Conflict, Forbidden
from commons.web.auth import require_user
from workers.actors import QUEUE
from workers.dead_letters import CommonsRedisBroker, DeadLetters


class DeadLetterRead(msgspec.Struct):
    id: str
    dead_at: datetime
    # None when the message does not even decode; ``raw`` then shows its first bytes.
    actor: str | None
    args: list[Any] | None
    raw: str | None


class ReplayRead(msgspec.Struct):
    replayed: int


def _dead_letters(state: State, user: User | None) -> DeadLetters:
    if not require_user(user).is_platform_admin:
        raise Forbidden("Réservé aux administrateurs de la plateforme.")
    broker = state.runtime.broker
    if not isinstance(broker, CommonsRedisBroker):
        raise Conflict("Sans Redis, les tâches tournent en processus : il n'y a pas de file de messages en échec.")
    return DeadLetters(broker, QUEUE)


class OperationsApi(Controller):
    path = "/api/v1/admin/dead-letters"
    tags = ("operations",)

    @get("/", name="api:operations:dead-letters")
    async def list_dead_letters(self, state: State, user: NamedDependency[User | None]) -> list[DeadLetterRead]:
        """Messages the workers could not process (undecodable, malformed, or out of retries), oldest first."""
        letters = await asyncio.to_thread(_dead_letters(state, user).list)
        return [DeadLetterRead(d.id, d.dead_at, d.actor, d.args, d.raw) for d in letters]

    @post("/{dead_letter_id:str}/replay", name="api:operations:replay", status_code=200)
    async def replay(
        self, state: State, user: NamedDependency[User | None], dead_letter_id: FromPath[str]
    ) -> ReplayRead:
        """Queue one message again, with fresh retries (its actor ignores it if it was applied meanwhile)."""
        await asyncio.to_thread(_dead_letters(state, user).replay, dead_letter_id)
        return ReplayRead(replayed=1)

    @post("/replay", name="api:operations:replay-all", status_code=200)
    async def replay_all(self, state: State, user: NamedDependency[User | None]) -> ReplayRead:
        """Queue every readable message again."""
        return ReplayRead(replayed=await asyncio.to_thread(_dead_letters(state, user).replay_all))
