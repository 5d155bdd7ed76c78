"""Who is asking: a bearer token on the JSON API, the session cookie on pages.

The API never reads the cookie and pages never read the token, so CSRF protection is
needed (and applied) on pages only.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.accounts.services import user_for_token
from commons.accounts.sessions import user_for_session
from commons.errors import NotAuthenticated

# Requests that change nothing (RFC 9110 safe methods our routes answer).
READ_METHODS = frozenset({"GET", "HEAD"})
# The route option marking a GET handler that writes (see ``provide_db``).
WRITES = "writes"


async def provide_db(request: Request[Any, Any, State], state: State) -> AsyncGenerator[AsyncSession, None]:
    """One session per request; whatever a failed use case left uncommitted is rolled back on close.

    GET and HEAD get a read-only session, so on SQLite they read alongside writers rather than after them;
    a GET that writes (a link followed from a mail) says so with ``opt={WRITES: True}`` and gets a writing
    session: a read-only one that writes fails on SQLite as soon as another connection wrote meanwhile.
    """
    runtime = state.runtime
    reads_only = request.method in READ_METHODS and not request.route_handler.opt.get(WRITES, False)
    sessionmaker = runtime.read_sessionmaker if reads_only else runtime.sessionmaker
    async with sessionmaker() as session:
        yield session


async def provide_api_user(
    request: Request[Any, Any, State], state: State, db: NamedDependency[AsyncSession]
) -> User | None:
    """The token's owner, looked up in a session of its own.

    When a dependency raises, Litestar does not clean up the dependencies already resolved
    for the request: reading the token through the request's session would leave that
    session's transaction (on SQLite, the write lock) open until garbage collection.
    """
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("En-tête Authorization invalide : attendu « Bearer JETON ».")
    async with state.runtime.sessionmaker() as session:
        user = await user_for_token(session, token.strip())
    if user is None:
        raise NotAuthenticated("Jeton inconnu ou révoqué.")
    # Into the request's session, without a query: the use cases see the same object as their rows.
    return await db.merge(user, load=False)


SESSION_KEY = "sid"


def session_id(request: Request[Any, Any, Any]) -> str | None:
    """The server-side session id the browser's cookie carries, if any."""
    value = request.session.get(SESSION_KEY) if request.scope.get("session") else None
    return value if isinstance(value, str) else None


async def provide_page_user(request: Request[Any, Any, State], db: NamedDependency[AsyncSession]) -> User | None:
    """The session's user while the session is open: one ended (sign-out, password change, an
    administrator) or expired signs the cookie's holder out, whoever they are."""
    sid = session_id(request)
    return await user_for_session(db, sid) if sid is not None else None


def client_address(request: Request[Any, Any, Any]) -> str:
    """The address rate limits count by."""
    return request.client.host if request.client is not None else "unknown"


def require_user(user: User | None) -> User:
    if user is None:
        raise NotAuthenticated("Connectez-vous pour faire cela.")
    return user
