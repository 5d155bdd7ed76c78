"""Rendered public pages (a call, a project, a round's result) kept for anonymous readers.

Rendering the call page costs tens of milliseconds of CPU; readers far outnumber changes, so the
page is rendered once and served from the cache until a domain event changes it: the consumer
``purge_pages`` (and the services that change a page without an event of their own, such as the
computation of a result) purge its entries once their transaction has committed.

Only anonymous readers are served from the cache, and only responses rendered for one with an empty
session (no user, no flash message), no ``Set-Cookie`` and no CSRF token in the page are stored: a
page never carries one person's data to another. With Redis, the entries live there, so every web
process serves them and a worker process's purge reaches all; without Redis, Commons runs as one
process (``commons serve`` refuses more), whose memory is enough. Entries also expire after
``TTL_SECONDS``, which bounds how long a change that emits no event (a call's text edited by its
authority) takes to show to anonymous readers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, Protocol

import msgspec
import redis
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from commons.budgeting.models import Round
from commons.events.models import OutboxEvent
from commons.projects.models import Project
from commons.settings import Settings

logger = logging.getLogger(__name__)

TTL_SECONDS = 30
# The public pages whose rendering does not depend on who reads them, when nobody is signed in.
CACHED_PATHS = re.compile(r"/(challenges/\d+|projects/\d+|rounds/\d+/result)")


class CachedPage(msgspec.Struct, frozen=True):
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class PageCache(Protocol):
    def get(self, path: str) -> CachedPage | None: ...
    def put(self, path: str, page: CachedPage) -> None: ...
    def purge(self, paths: Iterable[str]) -> None: ...
    def close(self) -> None: ...


class MemoryPageCache:
    """This process's pages, the least recently stored dropped beyond ``size``."""

    def __init__(self, size: int = 2_000) -> None:
        self.size = size
        self._pages: OrderedDict[str, tuple[float, CachedPage]] = OrderedDict()

    def get(self, path: str) -> CachedPage | None:
        entry = self._pages.get(path)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, path: str, page: CachedPage) -> None:
        self._pages[path] = (time.monotonic() + TTL_SECONDS, page)
        self._pages.move_to_end(path)
        while len(self._pages) > self.size:
            self._pages.popitem(last=False)

    def purge(self, paths: Iterable[str]) -> None:
        for path in paths:
            self._pages.pop(path, None)

    def close(self) -> None:
        self._pages.clear()


class RedisPageCache:
    """Pages shared by every process of the platform. Redis unreachable: every read is a miss (the page
    is rendered), never an error."""

    PREFIX = "commons:page:"

    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(url, socket_timeout=1)
        self._encoder = msgspec.msgpack.Encoder()
        self._decoder = msgspec.msgpack.Decoder(CachedPage)

    def get(self, path: str) -> CachedPage | None:
        try:
            raw = self._client.get(self.PREFIX + path)
        except redis.RedisError:
            return None
        return self._decoder.decode(raw) if isinstance(raw, bytes) else None

    def put(self, path: str, page: CachedPage) -> None:
        with contextlib.suppress(redis.RedisError):
            self._client.set(self.PREFIX + path, self._encoder.encode(page), ex=TTL_SECONDS)

    def purge(self, paths: Iterable[str]) -> None:
        keys = [self.PREFIX + path for path in paths]
        if not keys:
            return
        try:
            self._client.delete(*keys)
        except redis.RedisError:
            # Left in place, the entries expire within TTL_SECONDS.
            logger.warning("page cache: could not purge %s", keys)

    def close(self) -> None:
        self._client.close()


_cache: PageCache = MemoryPageCache()


def current_page_cache() -> PageCache:
    """This process's page cache (in memory until ``install_page_cache`` chose one from the settings)."""
    return _cache


def install_page_cache(settings: Settings) -> PageCache:
    """Redis when configured (shared by the web and worker processes), else this process's memory."""
    global _cache
    _cache.close()
    _cache = RedisPageCache(settings.redis_url) if settings.redis_url else MemoryPageCache()
    return _cache


