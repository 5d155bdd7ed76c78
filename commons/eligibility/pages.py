"""HTML actions of eligibility: a person claims their identifier or code; the call's admins import a
census or generate invitation codes, from the round page."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.eligibility import services
from commons.eligibility.routes import eligibility_key
from commons.errors import InvalidInput
from commons.web.auth import require_user
from commons.web.forms import Form, RawForm
from commons.web.templating import flash, render

PageRequest = Request[Any, Any, State]


@post("/rounds/{round_id:int}/eligibility", name="eligibility:claim")
async def claim(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    round_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Redirect:
    secret = Form(data).required("identifier", "Identifiant")
    await services.claim(
        db, actor=require_user(user), round_id=round_id, secret=secret, key=eligibility_key(request.app.state)
    )
    flash(request, "Vous êtes reconnu(e) pour ce co-budget : vous pouvez y participer.")
    return Redirect(f"/rounds/{round_id}#eligibilite", status_code=303)


@post("/rounds/{round_id:int}/census", name="eligibility:census")
async def import_census(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    round_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Redirect:
    lines = Form(data).text("identifiers").splitlines()
    done = await services.import_census(
        db, actor=require_user(user), round_id=round_id, identifiers=lines, key=eligibility_key(request.app.state)
    )
    flash(request, f"Liste importée : {done.added} identifiant(s) ajouté(s), {done.already} déjà présent(s).")
    return Redirect(f"/rounds/{round_id}#eligibilite", status_code=303)


@post("/rounds/{round_id:int}/codes", name="eligibility:codes")
async def generate_codes(
    request: PageRequest,
    db: NamedDependency[AsyncSession],
    user: NamedDependency[User | None],
    round_id: FromPath[int],
    data: URLEncodedBody[RawForm],
) -> Template:
    """The codes are shown in this answer and never again (only their HMACs are kept), so this form
    answers with the page itself rather than a redirect."""
    actor = require_user(user)
    count = Form(data).integer("count", "Nombre de codes")
    if count is None:
        raise InvalidInput("Indiquez combien de codes générer.")
    codes = await services.generate_codes(
        db, actor=actor, round_id=round_id, count=count, key=eligibility_key(request.app.state)
    )
    round_ = await services.get_round(db, round_id, viewer=actor)
    return await render("rounds/codes.html", db=db, user=actor, round=round_, codes=codes, status_code=201)


PAGES = [claim, import_census, generate_codes]
