"""HTML pages of projects: launch one on a call, its page, its edit form, joining it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.accounts.services import administered_organizations
from commons.challenges.models import Challenge, ChallengeStatus
from commons.challenges.services import get_challenge
from commons.errors import Conflict, Forbidden, InvalidInput
from commons.expenses.services import project_expenses
from commons.pledges.currencies import LocalCurrency, configured_currencies
from commons.pledges.services import project_pledges, supporting_organizations
from commons.pledges.settlement import complete_project
from commons.projects import services
from commons.projects.funding import can_complete
from commons.projects.models import ParticipationForm, Project, ResourceOffer
from commons.projects.schemas import MembershipCreate, ProjectCreate, ProjectUpdate
from commons.resources.services import project_funding_mix
from commons.resources.transparency import project_transparency
from commons.resources.valuation import ValuationTable
from commons.web.auth import require_user
from commons.web.forms import Form, RawForm, convert, parse_cents, parse_minutes, undo
from commons.web.templating import flash, render

PageRequest = Request[Any, Any, State]

NEED_ROWS_NEW = 6  # need rows on the launch form
NEED_ROWS_EDIT = 3  # rows to add needs on the edit form
TEXT_FIELDS = (
    ("team", "Équipe", "Qui porte le projet, avec quelles compétences ?"),
    ("modes_of_action", "Modes d'action", "Comment comptez-vous répondre au défi ?"),
    ("partnerships", "Partenariats", "Avec quels acteurs du territoire ?"),
    ("governance", "Gouvernance de la solution", "Qui décide, comment ?"),
    ("commons_rules", "Règles du commun", "Licence, conditions de réutilisation…"),
    ("citizen_involvement", "Implication citoyenne", "Comment les habitants participent-ils ?"),
    ("community_animation", "Animation de la communauté", "Qui anime, à quel rythme ?"),
)
_LABELS = {
    "title": "Titre",
    "summary": "Résumé",
    "needs": "Besoins",
    "approvals_required": "Approbations par dépense",
} | {f: label for f, label, _ in TEXT_FIELDS}
_UPDATE_FIELDS = ("title", "summary", *(field for field, _, _ in TEXT_FIELDS))


def _needs(form: Form, rows: int) -> list[dict[str, Any]]:
    """The need rows of a form; rows left blank are ignored."""
    needs: list[dict[str, Any]] = []
    for i in range(rows):
        kind, label, low, high, skill = (
            form.text(f"need_{name}_{i}") for name in ("kind", "label", "min", "max", "skill")
        )
        if not (label or low or high or skill):
            continue
        if not label:
            raise InvalidInput(f"Besoin n°{i + 1} : donnez-lui un libellé.")
        minimum, maximum = f"« {label} » (minimum)", f"« {label} » (maximum)"
        if kind == "money":
            if not low:
                raise InvalidInput(f"Besoin « {label} » : indiquez le montant minimum en euros.")
            needs.append(
                {
                    "kind": "money",
                    "label": label,
                    "min_cents": parse_cents(low, minimum),
                    "max_cents": parse_cents(high, maximum) if high else None,
                }
            )
        elif kind == "time":
            if not low:
                raise InvalidInput(f"Besoin « {label} » : indiquez le nombre d'heures minimum.")
            needs.append(
                {
                    "kind": "time",
                    "label": label,
                    "skill": skill,
                    "min_minutes": parse_minutes(low, minimum),
                    "max_minutes": parse_minutes(high, maximum) if high else None,
                }
            )
        elif kind == "skill":
            if not skill:
                raise InvalidInput(f"Besoin « {label} » : précisez la compétence recherchée.")
            needs.append(
                {
                    "kind": "skill",
                    "label": label,
                    "skill": skill,
                    "min_people": form.integer(f"need_min_{i}", minimum) or 1,
                    "max_people": form.integer(f"need_max_{i}", maximum),
                }
            )
        else:
            raise InvalidInput(f"Besoin « {label} » : type de besoin inconnu.")
    return needs


def _project_fields(form: Form, need_rows: int) -> dict[str, Any]:
    return {
        "title": form.required("title", "Titre"),
        "summary": form.required("summary", "Résumé"),
        **{field: form.text(field) for field, _, _ in TEXT_FIELDS},
        "needs": _needs(form, need_rows),
        "stretch_goals": form.text("stretch_goals") == "1",
    }


def _update_fields(form: Form) -> dict[str, Any]:
    """The edit form's fields: the launch form's, and how many approvals an expense needs (kept if blank)."""
    fields = _project_fields(form, NEED_ROWS_EDIT)
    approvals = form.integer("approvals_required", "Approbations par dépense")
    return fields if approvals is None else fields | {"approvals_required": approvals}


async def _form_page(
    db: AsyncSession,
    user: User,
    *,
    challenge: Challenge | None,
    project: Project | None = None,
    form: dict[str, str] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    if form is None:
        form = {field: getattr(project, field) for field in _UPDATE_FIELDS} if project else {}
        form["stretch_goals"] = "1" if project and project.stretch_goals else ""
        form["approvals_required"] = str(project.approvals_required) if project else ""
    return await render(
        "projects/form.html",
        db=db,
        user=user,
        challenge=challenge,
        project=project,
        form=form,
        text_fields=TEXT_FIELDS,
        need_rows=NEED_ROWS_EDIT if project else NEED_ROWS_NEW,
        error=error,
        status_code=status_code,
    )


async def _open_challenge(db: AsyncSession, user: User, challenge_id: int) -> Challenge:
    challenge = await get_challenge(db, challenge_id, viewer=user)
    if challenge.status != ChallengeStatus.OPEN:
        raise Conflict("Cet appel n'est pas ouvert : on ne peut pas y lancer de projet.")
    return challenge


@get("/challenges/{challenge_id:int}/projects/new", name="projects:new")
async def new_project(
    db: NamedDependency[AsyncSession], user: NamedDependency[User | None], challenge_id: FromPath[int]
) -> Template:
    author = require_user(user)
    return await _form_page(db, author, challenge=await _open_challenge(db, author, challenge_id))


@post("/challenges/{challenge_id:int}/projects/new", name="projects:create")
async def create_project(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    challenge_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Template | Redirect:
    author = require_user(user)
    form = Form(data)
    try:
        create = convert(_project_fields(form, NEED_ROWS_NEW), ProjectCreate, _LABELS)
        project = await services.launch_project(db, actor=author, challenge_id=challenge_id, data=create)
    except InvalidInput as exc:
        await undo(db, author)
        challenge = await _open_challenge(db, author, challenge_id)
        return await _form_page(
            db,
            author,
            challenge=challenge,
            form=form.as_dict(),
            error=exc.message,
            status_code=exc.status_code,
        )
    flash(request, "Projet lancé ! Partagez sa page pour réunir contributions et équipe.")
    return Redirect(f"/projects/{project.id}", status_code=303)


async def project_page(
    db: AsyncSession,
    user: User | None,
    project: Project,
    *,
    valuation: ValuationTable,
    local_currencies: Sequence[LocalCurrency],
    pledge_errors: dict[int, str] | None = None,
    pledge_values: dict[int, dict[str, str]] | None = None,
    join_form: dict[str, Any] | None = None,
    join_error: str = "",
    status_code: int = 200,
) -> Template:
    """The project page, also shown again with a form's error (pledge, join).

    ``valuation`` is the settings' table valuing volunteer time, for the funding mix;
    ``local_currencies`` the settings' currencies money may be pledged in, besides the euro.
    """
    lead = services.is_lead(project, user)
    is_open = project.challenge is None or project.challenge.status == ChallengeStatus.OPEN
    return await render(
        "projects/detail.html",
        db=db,
        user=user,
        project=project,
        challenge=project.challenge,
        is_open=is_open,
        accepts_pledges=is_open and not project.funding_status.is_final,
        can_complete=lead and can_complete(project.funding_status),
        is_lead=lead,
        is_member=services.is_member(project, user),
        pledges=await project_pledges(db, actor=user, project_id=project.id) if lead and user else [],
        supporters=await supporting_organizations(db, project.id),
        organizations=await administered_organizations(db, user) if user else [],
        currencies=local_currencies,
        pledge_errors=pledge_errors or {},
        pledge_values=pledge_values or {},
        join_form=join_form or {"forms": [], "resources": []},
        join_error=join_error,
        funding_mix=await project_funding_mix(db, project.id, valuation=valuation),
        expenses=await project_expenses(db, project.id, viewer=user),
        status_code=status_code,
    )


def valuation_of(request: PageRequest) -> ValuationTable:
    """The configured table valuing volunteer time (``COMMONS_SMIC_HOURLY_CENTS``, ``COMMONS_SKILL_LEVELS``)."""
    valuation: ValuationTable = request.app.state.settings.valuation
    return valuation


@get("/projects/{project_id:int}", name="projects:detail")
async def project_detail(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    project_id: FromPath[int],
) -> Template:
    project = await services.get_project(db, project_id, viewer=user)
    return await project_page(
        db, user, project, valuation=valuation_of(request), local_currencies=configured_currencies(request.app.state)
    )


@get("/projects/{project_id:int}/transparence", name="projects:transparency")
async def project_transparency_page(
    db: NamedDependency[AsyncSession], user: NamedDependency[User | None], project_id: FromPath[int]
) -> Template:
    """Money in, allocated, spent and hours given, with the contributors who chose to be named."""
    figures = await project_transparency(db, project_id, viewer=user)
    return await render("resources/transparency.html", db=db, user=user, figures=figures)


async def _led_project(db: AsyncSession, user: User, project_id: int) -> Project:
    project = await services.get_project(db, project_id, viewer=user)
    if not services.is_lead(project, user):
        raise Forbidden("Seuls les porteurs du projet peuvent le modifier.")
    return project


@get("/projects/{project_id:int}/edit", name="projects:edit")
async def edit_project(
    db: NamedDependency[AsyncSession], user: NamedDependency[User | None], project_id: FromPath[int]
) -> Template:
    editor = require_user(user)
    project = await _led_project(db, editor, project_id)
    return await _form_page(db, editor, challenge=project.challenge, project=project)


@post("/projects/{project_id:int}/edit", name="projects:update")
async def update_project(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    project_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Template | Redirect:
    editor = require_user(user)
    form = Form(data)
    try:
        update = convert(_update_fields(form), ProjectUpdate, _LABELS)
        await services.update_project(db, actor=editor, project_id=project_id, data=update)
    except (InvalidInput, Conflict) as exc:
        await undo(db, editor)
        project = await _led_project(db, editor, project_id)
        return await _form_page(
            db,
            editor,
            challenge=project.challenge,
            project=project,
            form=form.as_dict(),
            error=exc.message,
            status_code=exc.status_code,
        )
    flash(request, "Projet mis à jour.")
    return Redirect(f"/projects/{project_id}", status_code=303)


@post("/projects/{project_id:int}/join", name="projects:join")
async def join_project(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    project_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Template | Redirect:
    member = require_user(user)
    form = Form(data)
    submitted = {
        "forms": form.values("forms"),
        "resources": form.values("resources"),
        "offers": form.text("offers"),
        "expects": form.text("expects"),
    }
    try:
        if not submitted["forms"]:
            raise InvalidInput("Choisissez au moins une forme de participation.")
        known = {f.value for f in ParticipationForm} | {r.value for r in ResourceOffer}
        if not set(submitted["forms"]) | set(submitted["resources"]) <= known:
            raise InvalidInput("Forme de participation ou ressource inconnue.")
        membership = convert(submitted, MembershipCreate, {"offers": "Apports", "expects": "Attendus"})
        await services.join_project(db, actor=member, project_id=project_id, data=membership)
    except (InvalidInput, Conflict) as exc:
        await undo(db, member)
        project = await services.get_project(db, project_id, viewer=member)
        return await project_page(
            db,
            member,
            project,
            join_form=submitted,
            join_error=exc.message,
            status_code=exc.status_code,
            valuation=valuation_of(request),
            local_currencies=configured_currencies(request.app.state),
        )
    flash(request, "Bienvenue dans l'équipe ! Les porteurs du projet sont prévenus.")
    return Redirect(f"/projects/{project_id}#equipe", status_code=303)


@post("/projects/{project_id:int}/complete", name="projects:complete")
async def complete_project_page(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    project_id: FromPath[int],
) -> Redirect:
    """The leads mark their project completed; a refusal (minimum not reached...) is the 409 error page."""
    await complete_project(db, actor=require_user(user), project_id=project_id)
    flash(request, "Projet marqué comme terminé : les contributeurs sont prévenus. Merci à toute l'équipe !")
    return Redirect(f"/projects/{project_id}", status_code=303)


PAGES = [
    new_project,
    create_project,
    project_detail,
    project_transparency_page,
    edit_project,
    update_project,
    join_project,
    complete_project_page,
]
