"""JSON API of accounts: sign-up, tokens, organizations (platform admins)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts import services
from commons.accounts.models import Organization, User
from commons.accounts.schemas import (
    AccountCreate,
    AccountRead,
    Credentials,
    OrganizationAdminCreate,
    OrganizationCreate,
    OrganizationRead,
    TokenRead,
)
from commons.web.auth import require_user


def account_read(user: User) -> AccountRead:
    return AccountRead(id=user.id, email=user.email, name=user.name, is_platform_admin=user.is_platform_admin)


def organization_read(organization: Organization) -> OrganizationRead:
    return OrganizationRead(id=organization.id, name=organization.name, kind=organization.kind.value)


class AccountsApi(Controller):
    path = "/api/v1"
    tags = ("accounts",)

    @post("/accounts", name="api:accounts:create")
    async def create_account(self, db: NamedDependency[AsyncSession], data: JSONBody[AccountCreate]) -> AccountRead:
        user = await services.sign_up(db, email=data.email, password=data.password, name=data.name)
        return account_read(user)

    @post("/tokens", name="api:tokens:create")
    async def create_token(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        data: JSONBody[Credentials],
    ) -> TokenRead:
        user = await services.authenticate(
            db, email=data.email, password=data.password, throttle=request.app.state.login_throttle
        )
        return TokenRead(token=await services.issue_token(db, user))

    @get("/me", name="api:me")
    async def me(self, user: NamedDependency[User | None]) -> AccountRead:
        return account_read(require_user(user))

    @get("/organizations", name="api:organizations:list")
    async def list_organizations(self, db: NamedDependency[AsyncSession]) -> list[OrganizationRead]:
        return [organization_read(o) for o in await services.list_organizations(db)]

    @post("/organizations", name="api:organizations:create")
    async def create_organization(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        data: JSONBody[OrganizationCreate],
    ) -> OrganizationRead:
        organization = await services.create_organization(db, actor=require_user(user), name=data.name, kind=data.kind)
        return organization_read(organization)

    @post("/organizations/{organization_id:int}/admins", name="api:organizations:add-admin")
    async def add_admin(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        organization_id: FromPath[int],
        data: JSONBody[OrganizationAdminCreate],
    ) -> dict[str, int]:
        admin = await services.add_organization_admin(
            db, actor=require_user(user), organization_id=organization_id, email=data.email
        )
        return {"organization_id": admin.organization_id, "user_id": admin.user_id}
