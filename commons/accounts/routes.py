"""JSON API of accounts: sign-up, tokens, organizations (platform admins)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts import services, sessions
from commons.accounts.models import ApiToken, Organization, User
from commons.accounts.schemas import (
    AccountCreate,
    AccountRead,
    EmailVerification,
    OrganizationAdminCreate,
    OrganizationCreate,
    OrganizationRead,
    PasswordChange,
    PasswordReset,
    PasswordResetRequest,
    SessionRead,
    SignUpAccepted,
    TokenCreate,
    TokenInfo,
    TokenRead,
)
from commons.settings import Settings
from commons.throttle import Action, Throttle
from commons.web.auth import client_address, require_user

ApiRequest = Request[Any, Any, Any]

SIGN_UP_ACCEPTED = (
    "Demande enregistrée : consultez votre boîte mail pour confirmer votre adresse "
    "(si elle a déjà un compte, le message vous le dira)."
)
RESET_REQUESTED = "Si un compte existe avec cette adresse, un lien pour choisir un nouveau mot de passe y a été envoyé."


def account_read(user: User) -> AccountRead:
    return AccountRead(
        id=user.id,
        email=user.email,
        name=user.name,
        is_platform_admin=user.is_platform_admin,
        email_verified=user.email_verified,
    )


def organization_read(organization: Organization) -> OrganizationRead:
    return OrganizationRead(id=organization.id, name=organization.name, kind=organization.kind.value)


def token_info(token: ApiToken) -> TokenInfo:
    return TokenInfo(
        id=token.id,
        label=token.label,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked=token.revoked_at is not None,
    )


def _settings(request: ApiRequest) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _throttle(request: ApiRequest) -> Throttle:
    throttle: Throttle = request.app.state.throttle
    return throttle


class AccountsApi(Controller):
    path = "/api/v1"
    tags = ("accounts",)

    @post("/accounts", name="api:accounts:create", status_code=HTTP_202_ACCEPTED)
    async def create_account(
        self, request: ApiRequest, db: NamedDependency[AsyncSession], data: JSONBody[AccountCreate]
    ) -> SignUpAccepted:
        await _throttle(request).spend(Action.SIGN_UP, client_address(request))
        await services.register(db, _settings(request), email=data.email, password=data.password, name=data.name)
        return SignUpAccepted(message=SIGN_UP_ACCEPTED)

    @post("/accounts/verification", name="api:accounts:verify", status_code=HTTP_204_NO_CONTENT)
    async def verify(
        self, request: ApiRequest, db: NamedDependency[AsyncSession], data: JSONBody[EmailVerification]
    ) -> None:
        await services.verify_email(db, _settings(request), data.token)

    @post("/me/verification-mail", name="api:me:resend-verification", status_code=HTTP_202_ACCEPTED)
    async def resend_verification(
        self, request: ApiRequest, db: NamedDependency[AsyncSession], user: NamedDependency[User | None]
    ) -> SignUpAccepted:
        me = require_user(user)
        await _throttle(request).spend(Action.MAIL, me.id)
        await services.resend_verification(db, _settings(request), me)
        return SignUpAccepted(message="Si votre adresse n'est pas encore confirmée, un nouveau lien vous est envoyé.")

    @post("/me/password", name="api:me:password", status_code=HTTP_204_NO_CONTENT)
    async def change_password(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], data: JSONBody[PasswordChange]
    ) -> None:
        await services.change_password(db, require_user(user), current=data.current_password, new=data.new_password)

    @post("/password-reset", name="api:password-reset:request", status_code=HTTP_202_ACCEPTED)
    async def request_password_reset(
        self, request: ApiRequest, db: NamedDependency[AsyncSession], data: JSONBody[PasswordResetRequest]
    ) -> SignUpAccepted:
        await _throttle(request).spend(Action.MAIL, client_address(request))
        await services.request_password_reset(db, _settings(request), email=data.email)
        return SignUpAccepted(message=RESET_REQUESTED)

    @post("/password-reset/confirm", name="api:password-reset:confirm", status_code=HTTP_204_NO_CONTENT)
    async def reset_password(
        self, request: ApiRequest, db: NamedDependency[AsyncSession], data: JSONBody[PasswordReset]
    ) -> None:
        await services.reset_password(db, _settings(request), token=data.token, password=data.password)

    @post("/tokens", name="api:tokens:create")
    async def create_token(
        self, request: ApiRequest, db: NamedDependency[AsyncSession], data: JSONBody[TokenCreate]
    ) -> TokenRead:
        user = await services.authenticate(
            db, email=data.email, password=data.password, throttle=_throttle(request), address=client_address(request)
        )
        await _throttle(request).spend(Action.TOKEN, user.id)
        token, secret = await services.issue_token(db, user, label=data.label, days=data.days)
        return TokenRead(token=secret, id=token.id, label=token.label, expires_at=token.expires_at)

    @get("/tokens", name="api:tokens:list")
    async def list_tokens(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None]
    ) -> list[TokenInfo]:
        return [token_info(t) for t in await services.tokens_of(db, require_user(user))]

    @delete("/tokens/{token_id:int}", name="api:tokens:revoke")
    async def revoke_token(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], token_id: FromPath[int]
    ) -> None:
        await services.revoke_token(db, require_user(user), token_id)

    @get("/me", name="api:me")
    async def me(self, user: NamedDependency[User | None]) -> AccountRead:
        return account_read(require_user(user))

    @get("/admin/users/{user_id:int}/sessions", name="api:admin:sessions")
    async def user_sessions(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], user_id: FromPath[int]
    ) -> list[SessionRead]:
        found = await sessions.open_sessions_of(db, actor=require_user(user), user_id=user_id)
        return [SessionRead(id=s.id, created_at=s.created_at, expires_at=s.expires_at) for s in found]

    @delete("/admin/users/{user_id:int}/sessions", name="api:admin:end-sessions")
    async def end_user_sessions(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], user_id: FromPath[int]
    ) -> None:
        await sessions.end_sessions_of(db, actor=require_user(user), user_id=user_id)

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
