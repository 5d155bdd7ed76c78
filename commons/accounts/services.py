"""Use cases of accounts: sign-up, sign-in, tokens, organizations and their admins."""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import ApiToken, Organization, OrganizationAdmin, OrganizationKind, User
from commons.accounts.security import hash_password, new_token, token_digest, verify_password
from commons.db import commit_or_conflict, utcnow
from commons.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyAttempts

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise InvalidInput("Adresse e-mail invalide.")
    return email


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"Le mot de passe doit faire au moins {MIN_PASSWORD} caractères.")
    if len(password) > 200:
        raise InvalidInput("Le mot de passe est trop long (200 caractères au plus).")


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 120:
        raise InvalidInput("Le nom est obligatoire (120 caractères au plus).")
    return name


async def sign_up(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    name: str,
    is_platform_admin: bool = False,
    email_verified: bool = False,
) -> User:
    """A new account. ``email_verified`` is for accounts an operator creates (CLI, demo), whose
    address the operator vouches for; people signing up themselves verify it by mail."""
    email = normalize_email(email)
    _check_password(password)
    user = User(
        email=email,
        name=_check_name(name),
        password_hash=hash_password(password),
        is_platform_admin=is_platform_admin,
        email_verified_at=utcnow() if email_verified else None,
    )
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("Un compte existe déjà avec cette adresse e-mail.")
    session.add(user)
    await commit_or_conflict(session, "Un compte existe déjà avec cette adresse e-mail.")
    return user


class LoginThrottle:
    """Refuses sign-in attempts past ``limit`` failures per key within ``window`` seconds.

    In-process: each web process counts its own attempts, which bounds a brute force to
    ``limit`` tries per window and process.
    """

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}

    def check(self, key: str) -> None:
        failures = self._failures.get(key)
        if failures is None:
            return
        cutoff = time.monotonic() - self.window
        while failures and failures[0] < cutoff:
            failures.popleft()
        if len(failures) >= self.limit:
            raise TooManyAttempts("Trop de tentatives de connexion. Réessayez dans quelques minutes.")

    def failed(self, key: str) -> None:
        self._failures.setdefault(key, deque()).append(time.monotonic())

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)


async def authenticate(session: AsyncSession, *, email: str, password: str, throttle: LoginThrottle) -> User:
    key = email.strip().lower()
    throttle.check(key)
    user = await session.scalar(select(User).where(User.email == key))
    if not verify_password(user.password_hash if user else None, password) or user is None:
        throttle.failed(key)
        raise Forbidden("Adresse e-mail ou mot de passe incorrect.")
    throttle.succeeded(key)
    return user


async def issue_token(session: AsyncSession, user: User) -> str:
    token = new_token()
    session.add(ApiToken(user_id=user.id, token_hash=token_digest(token)))
    await session.commit()
    return token


async def user_for_token(session: AsyncSession, token: str) -> User | None:
    api_token = await session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    return api_token.user if api_token else None


async def mark_email_verified(session: AsyncSession, user: User) -> None:
    """Record that ``user`` proved they read mail at their address (kept if already proved)."""
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        await session.commit()


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def administered_organizations(session: AsyncSession, user: User) -> list[Organization]:
    rows = await session.scalars(
        select(Organization)
        .join(OrganizationAdmin, OrganizationAdmin.organization_id == Organization.id)
        .where(OrganizationAdmin.user_id == user.id)
        .order_by(Organization.name)
    )
    return list(rows)


async def administered_kinds(session: AsyncSession, user_ids: Collection[int]) -> dict[int, set[str]]:
    """The kinds of the organizations each of ``user_ids`` administers, in one query (empty: none)."""
    kinds: dict[int, set[str]] = {user_id: set() for user_id in user_ids}
    if kinds:
        rows = await session.execute(
            select(OrganizationAdmin.user_id, Organization.kind)
            .join(Organization, Organization.id == OrganizationAdmin.organization_id)
            .where(OrganizationAdmin.user_id.in_(kinds))
        )
        for user_id, kind in rows:
            kinds[user_id].add(kind.value)
    return kinds


async def is_organization_admin(session: AsyncSession, user: User, organization_id: int) -> bool:
    found = await session.scalar(
        select(OrganizationAdmin.id).where(
            OrganizationAdmin.user_id == user.id, OrganizationAdmin.organization_id == organization_id
        )
    )
    return found is not None


def _require_platform_admin(actor: User | None) -> None:
    # ``None`` is the command line, run by whoever operates the platform.
    if actor is not None and not actor.is_platform_admin:
        raise Forbidden("Réservé aux administrateurs de la plateforme.")


async def create_organization(
    session: AsyncSession, *, actor: User | None, name: str, kind: OrganizationKind
) -> Organization:
    _require_platform_admin(actor)
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("Le nom de l'organisation est obligatoire (200 caractères au plus).")
    organization = Organization(name=name, kind=kind)
    if await session.scalar(select(Organization.id).where(Organization.name == name)) is not None:
        raise Conflict(f"Une organisation s'appelle déjà « {name} ».")
    session.add(organization)
    await commit_or_conflict(session, f"Une organisation s'appelle déjà « {name} ».")
    return organization


async def add_organization_admin(
    session: AsyncSession, *, actor: User | None, organization_id: int, email: str
) -> OrganizationAdmin:
    _require_platform_admin(actor)
    email = normalize_email(email)
    if await session.get(Organization, organization_id) is None:
        raise NotFound("Organisation introuvable.")
    user = await session.scalar(select(User).where(User.email == email))
    if user is None:
        raise NotFound(f"Aucun compte avec l'adresse {email}.")
    admin = OrganizationAdmin(organization_id=organization_id, user_id=user.id)
    session.add(admin)
    await commit_or_conflict(session, "Ce compte administre déjà cette organisation.")
    return admin


async def list_organizations(session: AsyncSession) -> list[Organization]:
    return list(await session.scalars(select(Organization).order_by(Organization.name)))


async def ensure_user(session: AsyncSession, *, email: str, password: str, name: str) -> User:
    """The account with this email, created with this password if there is none yet (its address vouched
    for by the operator who names it)."""
    existing = await session.scalar(select(User).where(User.email == normalize_email(email)))
    if existing is not None:
        return existing
    return await sign_up(session, email=email, password=password, name=name, email_verified=True)
