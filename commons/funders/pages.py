"""HTML pages of a call's funders: the call page's section, and the authority's forms."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import Organization, User
from commons.accounts.services import administered_organizations
from commons.challenges.models import Challenge
from commons.challenges.services import can_administer, get_challenge
from commons.errors import Conflict, Forbidden, InvalidInput, NotFound
from commons.funders import services
from commons.funders.models import Funder
from commons.funders.schemas import FunderCreate, FunderUpdate
from commons.web.auth import require_user
from commons.web.forms import Form, RawForm, convert, euros_input, undo
from commons.web.templating import flash, render

PageRequest = Request[Any, Any, State]

_LABELS = {
    "organization_id": "Organisation",
    "amount_cents": "Montant",
    "kinds": "Familles financées",
    "themes": "Thèmes financés",
    "max_share_percent": "Part maximale du budget d'un projet",
    "max_cents": "Montant maximal par projet",
}


async def funders_context(db: AsyncSession, *, challenge: Challenge, viewer: User | None) -> dict[str, Any]:
    """What the call page's funders section shows (``templates/funders/_funders.html``)."""
    return {
        "funders": await services.list_funders(db, challenge_id=challenge.id, viewer=viewer),
        "payout_lines": await services.payout_lines(db, challenge_id=challenge.id),
        "grants": await services.list_grants(db, challenge_id=challenge.id, viewer=viewer),
        "purpose_labels": services.PURPOSE_LABELS,
        # The funders whose money the viewer may mark received: those of the organizations they administer.
        "treasury_of": {o.id for o in await administered_organizations(db, viewer)} if viewer else set(),
    }


def _fields(form: Form) -> dict[str, Any]:
    """The rules and caps typed in the form (the amount and organization are read apart)."""
    return {
        "kinds": form.values("kinds"),
        "themes": [theme.strip() for theme in form.text("themes").split(",") if theme.strip()],
        "max_share_percent": form.integer("max_share_percent", _LABELS["max_share_percent"]),
        "max_cents": form.cents("max_amount", _LABELS["max_cents"]),
    }


def _form_values(funder: Funder) -> dict[str, Any]:
    return {
        "amount": euros_input(funder.amount_cents),
        "kinds": list(funder.kinds),
        "themes": ", ".join(funder.themes),
        "max_share_percent": str(funder.max_share_percent or ""),
        "max_amount": euros_input(funder.max_cents),
    }


async def _administered(db: AsyncSession, user: User, challenge_id: int) -> Challenge:
    challenge = await get_challenge(db, challenge_id, viewer=user)
    if not await can_administer(db, user=user, challenge=challenge):
        raise Forbidden("Seuls les administrateurs de l'organisation qui porte l'appel gèrent ses financeurs.")
    return challenge


async def _form_page(
    db: AsyncSession,
    user: User,
    challenge: Challenge,
    *,
    funder: Funder | None = None,
    form: dict[str, Any] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    organizations = [] if funder else list(await db.scalars(select(Organization).order_by(Organization.name)))
    values = form if form is not None else (_form_values(funder) if funder else {"kinds": []})
    return await render(
        "funders/form.html",
        db=db,
        user=user,
        challenge=challenge,
        funder=funder,
        organizations=organizations,
        form=values,
        error=error,
        status_code=status_code,
    )


@get("/challenges/{challenge_id:int}/funders/new", name="funders:new")
async def new_funder(
    db: NamedDependency[AsyncSession], user: NamedDependency[User | None], challenge_id: FromPath[int]
) -> Template:
    actor = require_user(user)
    return await _form_page(db, actor, await _administered(db, actor, challenge_id))


def _submitted(form: Form) -> dict[str, Any]:
    """What the form sent, to show it again after an error (checkboxes keep their list)."""
    return form.as_dict() | {"kinds": form.values("kinds")}


@post("/challenges/{challenge_id:int}/funders/new", name="funders:create")
async def create_funder(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    challenge_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Template | Redirect:
    actor = require_user(user)
    form = Form(data)
    try:
        fields = _fields(form) | {
            "organization_id": form.integer("organization_id", _LABELS["organization_id"]),
            "amount_cents": form.cents("amount", _LABELS["amount_cents"]),
        }
        await services.add_funder(
            db, actor=actor, challenge_id=challenge_id, data=convert(fields, FunderCreate, _LABELS)
        )
    except (InvalidInput, Conflict) as exc:
        await undo(db, actor)
        challenge = await _administered(db, actor, challenge_id)
        return await _form_page(
            db, actor, challenge, form=_submitted(form), error=exc.message, status_code=exc.status_code
        )
    flash(request, "Financeur ajouté. Marquez sa contribution reçue quand l'argent est sur le compte de l'appel.")
    return Redirect(f"/challenges/{challenge_id}#financeurs", status_code=303)


async def _funder(db: AsyncSession, challenge_id: int, funder_id: int) -> Funder:
    funder = await db.get(Funder, funder_id)
    if funder is None or funder.challenge_id != challenge_id:
        raise NotFound(f"Financeur {funder_id} introuvable dans cet appel.")
    return funder


@get("/challenges/{challenge_id:int}/funders/{funder_id:int}/edit", name="funders:edit")
async def edit_funder(
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    challenge_id: FromPath[int],
    funder_id: FromPath[int],
) -> Template:
    actor = require_user(user)
    challenge = await _administered(db, actor, challenge_id)
    return await _form_page(db, actor, challenge, funder=await _funder(db, challenge_id, funder_id))


@post("/challenges/{challenge_id:int}/funders/{funder_id:int}/edit", name="funders:update")
async def update_funder(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    challenge_id: FromPath[int],
    funder_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Template | Redirect:
    actor = require_user(user)
    form = Form(data)
    try:
        fields = _fields(form) | {"amount_cents": form.cents("amount", _LABELS["amount_cents"])}
        update = convert(fields, FunderUpdate, _LABELS)
        await services.update_funder(db, actor=actor, challenge_id=challenge_id, funder_id=funder_id, data=update)
    except (InvalidInput, Conflict) as exc:
        await undo(db, actor)
        challenge = await _administered(db, actor, challenge_id)
        funder = await _funder(db, challenge_id, funder_id)
        return await _form_page(
            db, actor, challenge, funder=funder, form=_submitted(form), error=exc.message, status_code=exc.status_code
        )
    flash(request, "Financeur mis à jour.")
    return Redirect(f"/challenges/{challenge_id}#financeurs", status_code=303)


@post("/challenges/{challenge_id:int}/funders/{funder_id:int}/received", name="funders:received")
async def mark_received(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    challenge_id: FromPath[int],
    funder_id: FromPath[int],
) -> Redirect:
    await services.mark_received(db, actor=require_user(user), challenge_id=challenge_id, funder_id=funder_id)
    flash(request, "Contribution reçue : elle est dans la cagnotte de l'appel.")
    return Redirect(f"/challenges/{challenge_id}#financeurs", status_code=303)


@post("/challenges/{challenge_id:int}/funders/{funder_id:int}/delete", name="funders:delete")
async def remove_funder(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    challenge_id: FromPath[int],
    funder_id: FromPath[int],
) -> Redirect:
    await services.remove_funder(db, actor=require_user(user), challenge_id=challenge_id, funder_id=funder_id)
    flash(request, "Financeur retiré.")
    return Redirect(f"/challenges/{challenge_id}#financeurs", status_code=303)


PAGES = [new_funder, create_funder, edit_funder, update_funder, mark_received, remove_funder]
