"""HTML pages of calls for commons: the list, the call page, the authority's forms."""

from __future__ import annotations

from collections import Counter
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.budgeting.pages import rounds_context
from commons.challenges import services
from commons.challenges.models import Challenge, ChallengeStatus
from commons.challenges.schemas import ChallengeCreate, ChallengeUpdate
from commons.errors import Conflict, Forbidden, InvalidInput
from commons.funders.pages import funders_context
from commons.projects.models import Project
from commons.projects.services import list_projects
from commons.resources.services import challenge_funding_mix
from commons.resources.transparency import challenge_transparency
from commons.web.auth import require_user
from commons.web.forms import PARIS, Form, RawForm, convert, euros_input, undo
from commons.web.templating import flash, render

PageRequest = Request[Any, Any, State]

MAX_INDICATORS = 5
_LABELS = {
    "title": "Titre",
    "problem": "Défi",
    "licence": "Licence",
    "cost_ceiling_cents": "Plafond de coût",
    "externalities": "Externalités",
    "commons_governance": "Gouvernance du commun",
    "themes": "Thèmes",
    "territory_id": "Territoire",
    "indicators": "Indicateurs",
    "pool_cents": "Enveloppe",
    "deadline": "Date limite",
    "organization_id": "Organisation",
}


def _challenge_fields(form: Form) -> dict[str, Any]:
    """The fields common to creating and editing a call, read from its form."""
    indicators: list[dict[str, str]] = []
    for i in range(MAX_INDICATORS):
        name, unit = form.text(f"indicator_name_{i}"), form.text(f"indicator_unit_{i}")
        if name:
            indicators.append({"name": name, "unit": unit})
        elif unit:
            raise InvalidInput(f"Indicateur n°{i + 1} : donnez-lui un nom (unité « {unit} »).")
    return {
        "title": form.required("title", "Titre"),
        "problem": form.required("problem", "Défi"),
        "licence": form.required("licence", "Licence"),
        "cost_ceiling_cents": form.cents("cost_ceiling", "Plafond de coût"),
        "externalities": form.text("externalities"),
        "commons_governance": form.text("commons_governance"),
        "themes": [t.strip() for t in form.text("themes").split(",") if t.strip()],
        "territory_id": form.integer("territory_id", "Territoire"),
        "indicators": indicators,
        "pool_cents": form.cents("pool", "Enveloppe"),
        "deadline": form.date("deadline", "Date limite"),
    }


def _form_values(challenge: Challenge) -> dict[str, str]:
    """A call as its edit form shows it."""
    values = {
        "title": challenge.title,
        "problem": challenge.problem,
        "licence": challenge.licence,
        "cost_ceiling": euros_input(challenge.cost_ceiling_cents),
        "externalities": challenge.externalities,
        "commons_governance": challenge.commons_governance,
        "themes": ", ".join(challenge.themes),
        "territory_id": str(challenge.territory_id or ""),
        "pool": euros_input(challenge.pool_cents),
        "deadline": challenge.deadline.astimezone(PARIS).date().isoformat() if challenge.deadline else "",
    }
    for i, indicator in enumerate(challenge.indicators[:MAX_INDICATORS]):
        values[f"indicator_name_{i}"] = indicator.name
        values[f"indicator_unit_{i}"] = indicator.unit
    return values


def _optional_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@get("/", name="home")
async def home(
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    q: FromQuery[str | None] = None,
    territory: FromQuery[str | None] = None,
    theme: FromQuery[str | None] = None,
) -> Template:
    filters: dict[str, Any] = {
        "territory_id": _optional_int(territory),
        "theme": theme or None,
        "text": q or None,
    }
    visible = await services.list_challenges(db, viewer=user)
    return await render(
        "challenges/home.html",
        db=db,
        user=user,
        open_challenges=await services.list_challenges(db, viewer=user, status=ChallengeStatus.OPEN, **filters),
        closed_challenges=await services.list_challenges(db, viewer=user, status=ChallengeStatus.CLOSED, **filters),
        drafts=[c for c in visible if c.status == ChallengeStatus.DRAFT],
        territories=await services.list_territories(db),
        themes=sorted({t for c in visible for t in c.themes}),
        search={"q": q or "", "territory": territory or "", "theme": theme or ""},
    )


