"""JSON API of a project's own revenue: the services it sells, declared by its leads."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.resources import services
from commons.resources.models import RevenueLine
from commons.resources.schemas import RevenueLineCreate, RevenueLineRead
from commons.web.auth import require_user


def revenue_read(line: RevenueLine) -> RevenueLineRead:
    return RevenueLineRead(
        id=line.id,
        project_id=line.project_id,
        amount_cents=line.amount_cents,
        description=line.description,
        period=line.period,
        declared_by=line.declared_by.name,
        created_at=line.created_at,
    )


class RevenueApi(Controller):
    path = "/api/v1/projects/{project_id:int}/revenue"
    tags = ("resources",)

    @get("/", name="api:revenue:list")
    async def list_revenue(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], project_id: FromPath[int]
    ) -> list[RevenueLineRead]:
        """The project's declared revenue lines (own revenue in its funding mix)."""
        return [revenue_read(line) for line in await services.list_revenue(db, project_id=project_id, viewer=user)]

    @post("/", name="api:revenue:create")
    async def declare_revenue(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        project_id: FromPath[int],
        data: JSONBody[RevenueLineCreate],
    ) -> RevenueLineRead:
        """Declare a revenue line (the project's leads only)."""
        line = await services.declare_revenue(db, actor=require_user(user), project_id=project_id, data=data)
        return revenue_read(line)

    @delete("/{line_id:int}", name="api:revenue:delete", status_code=204)
    async def remove_revenue(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        project_id: FromPath[int],
        line_id: FromPath[int],
    ) -> None:
        await services.remove_revenue(db, actor=require_user(user), project_id=project_id, line_id=line_id)
