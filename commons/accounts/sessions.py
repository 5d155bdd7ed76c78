"""Browser sessions kept on the server: opened at sign-in, ended at sign-out, on a password change,
by a platform administrator, or when they expire."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User, UserSession
from commons.accounts.security import new_token, token_digest
from commons.db import utcnow
from commons.errors import Forbidden

# As long as the cookie lives: a session is not renewed by use, so a copied cookie dies on time.
SESSION_LIFETIME = timedelta(days=14)


async def open_session(session: AsyncSession, user: User) -> str:
    """A new session for ``user``; returns its id, for the cookie (only its digest is stored)."""
    session_id = new_token()
    now = utcnow()
    session.add(
        UserSession(
            user_id=user.id, token_hash=token_digest(session_id), created_at=now, expires_at=now + SESSION_LIFETIME
        )
    )
    await session.commit()
    return session_id


async def user_for_session(session: AsyncSession, session_id: str) -> User | None:
    found = await session.scalar(select(UserSession).where(UserSession.token_hash == token_digest(session_id)))
    return found.user if found is not None and found.is_valid(utcnow()) else None


async def close_session(session: AsyncSession, session_id: str) -> None:
    await session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_digest(session_id), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    await session.commit()


async def revoke_sessions(session: AsyncSession, user_id: int, *, keep: str | None = None) -> None:
    """End every open session of the user but ``keep`` (the one making the request), without committing."""
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.token_hash != token_digest(keep))
    await session.execute(query.values(revoked_at=utcnow()))


def _require_platform_admin(actor: User) -> None:
    if not actor.is_platform_admin:
        raise Forbidden("Réservé aux administrateurs de la plateforme.")


async def open_sessions_of(session: AsyncSession, *, actor: User, user_id: int) -> list[UserSession]:
    """The sessions of a user still open, newest first (for a platform administrator)."""
    _require_platform_admin(actor)
    rows = await session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None), UserSession.expires_at > utcnow())
        .order_by(UserSession.created_at.desc(), UserSession.id.desc())
    )
    return list(rows)


async def end_sessions_of(session: AsyncSession, *, actor: User, user_id: int) -> None:
    """A platform administrator signs a user out everywhere (a stolen laptop, a compromised account)."""
    _require_platform_admin(actor)
    await revoke_sessions(session, user_id)
    await session.commit()
