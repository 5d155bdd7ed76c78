"""JSON API of the audit log: a project's public journal."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.audit.schemas import AuditEntryRead, audit_entry_read
from commons.audit.services import project_journal


class AuditApi(Controller):
    path = "/api/v1"
    tags = ("audit",)

    @get("/projects/{project_id:int}/journal", name="api:audit:project-journal")
    async def journal(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], project_id: FromPath[int]
    ) -> list[AuditEntryRead]:
        """Open data: who did what in the project (expenses reported, approved, paid...), latest first."""
        return [audit_entry_read(entry) for entry in await project_journal(db, project_id, viewer=user)]