# --- Purging, once the change is committed -------------------------------------------------------------

_PENDING = "commons_purge_pages"


def purge_after_commit(session: AsyncSession, paths: Iterable[str]) -> None:
    """Purge these pages once the session's transaction commits (a purge before it could let a reader
    store the page as it still is); nothing if it rolls back."""
    session.sync_session.info.setdefault(_PENDING, set()).update(paths)


@sa_event.listens_for(Session, "after_commit")
def _purge_committed(session: Session) -> None:
    paths = session.info.pop(_PENDING, None)
    if paths:
        current_page_cache().purge(paths)


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, _previous_transaction: Any) -> None:
    session.info.pop(_PENDING, None)


def challenge_pages(challenge_id: int | None) -> set[str]:
    return set() if challenge_id is None else {f"/challenges/{challenge_id}"}


async def pages_changed_by(session: AsyncSession, event: OutboxEvent) -> set[str]:
    """The cached pages an event may change: its project's, its round's result, and their call's (which
    shows its projects' totals and its rounds)."""
    payload = event.payload
    paths = challenge_pages(payload.get("challenge_id"))
    if (project_id := payload.get("project_id")) is not None:
        paths.add(f"/projects/{project_id}")
        paths |= challenge_pages(await session.scalar(select(Project.challenge_id).where(Project.id == project_id)))
    if (round_id := payload.get("round_id")) is not None:
        paths.add(f"/rounds/{round_id}/result")
        paths |= challenge_pages(await session.scalar(select(Round.challenge_id).where(Round.id == round_id)))
    return paths


async def purge_pages(session: AsyncSession, event: OutboxEvent) -> None:
    """The page-cache consumer: purge what the event changed, once this consumer's transaction commits."""
    purge_after_commit(session, await pages_changed_by(session, event))


# --- Serving -------------------------------------------------------------------------------------------


class PageCacheMiddleware:
    """Serves anonymous GETs of the cached pages from the cache, and stores what may be shared.

    Placed inside the session middleware, so it sees the session the request came with and the one the
    page leaves (a flash message shown, a sign-in).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._cacheable_request(scope):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        cache = current_page_cache()
        page = await asyncio.to_thread(cache.get, path)
        if page is not None:
            await send({"type": "http.response.start", "status": page.status, "headers": page.headers})
            await send({"type": "http.response.body", "body": page.body, "more_body": False})
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        headers = [(bytes(name), bytes(value)) for name, value in start.get("headers", [])]
        if start.get("status") == 200:
            shared = self._shareable(scope, headers, body)
            if shared is not None:
                await asyncio.to_thread(cache.put, path, CachedPage(status=200, headers=shared, body=body))

    @staticmethod
    def _cacheable_request(scope: Scope) -> bool:
        if scope["type"] != ScopeType.HTTP or scope.get("method") != "GET" or scope.get("query_string"):
            return False
        if not CACHED_PATHS.fullmatch(scope["path"]) or scope.get("session"):
            return False
        # An htmx request gets a fragment, not the page.
        return not any(name == b"hx-request" for name, _ in scope["headers"])

    @staticmethod
    def _shareable(scope: Scope, headers: list[tuple[bytes, bytes]], body: bytes) -> list[tuple[bytes, bytes]] | None:
        """The headers to store with the page, or None if it must not be shared.

        The CSRF middleware gives a reader without the cookie their own token as a cookie: that cookie is
        left out (a reader served from the cache gets theirs at the next page with a form); the token
        itself must not be in the page. Any other cookie (a session) means the page is someone's.
        """
        if scope.get("session"):
            return None
        token = ScopeState.from_scope(scope).csrf_token
        if isinstance(token, str) and token and token.encode() in body:
            return None
        csrf = scope["litestar_app"].csrf_config
        csrf_cookie = f"{csrf.cookie_name}=".encode() if csrf is not None else None
        shared = []
        for name, value in headers:
            if name.lower() == b"set-cookie":
                if csrf_cookie is None or not value.startswith(csrf_cookie):
                    return None
                continue
            shared.append((name, value))
        return shared
