"""Accounts at the edges."""

from __future__ import annotations

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


class Credentials(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password


class AccountRead(msgspec.Struct):
    id: int
    email: str
    name: str
    is_platform_admin: bool


class TokenRead(msgspec.Struct):
    token: str


class OrganizationCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    kind: OrganizationKind


class OrganizationRead(msgspec.Struct):
    id: int
    name: str
    kind: str


class OrganizationAdminCreate(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
