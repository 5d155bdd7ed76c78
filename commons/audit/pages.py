"""The public journal page of a project: its audit log."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.audit.services import project_journal
from commons.projects.services import get_project
from commons.web.templating import render


@get("/projects/{project_id:int}/journal", name="audit:project-journal")
async def project_journal_page(
    db: NamedDependency[AsyncSession], user: NamedDependency[User | None], project_id: FromPath[int]
) -> Template:
    """Who did what in the project, when: every action on its expenses, latest first."""
    entries = await project_journal(db, project_id, viewer=user)
    project = await get_project(db, project_id, viewer=user)
    return await render("audit/journal.html", db=db, user=user, project=project, entries=entries)


PAGES = [project_journal_page]
