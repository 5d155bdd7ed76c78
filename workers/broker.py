"""Building the broker: Redis when configured, else an in-process stub with its own worker."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware.asyncio import AsyncIO

from commons.settings import Settings
from workers.actors import declare_actors
from workers.database import DatabaseMiddleware


def build_broker(settings: Settings) -> dramatiq.Broker:
    """A broker with the Commons actors declared on it (no global broker, so tests can build several)."""
    broker: dramatiq.Broker
    if settings.redis_url:
        broker = RedisBroker(url=settings.redis_url, namespace="commons")  # type: ignore[no-untyped-call]
    else:
        broker = StubBroker()
    broker.add_middleware(AsyncIO())
    # Declared after AsyncIO, so its "after" hooks (run in reverse order) see the event loop running.
    broker.add_middleware(DatabaseMiddleware(settings.database_url, settings.database_timeouts))
    declare_actors(broker)
    return broker


def start_worker(broker: dramatiq.Broker, threads: int = 2) -> dramatiq.Worker:
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=200)
    worker.start()
    return worker
