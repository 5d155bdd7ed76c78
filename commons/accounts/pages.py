"""HTML pages of accounts: sign-up, sign-in, sign-out, Mon espace, platform administration."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts import services
from commons.accounts.models import OrganizationKind, User
from commons.challenges.models import ChallengeStatus
from commons.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from commons.notifications.services import notifications_for
from commons.pledges.models import STANDING
from commons.pledges.services import pledges_of
from commons.projects.models import Project
from commons.projects.services import get_project, projects_of
from commons.web.auth import require_user
from commons.web.forms import Form, RawForm, safe_next, undo
from commons.web.templating import flash, render

PageRequest = Request[Any, Any, State]


@get("/signup", name="accounts:signup")
async def signup_form(
    db: NamedDependency[AsyncSession], user: NamedDependency[User | None], next: FromQuery[str | None] = None
) -> Template:
    return await render("accounts/signup.html", db=db, user=user, form={"next": safe_next(next)})


@post("/signup", name="accounts:signup_post")
async def signup(
    request: PageRequest, db: NamedDependency[AsyncSession], data: URLEncodedBody[RawForm]
) -> Template | Redirect:
    form = Form(data)
    try:
        created = await services.sign_up(
            db,
            email=form.required("email", "Adresse e-mail"),
            password=form.required("password", "Mot de passe"),
            name=form.required("name", "Nom"),
        )
    except (InvalidInput, Conflict) as exc:
        await undo(db)
        # The form comes back with its password field emptied (bandit takes "" for a hard-coded password).
        values = form.as_dict() | {"password": ""}  # nosec B105
        return await render(
            "accounts/signup.html",
            db=db,
            user=None,
            form=values,
            error=exc.message,
            status_code=exc.status_code,
        )
    request.set_session({"user_id": created.id})
    flash(request, f"Bienvenue, {created.name} ! Votre compte est créé.")
    return Redirect(safe_next(form.text("next")), status_code=303)


@get("/login", name="accounts:login")
async def login_form(
    db: NamedDependency[AsyncSession], user: NamedDependency[User | None], next: FromQuery[str | None] = None
) -> Template:
    return await render("accounts/login.html", db=db, user=user, form={"next": safe_next(next)})


@post("/login", name="accounts:login_post")
async def login(
    request: PageRequest, db: NamedDependency[AsyncSession], data: URLEncodedBody[RawForm]
) -> Template | Redirect:
    form = Form(data)
    try:
        signed_in = await services.authenticate(
            db,
            email=form.required("email", "Adresse e-mail"),
            password=form.required("password", "Mot de passe"),
            throttle=request.app.state.login_throttle,
        )
    except DomainError as exc:
        # Wrong credentials (403) or too many attempts (429): the form again, with the reason.
        values = form.as_dict() | {"password": "", "next": safe_next(form.text("next"))}  # nosec B105
        return await render(
            "accounts/login.html",
            db=db,
            user=None,
            form=values,
            error=exc.message,
            status_code=exc.status_code,
        )
    request.set_session({"user_id": signed_in.id})
    flash(request, f"Bonjour, {signed_in.name}.")
    return Redirect(safe_next(form.text("next")), status_code=303)


@post("/logout", name="accounts:logout")
async def logout(request: PageRequest) -> Redirect:
    request.clear_session()
    return Redirect("/", status_code=303)


@get("/me", name="accounts:me")
async def my_space(db: NamedDependency[AsyncSession], user: NamedDependency[User | None]) -> Template:
    me = require_user(user)
    pledges = [p for p in await pledges_of(db, me) if p.status in STANDING]
    projects: dict[int, Project] = {}
    for project_id in {p.project_id for p in pledges}:
        try:
            projects[project_id] = await get_project(db, project_id, viewer=me)
        except NotFound:  # a project on a call that went back out of sight
            continue
    withdrawable = {
        project_id
        for project_id, project in projects.items()
        if project.challenge is None or project.challenge.status == ChallengeStatus.OPEN
    }
    return await render(
        "me/index.html",
        db=db,
        user=me,
        my_projects=await projects_of(db, me),
        pledges=[p for p in pledges if p.project_id in projects],
        pledge_projects=projects,
        withdrawable=withdrawable,
        notifications=await notifications_for(db, me),
    )


def _platform_admin(user: User | None) -> User:
    admin = require_user(user)
    if not admin.is_platform_admin:
        raise Forbidden("Réservé aux administrateurs de la plateforme.")
    return admin


async def _admin_page(
    db: AsyncSession,
    admin: User,
    *,
    error: str = "",
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return await render(
        "admin/index.html",
        db=db,
        user=admin,
        organizations=await services.list_organizations(db),
        kinds=list(OrganizationKind),
        error=error,
        form=form or {},
        status_code=status_code,
    )


@get("/admin", name="accounts:admin")
async def admin_page(db: NamedDependency[AsyncSession], user: NamedDependency[User | None]) -> Template:
    return await _admin_page(db, _platform_admin(user))


@post("/admin/organizations", name="accounts:create_organization")
async def create_organization(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    data: URLEncodedBody[RawForm],
) -> Template | Redirect:
    admin = _platform_admin(user)
    form = Form(data)
    try:
        kind = form.required("kind", "Type")
        if kind not in OrganizationKind.__members__.values():
            raise InvalidInput(f"Type d'organisation inconnu « {kind} ».")
        organization = await services.create_organization(
            db, actor=admin, name=form.required("name", "Nom"), kind=OrganizationKind(kind)
        )
    except (InvalidInput, Conflict) as exc:
        await undo(db, admin)
        return await _admin_page(db, admin, error=exc.message, form=form.as_dict(), status_code=exc.status_code)
    flash(request, f"Organisation « {organization.name} » créée.")
    return Redirect("/admin", status_code=303)


@post("/admin/organizations/{organization_id:int}/admins", name="accounts:add_organization_admin")
async def add_organization_admin(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    organization_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Template | Redirect:
    admin = _platform_admin(user)
    form = Form(data)
    try:
        email = form.required("email", "Adresse e-mail")
        await services.add_organization_admin(db, actor=admin, organization_id=organization_id, email=email)
    except (InvalidInput, Conflict, NotFound) as exc:
        await undo(db, admin)
        return await _admin_page(db, admin, error=exc.message, form=form.as_dict(), status_code=exc.status_code)
    flash(request, f"{email} administre désormais l'organisation.")
    return Redirect("/admin", status_code=303)


PAGES = [
    signup_form,
    signup,
    login_form,
    login,
    logout,
    my_space,
    admin_page,
    create_organization,
    add_organization_admin,
]
