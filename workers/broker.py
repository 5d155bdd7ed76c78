"""Building the broker: Redis when configured, else an in-process stub with its own worker."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware.asyncio import AsyncIO

from commons.settings import Settings
from workers.actors import declare_actors
from workers.database import DatabaseMiddleware
from workers.dead_letters import CommonsRedisBroker, RefuseMalformedArguments

# Out of a million broker commands, how many also requeue the messages of workers gone silent. Idle
# workers poll every few tens of milliseconds, so this runs every second or so: a killed worker's
# messages come back soon after its heartbeat times out, not minutes later.
MAINTENANCE_CHANCE = 20_000

# How long, in milliseconds, an idle consumer waits between polls at most: it bounds the delay between an
# event's publication and its processing (Dramatiq's default, 1 s, or even our former 200 ms dominated it).
POLL_TIMEOUT_MS = 50


def build_broker(settings: Settings) -> dramatiq.Broker:
    """A broker with the Commons actors declared on it (no global broker, so tests can build several)."""
    broker: dramatiq.Broker
    if settings.redis_url:
        broker = CommonsRedisBroker(  # type: ignore[no-untyped-call]  # Dramatiq's Redis broker is untyped
            url=settings.redis_url,
            namespace="commons",
            heartbeat_timeout=int(settings.worker_heartbeat_timeout.total_seconds() * 1000),
            maintenance_chance=MAINTENANCE_CHANCE,
        )
    else:
        broker = StubBroker()
    broker.add_middleware(AsyncIO())
    broker.add_middleware(RefuseMalformedArguments())
    # Declared after AsyncIO, so its "after" hooks (run in reverse order) see the event loop running.
    broker.add_middleware(DatabaseMiddleware(settings.database_url, settings.database_timeouts))
    declare_actors(broker)
    return broker


def start_worker(broker: dramatiq.Broker, threads: int = 2) -> dramatiq.Worker:
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=POLL_TIMEOUT_MS)
    worker.start()
    return worker
