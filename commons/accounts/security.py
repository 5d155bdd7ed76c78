"""Password hashing (argon2id), off the event loop, and digests of random secrets."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


@dataclass(frozen=True, slots=True)
class Verification:
    """Whether the password matched, and the new hash to store when the parameters changed since."""

    matched: bool
    new_hash: str | None = None


def _verify(password_hash: str | None, password: str) -> Verification:
    try:
        matched = _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return Verification(matched=False)
    if matched and password_hash is not None and _hasher.check_needs_rehash(password_hash):
        return Verification(matched=True, new_hash=_hasher.hash(password))
    return Verification(matched=matched)


async def hash_password(password: str) -> str:
    """The argon2id hash, computed in a thread: it takes ~100 ms of CPU that other requests would wait for."""
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> Verification:
    """Check ``password`` in a thread (see ``hash_password``); ``None`` costs the same as a real hash."""
    return await asyncio.to_thread(_verify, password_hash, password)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Tokens are stored as SHA-256: they are long random strings, so no salt or slow hash is needed."""
    return hashlib.sha256(token.encode()).hexdigest()
