"""JSON API of pledges."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.pledges import services
from commons.pledges.currencies import configured_currencies
from commons.pledges.schemas import PledgeIn, PledgeRead
from commons.throttle import Action
from commons.web.auth import require_user


class PledgesApi(Controller):
    path = "/api/v1"
    tags = ("pledges",)

    @post("/projects/{project_id:int}/pledges", name="api:pledges:create")
    async def make_pledge(
        self,
        state: State,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        project_id: FromPath[int],
        data: JSONBody[PledgeIn],
    ) -> PledgeRead:
        """Pledge money (in EUR or a configured local currency), time or a skill against a need.

        ``on_behalf_of_id`` pledges in the name of an organization the person administers (403 otherwise).
        """
        contributor = require_user(user)
        await state.throttle.spend(Action.PLEDGE, contributor.id)
        pledge = await services.make_pledge(
            db,
            actor=contributor,
            project_id=project_id,
            data=data,
            local_currencies=configured_currencies(state),
        )
        return services.pledge_read(pledge)

    @get("/projects/{project_id:int}/pledges", name="api:pledges:of-project")
    async def project_pledges(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], project_id: FromPath[int]
    ) -> list[PledgeRead]:
        pledges = await services.project_pledges(db, actor=require_user(user), project_id=project_id)
        return [services.pledge_read(p) for p in pledges]

    @get("/me/pledges", name="api:pledges:mine")
    async def my_pledges(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None]
    ) -> list[PledgeRead]:
        return [services.pledge_read(p) for p in await services.pledges_of(db, require_user(user))]

    @delete("/pledges/{pledge_id:int}", name="api:pledges:withdraw", status_code=200)
    async def withdraw(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], pledge_id: FromPath[int]
    ) -> PledgeRead:
        pledge = await services.withdraw_pledge(db, actor=require_user(user), pledge_id=pledge_id)
        return services.pledge_read(pledge)

    @post("/pledges/{pledge_id:int}/confirm", name="api:pledges:confirm", status_code=200)
    async def confirm(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], pledge_id: FromPath[int]
    ) -> PledgeRead:
        """A promise kept: money paid or received, hours done, skill given (recorded in the ledger)."""
        pledge = await services.confirm_pledge(db, actor=require_user(user), pledge_id=pledge_id)
        return services.pledge_read(pledge)
