"""Use cases of accounts: sign-up, sign-in, tokens, organizations and their admins."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import ApiToken, Organization, OrganizationAdmin, OrganizationKind, User
from commons.accounts.passwords import check_password
from commons.accounts.security import hash_password, new_token, token_digest, verify_password
from commons.accounts.sessions import revoke_sessions
from commons.accounts.signed import INVALID_LINK, sign, unsign
from commons.db import commit_or_conflict, utcnow
from commons.errors import Conflict, Forbidden, InvalidInput, NotFound
from commons.mail.messages import request_mail
from commons.settings import Settings
from commons.throttle import Throttle

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
VERIFICATION_LIFETIME = timedelta(hours=48)
RESET_LIFETIME = timedelta(hours=1)
TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365
ACCOUNT_EXISTS = "Un compte existe déjà avec cette adresse e-mail."


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise InvalidInput("Adresse e-mail invalide.")
    return email


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
    """A new account, or ``Conflict`` if the address has one. ``email_verified`` is for accounts an operator
    creates (CLI, demo), whose address the operator vouches for; people signing up themselves go through
    ``register``, which does not tell whether an address has an account."""
    email = normalize_email(email)
    name = _check_name(name)
    check_password(password, email=email, name=name)
    user = User(
        email=email,
        name=name,
        password_hash=await hash_password(password),
        is_platform_admin=is_platform_admin,
        email_verified_at=utcnow() if email_verified else None,
    )
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(ACCOUNT_EXISTS)
    session.add(user)
    await commit_or_conflict(session, ACCOUNT_EXISTS)
    return user


def _link(settings: Settings, path: str, token: str | None = None) -> str:
    return f"{settings.base_url}{path}" + (f"?token={token}" if token else "")


def _request_verification(session: AsyncSession, settings: Settings, user: User) -> None:
    token = sign(
        settings.signing_key("email-verification"),
        {"user": user.id, "email": user.email},
        expires_at=utcnow() + VERIFICATION_LIFETIME,
    )
    request_mail(
        session,
        to=user.email,
        template="verify_email",
        name=user.name,
        link=_link(settings, "/verify-email", token),
        hours=int(VERIFICATION_LIFETIME.total_seconds() // 3600),
    )


async def register(session: AsyncSession, settings: Settings, *, email: str, password: str, name: str) -> None:
    """Sign-up by the person themself: the same outcome whether the address has an account or not.

    A new address gets an account and a verification link; a known one gets a warning mail to its
    owner, and no account. The password is hashed either way, so the answer takes as long.
    """
    email = normalize_email(email)
    name = _check_name(name)
    check_password(password, email=email, name=name)
    password_hash = await hash_password(password)
    existing = await session.scalar(select(User).where(User.email == email))
    if existing is None:
        user = User(email=email, name=name, password_hash=password_hash)
        session.add(user)
        try:
            await session.flush()  # the link names the account's id
            _request_verification(session, settings, user)
            await session.commit()
            return
        except IntegrityError:
            # The same address signed up at the same instant: warn its owner, as below.
            await session.rollback()
            existing = await session.scalar(select(User).where(User.email == email))
            if existing is None:
                raise
    request_mail(
        session,
        to=existing.email,
        template="signup_existing",
        name=existing.name,
        login_link=_link(settings, "/login"),
        reset_link=_link(settings, "/password/forgot"),
    )
    await session.commit()


async def resend_verification(session: AsyncSession, settings: Settings, user: User) -> None:
    """Another verification link (the first one expired or was lost); nothing if already verified."""
    if user.email_verified:
        return
    _request_verification(session, settings, user)
    await session.commit()


async def verify_email(session: AsyncSession, settings: Settings, token: str) -> User:
    """Follow a verification link: the address it was sent to is now verified."""
    fields = unsign(settings.signing_key("email-verification"), token, now=utcnow())
    user = await session.get(User, fields.get("user"))
    # An address changed since the link was sent is not the one the link proves.
    if user is None or user.email != fields.get("email"):
        raise InvalidInput(INVALID_LINK)
    await mark_email_verified(session, user)
    return user


async def authenticate(session: AsyncSession, *, email: str, password: str, throttle: Throttle, address: str) -> User:
    """The account these credentials open, if the throttle lets ``address`` try; see ``commons.throttle``."""
    key = email.strip().lower()
    await throttle.check_login(key, address)
    user = await session.scalar(select(User).where(User.email == key))
    verification = await verify_password(user.password_hash if user else None, password)
    if user is None or not verification.matched:
        await throttle.login_failed(key, address)
        raise Forbidden("Adresse e-mail ou mot de passe incorrect.")
    await throttle.login_succeeded(key, address)
    if verification.new_hash is not None:
        # The hashing parameters were raised since this hash was made: store one made with the current ones.
        user.password_hash = verification.new_hash
        await session.commit()
    return user


async def change_password(
    session: AsyncSession, user: User, *, current: str, new: str, keep_session: str | None = None
) -> None:
    """A new password, given the current one; every other session of the user ends (``keep_session``:
    the browser making the change stays signed in)."""
    if not (await verify_password(user.password_hash, current)).matched:
        raise Forbidden("Le mot de passe actuel est incorrect.")
    check_password(new, email=user.email, name=user.name)
    user.password_hash = await hash_password(new)
    await revoke_sessions(session, user.id, keep=keep_session)
    await session.commit()


def _password_fingerprint(user: User) -> str:
    # In the reset link: once the password changed (by this link or otherwise), the link no longer matches.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


async def request_password_reset(session: AsyncSession, settings: Settings, *, email: str) -> None:
    """Mail a reset link if the address has an account; the caller answers the same way if it has not."""
    user = await session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        return
    token = sign(
        settings.signing_key("password-reset"),
        {"user": user.id, "password": _password_fingerprint(user)},
        expires_at=utcnow() + RESET_LIFETIME,
    )
    request_mail(
        session,
        to=user.email,
        template="password_reset",
        name=user.name,
        link=_link(settings, "/password/reset", token),
        hours=int(RESET_LIFETIME.total_seconds() // 3600),
    )
    await session.commit()


async def reset_password(session: AsyncSession, settings: Settings, *, token: str, password: str) -> User:
    """Set a new password through a reset link (once); every session of the user ends."""
    fields = unsign(settings.signing_key("password-reset"), token, now=utcnow())
    user = await session.get(User, fields.get("user"))
    if user is None or fields.get("password") != _password_fingerprint(user):
        raise InvalidInput(INVALID_LINK)
    check_password(password, email=user.email, name=user.name)
    user.password_hash = await hash_password(password)
    # Receiving the link proves the address, as the verification link would.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    await revoke_sessions(session, user.id)
    await session.commit()
    return user


async def issue_token(
    session: AsyncSession, user: User, *, label: str = "", days: int = TOKEN_DEFAULT_DAYS
) -> tuple[ApiToken, str]:
    """A new API token valid ``days`` days (at most a year); returns its record and its secret, shown once."""
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise InvalidInput(f"Durée de validité du jeton : de 1 à {TOKEN_MAX_DAYS} jours.")
    label = label.strip()
    if len(label) > 80:
        raise InvalidInput("Le nom du jeton fait 80 caractères au plus.")
    secret = new_token()
    now = utcnow()
    token = ApiToken(
        user_id=user.id, token_hash=token_digest(secret), label=label, created_at=now, expires_at=now + timedelta(days)
    )
    session.add(token)
    await session.commit()
    return token, secret


async def user_for_token(session: AsyncSession, token: str) -> User | None:
    """The owner of a token still valid (neither expired nor revoked)."""
    api_token = await session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    return api_token.user if api_token is not None and api_token.is_valid(utcnow()) else None


async def tokens_of(session: AsyncSession, user: User) -> list[ApiToken]:
    """The user's tokens, newest first (without their secret, which is not stored)."""
    rows = await session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(rows)


async def revoke_token(session: AsyncSession, user: User, token_id: int) -> None:
    token = await session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("Jeton introuvable.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        await session.commit()


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