async def _form_page(
    db: AsyncSession,
    user: User,
    *,
    challenge: Challenge | None = None,
    form: dict[str, str] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    return await render(
        "challenges/form.html",
        db=db,
        user=user,
        challenge=challenge,
        organizations=await services.list_funder_organizations(db, user) if challenge is None else [],
        territories=await services.list_territories(db),
        form=form if form is not None else (_form_values(challenge) if challenge else {"licence": "CC-BY-SA-4.0"}),
        max_indicators=MAX_INDICATORS,
        error=error,
        status_code=status_code,
    )


@get("/challenges/new", name="challenges:new")
async def new_challenge(db: NamedDependency[AsyncSession], user: NamedDependency[User | None]) -> Template:
    author = require_user(user)
    if not await services.list_funder_organizations(db, author):
        raise Forbidden("Seuls les administrateurs d'une collectivité ou d'une fondation publient un appel.")
    return await _form_page(db, author)


@post("/challenges/new", name="challenges:create")
async def create_challenge(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    data: URLEncodedBody[RawForm],
) -> Template | Redirect:
    author = require_user(user)
    form = Form(data)
    try:
        fields = _challenge_fields(form) | {"organization_id": form.integer("organization_id", "Organisation")}
        challenge = await services.create_challenge(db, actor=author, data=convert(fields, ChallengeCreate, _LABELS))
    except (InvalidInput, Conflict) as exc:
        await undo(db, author)
        return await _form_page(db, author, form=form.as_dict(), error=exc.message, status_code=exc.status_code)
    flash(request, "Brouillon enregistré. Relisez-le puis publiez-le quand il est prêt.")
    return Redirect(f"/challenges/{challenge.id}", status_code=303)


def _participation(project: Project) -> Counter[str]:
    return Counter(form for membership in project.memberships for form in membership.forms)


@get("/challenges/{challenge_id:int}", name="challenges:detail")
async def challenge_detail(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    challenge_id: FromPath[int],
) -> Template:
    challenge = await services.get_challenge(db, challenge_id, viewer=user)
    projects = await list_projects(db, challenge_id=challenge_id, viewer=user)
    return await render(
        "challenges/detail.html",
        db=db,
        user=user,
        challenge=challenge,
        projects=projects,
        participation={p.id: _participation(p) for p in projects},
        can_administer=await services.can_administer(db, user=user, challenge=challenge),
        following=await services.is_following(db, user=user, challenge_id=challenge_id),
        funding_mix=await challenge_funding_mix(db, challenge_id, valuation=request.app.state.settings.valuation),
        **await rounds_context(db, challenge_id=challenge_id, viewer=user),
        **await funders_context(db, challenge=challenge, viewer=user),
    )


@get("/challenges/{challenge_id:int}/transparence", name="challenges:transparency")
async def challenge_transparency_page(
    db: NamedDependency[AsyncSession], user: NamedDependency[User | None], challenge_id: FromPath[int]
) -> Template:
    """The call's money in, allocated, spent and hours given, over all its projects."""
    figures = await challenge_transparency(db, challenge_id, viewer=user)
    return await render("resources/transparency.html", db=db, user=user, figures=figures)


async def _administered(db: AsyncSession, user: User, challenge_id: int) -> Challenge:
    """A call the user may edit (its organization's admins only)."""
    challenge = await services.get_challenge(db, challenge_id, viewer=user)
    if not await services.can_administer(db, user=user, challenge=challenge):
        raise Forbidden("Seuls les administrateurs de l'organisation qui porte cet appel peuvent le modifier.")
    return challenge


@get("/challenges/{challenge_id:int}/edit", name="challenges:edit")
async def edit_challenge(
    db: NamedDependency[AsyncSession], user: NamedDependency[User | None], challenge_id: FromPath[int]
) -> Template:
    editor = require_user(user)
    return await _form_page(db, editor, challenge=await _administered(db, editor, challenge_id))


@post("/challenges/{challenge_id:int}/edit", name="challenges:update")
async def update_challenge(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    challenge_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Template | Redirect:
    editor = require_user(user)
    form = Form(data)
    try:
        update = convert(_challenge_fields(form), ChallengeUpdate, _LABELS)
        await services.update_challenge(db, actor=editor, challenge_id=challenge_id, data=update)
    except (InvalidInput, Conflict) as exc:
        await undo(db, editor)
        challenge = await _administered(db, editor, challenge_id)
        return await _form_page(
            db,
            editor,
            challenge=challenge,
            form=form.as_dict(),
            error=exc.message,
            status_code=exc.status_code,
        )
    flash(request, "Appel mis à jour.")
    return Redirect(f"/challenges/{challenge_id}", status_code=303)


@post("/challenges/{challenge_id:int}/publish", name="challenges:publish")
async def publish_challenge(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    challenge_id: FromPath[int],
) -> Redirect:
    await services.publish_challenge(db, actor=require_user(user), challenge_id=challenge_id)
    flash(request, "Appel publié : il est visible de toutes et tous.")
    return Redirect(f"/challenges/{challenge_id}", status_code=303)


@post("/challenges/{challenge_id:int}/close", name="challenges:close")
async def close_challenge(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    challenge_id: FromPath[int],
) -> Redirect:
    await services.close_challenge(db, actor=require_user(user), challenge_id=challenge_id)
    flash(request, "Appel clos. Tout reste consultable.")
    return Redirect(f"/challenges/{challenge_id}", status_code=303)


@post("/challenges/{challenge_id:int}/follow", name="challenges:follow")
async def follow_challenge(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    challenge_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Redirect:
    follow = Form(data).text("follow") != "0"
    await services.follow_challenge(db, actor=require_user(user), challenge_id=challenge_id, follow=follow)
    flash(request, "Vous suivez cet appel." if follow else "Vous ne suivez plus cet appel.")
    return Redirect(f"/challenges/{challenge_id}", status_code=303)


PAGES = [
    home,
    new_challenge,
    create_challenge,
    challenge_detail,
    challenge_transparency_page,
    edit_challenge,
    update_challenge,
    publish_challenge,
    close_challenge,
    follow_challenge,
]
