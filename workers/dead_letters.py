"""Messages no retry can help go to the dead-letter queue at once, where platform admins see and replay them.

Two kinds never get better by retrying: bytes that do not decode as a message (Dramatiq's Redis consumer
would raise on them again and again, never reaching the dead-letter queue), and a message whose
arguments do not fit the actor (every Commons actor takes one event id, a string). Both are dead-lettered
on first sight, with one log line and no traceback.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import dramatiq
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.errors import DecodeError
from dramatiq.middleware import Middleware

from commons.errors import InvalidInput, NotFound

logger = logging.getLogger(__name__)

# What an admin sees of an undecodable message: enough to recognise it, not a whole blob.
PREVIEW_BYTES = 200


class RefuseMalformedArguments(Middleware):
    """Fails (dead-letters) a message whose arguments are not the single event id string actors take."""

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        if len(message.args) == 1 and isinstance(message.args[0], str) and not message.kwargs:
            return
        logger.warning(
            "message %s for %s has malformed arguments %r %r: dead-lettered",
            message.message_id,
            message.actor_name,
            message.args,
            message.kwargs,
        )
        # A failed message skips the actor and is nacked: Dramatiq moves it to the dead-letter queue.
        message.fail()


class _DeadLetteringConsumer(_RedisConsumer):
    """Dramatiq's Redis consumer, but bytes that do not decode are dead-lettered instead of raising.

    The fetch script returns message bodies without their Redis ids, so the id of the undecodable body is
    found among the few messages this consumer holds unacknowledged.
    """

    def __next__(self) -> Any:
        try:
            return super().__next__()  # type: ignore[no-untyped-call]
        except DecodeError as error:
            self._dead_letter(error.data)
            return None

    def _dead_letter(self, data: bytes) -> None:
        client = self.broker.client
        held = sorted(client.smembers(f"{self.broker.namespace}:__acks__.{self.broker.broker_id}.{self.queue_name}"))
        bodies = client.hmget(f"{self.broker.namespace}:{self.queue_name}.msgs", held) if held else []
        for redis_message_id, body in zip(held, bodies, strict=True):
            if body == data:
                logger.warning("undecodable message %s on %s: dead-lettered", redis_message_id, self.queue_name)
                self.broker.do_nack(self.queue_name, redis_message_id.decode())
                return
        logger.error("undecodable message on %s not found among the held messages", self.queue_name)


class CommonsRedisBroker(RedisBroker):
    @property
    def consumer_class(self) -> type[_RedisConsumer]:
        return _DeadLetteringConsumer


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A dead-lettered message as an admin sees it: ``actor`` and ``args`` are None if it does not decode."""

    id: str
    dead_at: datetime
    actor: str | None
    args: list[Any] | None
    raw: str | None


class DeadLetters:
    """The dead-letter queue of one Dramatiq queue on Redis: list and replay.

    Parameters:
      broker: the Redis broker the workers consume.
      queue_name: the queue whose dead letters these are.
    """

    def __init__(self, broker: RedisBroker, queue_name: str) -> None:
        self.broker = broker
        self.queue_name = queue_name
        self._ids = f"{broker.namespace}:{queue_name}.XQ"
        self._bodies = f"{self._ids}.msgs"

    def list(self) -> list[DeadLetter]:
        client = self.broker.client
        entries = cast(list[tuple[bytes, float]], client.zrange(self._ids, 0, -1, withscores=True))
        bodies = cast(list[bytes | None], client.hmget(self._bodies, [i for i, _ in entries]) if entries else [])
        letters = []
        for (raw_id, score), body in zip(entries, bodies, strict=True):
            if body is None:
                continue
            dead_at = datetime.fromtimestamp(score / 1000, UTC)
            try:
                message = dramatiq.Message.decode(body)
            except DecodeError:
                preview = body[:PREVIEW_BYTES].decode("utf-8", errors="replace")
                letters.append(DeadLetter(raw_id.decode(), dead_at, None, None, preview))
            else:
                letters.append(DeadLetter(raw_id.decode(), dead_at, message.actor_name, list(message.args), None))
        return letters

    def replay(self, dead_letter_id: str) -> None:
        """Queue the message again with fresh retries, and take it off the dead-letter queue."""
        body = cast(bytes | None, self.broker.client.hget(self._bodies, dead_letter_id))
        if body is None:
            raise NotFound(f"Aucun message en attente d'examen sous l'identifiant {dead_letter_id}.")
        try:
            message = dramatiq.Message.decode(body)
        except DecodeError:
            raise InvalidInput(f"Le message {dead_letter_id} est illisible : le rejouer ne servirait à rien.") from None
        options = {k: v for k, v in message.options.items() if k not in ("retries", "eta", "traceback")}
        # Queued before it leaves the dead-letter queue: a crash in between gives a duplicate, which the
        # idempotent actors ignore, never a loss.
        self.broker.enqueue(dataclasses.replace(message, queue_name=self.queue_name, options=options))
        with self.broker.client.pipeline() as transaction:
            transaction.zrem(self._ids, dead_letter_id)
            transaction.hdel(self._bodies, dead_letter_id)
            transaction.execute()

    def replay_all(self) -> int:
        """Replay every decodable dead letter; return how many."""
        replayed = 0
        for letter in self.list():
            if letter.actor is not None:
                self.replay(letter.id)
                replayed += 1
        return replayed
