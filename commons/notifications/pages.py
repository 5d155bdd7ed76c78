"""HTML actions on notifications (they are listed in Mon espace)."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.notifications.services import mark_all_read
from commons.web.auth import require_user
from commons.web.templating import flash


@post("/me/notifications/read", name="notifications:read_all")
async def read_all(
    request: Request[Any, Any, State], db: NamedDependency[AsyncSession], user: NamedDependency[User | None]
) -> Redirect:
    await mark_all_read(db, require_user(user))
    flash(request, "Toutes vos notifications sont marquées comme lues.")
    return Redirect("/me#notifications", status_code=303)


PAGES = [read_all]
