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
from commons.accounts.routes import RESET_REQUESTED, SIGN_UP_ACCEPTED
from commons.accounts.sessions import close_session, open_session
from commons.challenges.models import ChallengeStatus
from commons.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, TooManyAttempts
from commons.notifications.services import notifications_for
from commons.pledges.models import STANDING
from commons.pledges.services import pledges_of
from commons.projects.models import Project
from commons.projects.services import get_project, projects_of
from commons.settings import Settings
from commons.throttle import Action, Throttle
from commons.web.auth import SESSION_KEY, WRITES, client_address, require_user, session_id
from commons.web.forms import Form, RawForm, safe_next, undo
from commons.web.templating import flash, render

PageRequest = Request[Any, Any, State]


@get("/signup", name="accounts:signup")
async def signup_form(
    db: NamedDependency[AsyncSession], user: NamedDependency[User | None], next: FromQuery[str | None] = None
) -> Template:
    return await render("accounts/signup.html", db=db, user=user, form={"next": safe_next(next)})


def _settings(request: PageRequest) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _throttle(request: PageRequest) -> Throttle:
    throttle: Throttle = request.app.state.throttle
    return throttle


async def _form_again(
    template: str, db: AsyncSession, user: User | None, form: dict[str, str], exc: DomainError
) -> Template:
    """The form with what was typed (never a password) and the reason it was refused."""
    page = await render(template, db=db, user=user, form=form, error=exc.message, status_code=exc.status_code)
    if isinstance(exc, TooManyAttempts):
        page.headers["Retry-After"] = str(exc.retry_after)
    return page


@post("/signup", name="accounts:signup_post")
async def signup(request: PageRequest, db: NamedDependency[AsyncSession], data: URLEncodedBody[RawForm]) -> Template:
    form = Form(data)
    try:
        await _throttle(request).spend(Action.SIGN_UP, client_address(request))
        await services.register(
            db,
            _settings(request),
            email=form.required("email", "Adresse e-mail"),
            password=form.required("password", "Mot de passe"),
            name=form.required("name", "Nom"),
        )
    except (InvalidInput, TooManyAttempts) as exc:
        await undo(db)
        # The form comes back with its password emptied (bandit takes "" for a hard-coded password).
        values = form.as_dict() | {"password": ""}  # nosec B105
        return await _form_again("accounts/signup.html", db, None, values, exc)
    # The same page whether the address had an account or not: the mailbox tells its owner which.
    return await render("accounts/check_mailbox.html", db=db, user=None, message=SIGN_UP_ACCEPTED)


@get("/verify-email", name="accounts:verify_email", opt={WRITES: True})
async def verify_email(
    request: PageRequest, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], token: FromQuery[str]
) -> Redirect:
    verified = await services.verify_email(db, _settings(request), token)
    flash(request, f"Merci, {verified.name} : votre adresse e-mail est confirmée.")
    return Redirect("/me" if user is not None else "/login", status_code=303)


@post("/me/verification-mail", name="accounts:resend_verification")
async def resend_verification(
    request: PageRequest, db: NamedDependency[AsyncSession], user: NamedDependency[User | None]
) -> Redirect:
    me = require_user(user)
    await _throttle(request).spend(Action.MAIL, me.id)
    await services.resend_verification(db, _settings(request), me)
    flash(request, f"Un nouveau lien de confirmation est envoyé à {me.email}.")
    return Redirect("/me", status_code=303)


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
            throttle=_throttle(request),
            address=client_address(request),
        )
    except DomainError as exc:
        # Wrong credentials (403) or too many attempts (429): the form again, with the reason.
        values = form.as_dict() | {"password": "", "next": safe_next(form.text("next"))}  # nosec B105
        return await _form_again("accounts/login.html", db, None, values, exc)
    # A new session id at each sign-in: one planted in the browser beforehand is worth nothing.
    request.set_session({SESSION_KEY: await open_session(db, signed_in)})
    flash(request, f"Bonjour, {signed_in.name}.")
    return Redirect(safe_next(form.text("next")), status_code=303)


@post("/logout", name="accounts:logout")
async def logout(request: PageRequest, db: NamedDependency[AsyncSession]) -> Redirect:
    sid = session_id(request)
    if sid is not None:
        # Ended on the server: a copy of the cookie is worth nothing after sign-out.
        await close_session(db, sid)
    request.clear_session()
    return Redirect("/", status_code=303)


@get("/me/password", name="accounts:password")
async def password_form(db: NamedDependency[AsyncSession], user: NamedDependency[User | None]) -> Template:
    return await render("accounts/password_change.html", db=db, user=require_user(user), form={})


@post("/me/password", name="accounts:password_post")
async def change_password(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    data: URLEncodedBody[RawForm],
) -> Template | Redirect:
    me = require_user(user)
    form = Form(data)
    try:
        await services.change_password(
            db,
            me,
            current=form.required("current_password", "Mot de passe actuel"),
            new=form.required("new_password", "Nouveau mot de passe"),
            keep_session=session_id(request),
        )
    except (InvalidInput, Forbidden) as exc:
        await undo(db, me)
        return await _form_again("accounts/password_change.html", db, me, {}, exc)
    flash(request, "Mot de passe changé. Vos autres sessions sont fermées.")
    return Redirect("/me", status_code=303)


@get("/password/forgot", name="accounts:password_forgot")
async def password_forgot_form(db: NamedDependency[AsyncSession], user: NamedDependency[User | None]) -> Template:
    return await render("accounts/password_forgot.html", db=db, user=user, form={})


@post("/password/forgot", name="accounts:password_forgot_post")
async def password_forgot(
    request: PageRequest, db: NamedDependency[AsyncSession], data: URLEncodedBody[RawForm]
) -> Template:
    form = Form(data)
    try:
        await _throttle(request).spend(Action.MAIL, client_address(request))
        await services.request_password_reset(db, _settings(request), email=form.required("email", "Adresse e-mail"))
    except (InvalidInput, TooManyAttempts) as exc:
        return await _form_again("accounts/password_forgot.html", db, None, form.as_dict(), exc)
    return await render("accounts/check_mailbox.html", db=db, user=None, message=RESET_REQUESTED)


@get("/password/reset", name="accounts:password_reset")
async def password_reset_form(
    db: NamedDependency[AsyncSession], user: NamedDependency[User | None], token: FromQuery[str]
) -> Template:
    return await render("accounts/password_reset.html", db=db, user=user, form={"token": token})


@post("/password/reset", name="accounts:password_reset_post")
async def password_reset(
    request: PageRequest, db: NamedDependency[AsyncSession], data: URLEncodedBody[RawForm]
) -> Template | Redirect:
    form = Form(data)
    try:
        await services.reset_password(
            db,
            _settings(request),
            token=form.required("token", "Lien"),
            password=form.required("password", "Nouveau mot de passe"),
        )
    except InvalidInput as exc:
        await undo(db)
        return await _form_again("accounts/password_reset.html", db, None, {"token": form.text("token")}, exc)
    # Every session was ended on the server; this browser keeps only the message below.
    request.set_session({})
    flash(request, "Mot de passe changé : connectez-vous avec le nouveau.")
    return Redirect("/login", status_code=303)


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
    verify_email,
    resend_verification,
    login_form,
    login,
    logout,
    password_form,
    change_password,
    password_forgot_form,
    password_forgot,
    password_reset_form,
    password_reset,
    my_space,
    admin_page,
    create_organization,
    add_organization_admin,
]
