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
from commons.accounts.services import administered_organizations
from commons.errors import Conflict, Forbidden, InvalidInput
from commons.ledger.rules import EUR
from commons.pledges import services
from commons.pledges.currencies import configured_currencies
from commons.pledges.schemas import MoneyPledgeIn, PledgeIn, SkillPledgeIn, TimePledgeIn
from commons.projects.models import Need, ResourceKind
from commons.projects.pages import project_page, valuation_of
from commons.projects.services import get_project
from commons.throttle import Action
from commons.web.auth import require_user
from commons.web.forms import Form, RawForm, convert, undo
from commons.web.templating import flash, fragment, is_htmx

PageRequest = Request[Any, Any, State]

_LABELS = {
    "note": "Message",
    "amount_cents": "Montant",
    "currency": "Monnaie",
    "minutes": "Heures",
    "skill": "Compétence",
    "on_behalf_of_id": "Au nom de",
}


def _pledge(form: Form, need: Need) -> PledgeIn:
    """A pledge in the need's kind: an amount and its currency for money, hours for time, nothing to
    count for a skill; in the person's own name, or in an organization's chosen in « Au nom de »."""
    common = {
        "need_id": need.id,
        "note": form.text("note"),
        "public_name": form.text("public_name") == "1",
        "on_behalf_of_id": form.integer("on_behalf_of", "Au nom de"),
    }
    if need.kind == ResourceKind.MONEY:
        cents = form.cents("amount", "Montant")
        if not cents:
            raise InvalidInput("Indiquez un montant supérieur à zéro.")
        money = {"amount_cents": cents, "currency": form.text("currency") or EUR}
        return convert(common | money, MoneyPledgeIn, _LABELS)
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
    await request.app.state.throttle.spend(Action.PLEDGE, contributor.id)
    form = Form(data)
    project = await get_project(db, project_id, viewer=contributor)
    need_id = form.integer("need_id", "Besoin")
    need = next((n for n in project.needs if n.id == need_id), None)
    if need is None:
        raise InvalidInput("Choisissez un besoin de ce projet.")
    currencies = configured_currencies(request.app.state)
    try:
        pledge = await services.make_pledge(
            db, actor=contributor, project_id=project_id, data=_pledge(form, need), local_currencies=currencies
        )
    except (InvalidInput, Forbidden, Conflict) as exc:
        await undo(db, contributor, need)
        if is_htmx(request):
            return fragment(
                "projects/_pledge_form.html",
                need=need,
                is_open=True,
                error=exc.message,
                values=form.as_dict(),
                organizations=await administered_organizations(db, contributor),
                currencies=currencies,
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
            local_currencies=currencies,
        )
    given = "votre compétence" if pledge.kind == ResourceKind.SKILL else pledge.given
    in_name = f" au nom de {pledge.on_behalf_of.name}" if pledge.on_behalf_of else ""
    thanks = (
        f"Merci ! Votre promesse ({given}){in_name} pour « {need.label} » est enregistrée ; "
        "les totaux se mettent à jour dans un instant."
    )
    if is_htmx(request):
        return fragment(
            "projects/_pledge_form.html",
            need=need,
            is_open=True,
            success=thanks,
            values={},
            organizations=await administered_organizations(db, contributor),
            currencies=currencies,
        )
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
