"""JSON API of projects: launch, read with needs' progress, edit, join."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.pledges.settlement import cancel_project, complete_project
from commons.projects import services
from commons.projects.models import Project
from commons.projects.schemas import (
    MemberRead,
    MembershipCreate,
    ProjectCreate,
    ProjectRead,
    ProjectUpdate,
)
from commons.resources.schemas import TransparencyRead, transparency_read
from commons.resources.transparency import project_transparency
from commons.web.auth import require_user


def project_read(project: Project) -> ProjectRead:
    return ProjectRead(
        id=project.id,
        title=project.title,
        summary=project.summary,
        challenge_id=project.challenge_id,
        author={"id": project.author.id, "name": project.author.name},
        team=project.team,
        modes_of_action=project.modes_of_action,
        partnerships=project.partnerships,
        governance=project.governance,
        commons_rules=project.commons_rules,
        citizen_involvement=project.citizen_involvement,
        community_animation=project.community_animation,
        needs=[services.need_read(n) for n in project.needs],
        members=[
            MemberRead(
                user_id=m.user_id,
                name=m.user.name,
                role=m.role.value,
                forms=list(m.forms),
                resources=list(m.resources),
                offers=m.offers,
                expects=m.expects,
                joined_at=m.created_at,
            )
            for m in project.memberships
        ],
        pledged_cents=project.pledged_cents,
        pledged_minutes=project.pledged_minutes,
        contributor_count=project.contributor_count,
        created_at=project.created_at,
        funding_status=project.funding_status.value,
        funding_deadline=project.funding_deadline,
        settled_at=project.settled_at,
        stretch_goals=project.stretch_goals,
    )


class ProjectsApi(Controller):
    path = "/api/v1"
    tags = ("projects",)

    @get("/challenges/{challenge_id:int}/projects", name="api:challenges:projects")
    async def list_projects(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        challenge_id: FromPath[int],
    ) -> list[ProjectRead]:
        return [project_read(p) for p in await services.list_projects(db, challenge_id=challenge_id, viewer=user)]

    @post("/challenges/{challenge_id:int}/projects", name="api:challenges:launch")
    async def launch_project(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        challenge_id: FromPath[int],
        data: JSONBody[ProjectCreate],
    ) -> ProjectRead:
        project = await services.launch_project(db, actor=require_user(user), challenge_id=challenge_id, data=data)
        return project_read(project)

    @post("/projects", name="api:projects:launch-standalone")
    async def launch_standalone(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        data: JSONBody[ProjectCreate],
    ) -> ProjectRead:
        """A project answering no call: the community relays it and it receives contributions directly."""
        project = await services.launch_project(db, actor=require_user(user), challenge_id=None, data=data)
        return project_read(project)

    @get("/projects/{project_id:int}", name="api:projects:detail")
    async def get_project(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], project_id: FromPath[int]
    ) -> ProjectRead:
        return project_read(await services.get_project(db, project_id, viewer=user))

    @get("/projects/{project_id:int}/transparency", name="api:projects:transparency")
    async def get_transparency(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], project_id: FromPath[int]
    ) -> TransparencyRead:
        """Open data: money promised, received, allocated and spent, hours promised and given, named contributors."""
        return transparency_read(await project_transparency(db, project_id, viewer=user))

    @patch("/projects/{project_id:int}", name="api:projects:update")
    async def update_project(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        project_id: FromPath[int],
        data: JSONBody[ProjectUpdate],
    ) -> ProjectRead:
        project = await services.update_project(db, actor=require_user(user), project_id=project_id, data=data)
        return project_read(project)

    @post("/projects/{project_id:int}/memberships", name="api:projects:join")
    async def join_project(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        project_id: FromPath[int],
        data: JSONBody[MembershipCreate],
    ) -> dict[str, object]:
        membership = await services.join_project(db, actor=require_user(user), project_id=project_id, data=data)
        return {
            "id": membership.id,
            "project_id": membership.project_id,
            "user_id": membership.user_id,
            "role": membership.role.value,
            "forms": membership.forms,
            "resources": membership.resources,
        }

    @post("/projects/{project_id:int}/cancel", name="api:projects:cancel", status_code=200)
    async def cancel_project(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], project_id: FromPath[int]
    ) -> ProjectRead:
        """The leads cancel their project: every pledge is released (reversed in the ledger if confirmed)."""
        await cancel_project(db, actor=require_user(user), project_id=project_id)
        return project_read(await services.get_project(db, project_id, viewer=user))

    @post("/projects/{project_id:int}/complete", name="api:projects:complete", status_code=200)
    async def complete_project(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], project_id: FromPath[int]
    ) -> ProjectRead:
        """The leads mark their project completed (once its minimum is reached): no more pledges after it."""
        await complete_project(db, actor=require_user(user), project_id=project_id)
        return project_read(await services.get_project(db, project_id, viewer=user))
