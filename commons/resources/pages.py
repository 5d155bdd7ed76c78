"""HTML page of a project's own revenue: the lines its leads declared, and their form."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.errors import Conflict, InvalidInput
from commons.projects.services import get_project, is_lead
from commons.resources import services
from commons.resources.schemas import RevenueLineCreate
from commons.web.auth import require_user
from commons.web.forms import Form, RawForm, convert, undo
from commons.web.templating import flash, render

PageRequest = Request[Any, Any, State]

_LABELS = {"amount_cents": "Montant", "description": "Prestation", "period": "Période"}


async def _page(
    db: AsyncSession,
    user: User | None,
    project_id: int,
    *,
    form: dict[str, str] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    project = await get_project(db, project_id, viewer=user)
    return await render(
        "resources/revenue.html",
        db=db,
        user=user,
        project=project,
        lines=await services.list_revenue(db, project_id=project_id, viewer=user),
        is_lead=is_lead(project, user),
        form=form or {},
        error=error,
        status_code=status_code,
    )


@get("/projects/{project_id:int}/recettes", name="resources:revenue")
async def revenue_page(
    db: NamedDependency[AsyncSession], user: NamedDependency[User | None], project_id: FromPath[int]
) -> Template:
    """The project's own revenue, public; its leads declare and remove lines here."""
    return await _page(db, user, project_id)


@post("/projects/{project_id:int}/recettes", name="resources:declare_revenue")
async def declare_revenue(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    project_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Template | Redirect:
    actor = require_user(user)
    form = Form(data)
    try:
        fields = {
            "amount_cents": form.cents("amount", _LABELS["amount_cents"]),
            "description": form.required("description", _LABELS["description"]),
            "period": form.required("period", _LABELS["period"]),
        }
        line = convert(fields, RevenueLineCreate, _LABELS)
        await services.declare_revenue(db, actor=actor, project_id=project_id, data=line)
    except (InvalidInput, Conflict) as exc:
        await undo(db, actor)
        return await _page(db, actor, project_id, form=form.as_dict(), error=exc.message, status_code=exc.status_code)
    flash(request, "Recette déclarée : elle compte dans les ressources propres du projet.")
    return Redirect(f"/projects/{project_id}/recettes", status_code=303)


@post("/projects/{project_id:int}/recettes/{line_id:int}/delete", name="resources:remove_revenue")
async def remove_revenue(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    project_id: FromPath[int],
    line_id: FromPath[int],
) -> Redirect:
    await services.remove_revenue(db, actor=require_user(user), project_id=project_id, line_id=line_id)
    flash(request, "Recette retirée.")
    return Redirect(f"/projects/{project_id}/recettes", status_code=303)


PAGES = [revenue_page, declare_revenue, remove_revenue]
