"""HTML actions on pledges: pledge against a need (plain form or htmx), withdraw, confirm."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.errors import Conflict, InvalidInput
from commons.formatting import format_amount
from commons.pledges import services
from commons.pledges.schemas import MoneyPledgeIn, PledgeIn, SkillPledgeIn, TimePledgeIn
from commons.projects.models import Need, ResourceKind
from commons.projects.pages import project_page, valuation_of
from commons.projects.services import get_project
from commons.web.auth import require_user
from commons.web.forms import Form, RawForm, convert, undo
from commons.web.templating import flash, fragment, is_htmx

PageRequest = Request[Any, Any, State]

_LABELS = {"note": "Message", "amount_cents": "Montant", "minutes": "Heures", "skill": "Compétence"}


def _pledge(form: Form, need: Need) -> PledgeIn:
    """A pledge in the need's kind: euros for money, hours for time, nothing to count for a skill."""
    common = {"need_id": need.id, "note": form.text("note"), "public_name": form.text("public_name") == "1"}
    if need.kind == ResourceKind.MONEY:
        cents = form.cents("amount", "Montant")
        if not cents:
            raise InvalidInput("Indiquez un montant supérieur à zéro, en euros.")
        return convert(common | {"amount_cents": cents}, MoneyPledgeIn, _LABELS)
    if need.kind == ResourceKind.TIME:
        minutes = form.minutes("hours", "Heures")
        if not minutes:
            raise InvalidInput("Indiquez un nombre d'heures supérieur à zéro.")
        return convert(common | {"minutes": minutes}, TimePledgeIn, _LABELS)
    return convert(common, SkillPledgeIn, _LABELS)


@post("/projects/{project_id:int}/pledges", name="pledges:create")
async def make_pledge(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    project_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Template | Redirect:
    contributor = require_user(user)
    form = Form(data)
    project = await get_project(db, project_id, viewer=contributor)
    need_id = form.integer("need_id", "Besoin")
    need = next((n for n in project.needs if n.id == need_id), None)
    if need is None:
        raise InvalidInput("Choisissez un besoin de ce projet.")
    try:
        pledge = await services.make_pledge(db, actor=contributor, project_id=project_id, data=_pledge(form, need))
    except (InvalidInput, Conflict) as exc:
        await undo(db, contributor, need)
        if is_htmx(request):
            return fragment(
                "projects/_pledge_form.html",
                need=need,
                is_open=True,
                error=exc.message,
                values=form.as_dict(),
                status_code=exc.status_code,
            )
        project = await get_project(db, project_id, viewer=contributor)
        return await project_page(
            db,
            contributor,
            project,
            pledge_errors={need.id: exc.message},
            pledge_values={need.id: form.as_dict()},
            status_code=exc.status_code,
            valuation=valuation_of(request),
        )
    given = "votre compétence" if pledge.kind == ResourceKind.SKILL else format_amount(pledge.kind.value, pledge.amount)
    thanks = (
        f"Merci ! Votre promesse ({given}) pour « {need.label} » est enregistrée ; "
        "les totaux se mettent à jour dans un instant."
    )
    if is_htmx(request):
        return fragment("projects/_pledge_form.html", need=need, is_open=True, success=thanks, values={})
    flash(request, thanks)
    return Redirect(f"/projects/{project_id}#besoin-{need.id}", status_code=303)


@post("/pledges/{pledge_id:int}/withdraw", name="pledges:withdraw")
async def withdraw_pledge(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    pledge_id: FromPath[int],
) -> Redirect:
    await services.withdraw_pledge(db, actor=require_user(user), pledge_id=pledge_id)
    flash(request, "Contribution retirée.")
    return Redirect("/me", status_code=303)


@post("/pledges/{pledge_id:int}/confirm", name="pledges:confirm")
async def confirm_pledge(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    pledge_id: FromPath[int],
) -> Redirect:
    pledge = await services.confirm_pledge(db, actor=require_user(user), pledge_id=pledge_id)
    flash(request, "Contribution confirmée : elle est inscrite au grand livre du projet.")
    return Redirect(f"/projects/{pledge.project_id}#contributions", status_code=303)


PAGES = [make_pledge, withdraw_pledge, confirm_pledge]
