"""A TCP proxy between the application and PostgreSQL, to stop or freeze the database for one test
without touching the real server (other tests and other people use it).

It runs its own event loop in a thread: the test client may block the test's loop while the
application answers, and the proxy must keep forwarding meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class TcpProxy:
    """Forwards connections from a local port to ``upstream``, until told to refuse or to freeze.

    - ``refuse()``: like a stopped server, the port refuses new connections and open ones are cut.
    - ``freeze()``: like a server stopped with SIGSTOP, connections open but no byte goes through.
    - ``restore()``: forwarding again, on the same port.
    """

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server: asyncio.Server | None = None
        self._flowing = self._call(self._event())
        self._writers: set[asyncio.StreamWriter] = set()
        self._pumps: set[asyncio.Task[None]] = set()
        self._call(self._listen())

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    @staticmethod
    async def _event() -> asyncio.Event:
        flowing = asyncio.Event()
        flowing.set()
        return flowing

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_writer.close()
            return
        self._writers |= {client_writer, server_writer}
        for reader, writer in ((client_reader, server_writer), (server_reader, client_writer)):
            pump = asyncio.create_task(self._pump(reader, writer))
            self._pumps.add(pump)
            pump.add_done_callback(self._pumps.discard)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    def _cut(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _refuse(self) -> None:
        assert self._server is not None
        self._server.close()
        self._cut()
        await self._server.wait_closed()
        self._server = None

    async def _freeze(self) -> None:
        self._flowing.clear()

    async def _restore(self) -> None:
        if self._server is None:
            await self._listen()
        if not self._flowing.is_set():
            # Connections frozen meanwhile are broken from the application's point of view (it gave up
            # on them): cut them, as a restarted server would, rather than let stale bytes through.
            self._cut()
            self._flowing.set()

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        self._flowing.set()
        self._cut()
        for pump in list(self._pumps):
            pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._pumps, return_exceptions=True)

    def refuse(self) -> None:
        self._call(self._refuse())

    def freeze(self) -> None:
        self._call(self._freeze())

    def restore(self) -> None:
        self._call(self._restore())

    def close(self) -> None:
        self._call(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
