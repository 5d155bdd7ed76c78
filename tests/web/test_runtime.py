"""The runtime of a web process: stopping it releases everything it started."""

from __future__ import annotations

import gc
import weakref

from sqlalchemy.ext.asyncio import AsyncEngine

from commons.settings import Settings
from commons.web.runtime import Runtime


async def test_a_stopped_runtime_leaves_nothing_alive(settings: Settings, engine: AsyncEngine) -> None:
    """Its commit listener is removed: left in SQLAlchemy's class registry, it kept the runtime, its
    engine and its relay alive (one per test, millions of objects: seconds-long garbage collections)."""
    # `engine` is requested for its set-up: the migrated database of each kind, as the app fixture does.
    runtime = Runtime(settings)
    await runtime.start()
    its_engine = weakref.ref(runtime.engine)
    its_relay = weakref.ref(runtime.relay)
    await runtime.stop()
    del runtime
    gc.collect()
    assert its_engine() is None and its_relay() is None
