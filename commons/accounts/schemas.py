"""Accounts at the edges."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from commons.accounts.models import OrganizationKind

Email = Annotated[str, Meta(min_length=3, max_length=254)]
Password = Annotated[str, Meta(min_length=1, max_length=200)]


class AccountCreate(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password
    name: Annotated[str, Meta(min_length=1, max_length=120)]


class SignUpAccepted(msgspec.Struct):
    """The same answer whether the address already had an account or not."""

    message: str


class TokenCreate(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password
    label: Annotated[str, Meta(max_length=80)] = ""
    days: Annotated[int, Meta(ge=1, le=365)] = 90


class AccountRead(msgspec.Struct):
    id: int
    email: str
    name: str
    is_platform_admin: bool
    email_verified: bool


class TokenInfo(msgspec.Struct):
    """A token as listed: never its secret, which is not stored."""

    id: int
    label: str
    created_at: datetime
    expires_at: datetime
    revoked: bool


class TokenRead(msgspec.Struct):
    """A token as created: the secret is shown this once."""

    token: str
    id: int
    label: str
    expires_at: datetime


class EmailVerification(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, Meta(min_length=1, max_length=1000)]


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Password
    new_password: Password


class PasswordResetRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email


class PasswordReset(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, Meta(min_length=1, max_length=1000)]
    password: Password


class SessionRead(msgspec.Struct):
    id: int
    created_at: datetime
    expires_at: datetime


class OrganizationCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    kind: OrganizationKind


class OrganizationRead(msgspec.Struct):
    id: int
    name: str
    kind: str


class OrganizationAdminCreate(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
