"""JSON API of calls for commons."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.challenges import services
from commons.challenges.models import Challenge, ChallengeStatus
from commons.challenges.schemas import ChallengeCreate, ChallengeRead, ChallengeUpdate, IndicatorRead
from commons.resources.schemas import TransparencyRead, transparency_read
from commons.resources.transparency import challenge_transparency
from commons.web.auth import require_user


def challenge_read(challenge: Challenge) -> ChallengeRead:
    territory = challenge.territory
    return ChallengeRead(
        id=challenge.id,
        title=challenge.title,
        problem=challenge.problem,
        licence=challenge.licence,
        status=challenge.status.value,
        organization={
            "id": challenge.organization.id,
            "name": challenge.organization.name,
            "kind": challenge.organization.kind.value,
        },
        cost_ceiling_cents=challenge.cost_ceiling_cents,
        externalities=challenge.externalities,
        commons_governance=challenge.commons_governance,
        themes=list(challenge.themes),
        territory={"id": territory.id, "name": territory.name, "code": territory.code} if territory else None,
        indicators=[IndicatorRead(id=i.id, name=i.name, unit=i.unit) for i in challenge.indicators],
        pool_cents=challenge.pool_cents,
        deadline=challenge.deadline,
        published_at=challenge.published_at,
        closed_at=challenge.closed_at,
        project_count=challenge.project_count,
        pledged_cents=challenge.pledged_cents,
        pledged_minutes=challenge.pledged_minutes,
    )


class ChallengesApi(Controller):
    path = "/api/v1/challenges"
    tags = ("challenges",)

    @get("/", name="api:challenges:list")
    async def list_challenges(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        status: FromQuery[ChallengeStatus | None] = None,
        territory_id: FromQuery[int | None] = None,
        theme: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
    ) -> list[ChallengeRead]:
        challenges = await services.list_challenges(
            db, viewer=user, status=status, territory_id=territory_id, theme=theme, text=q
        )
        return [challenge_read(c) for c in challenges]

    @post("/", name="api:challenges:create")
    async def create_challenge(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        data: JSONBody[ChallengeCreate],
    ) -> ChallengeRead:
        return challenge_read(await services.create_challenge(db, actor=require_user(user), data=data))

    @get("/{challenge_id:int}/transparency", name="api:challenges:transparency")
    async def get_transparency(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], challenge_id: FromPath[int]
    ) -> TransparencyRead:
        """Open data: the call's figures summed over its projects (see the project's transparency)."""
        return transparency_read(await challenge_transparency(db, challenge_id, viewer=user))

    @get("/{challenge_id:int}", name="api:challenges:detail")
    async def get_challenge(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        challenge_id: FromPath[int],
    ) -> ChallengeRead:
        return challenge_read(await services.get_challenge(db, challenge_id, viewer=user))

    @patch("/{challenge_id:int}", name="api:challenges:update")
    async def update_challenge(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        challenge_id: FromPath[int],
        data: JSONBody[ChallengeUpdate],
    ) -> ChallengeRead:
        challenge = await services.update_challenge(db, actor=require_user(user), challenge_id=challenge_id, data=data)
        return challenge_read(challenge)

    @post("/{challenge_id:int}/publish", name="api:challenges:publish", status_code=200)
    async def publish(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        challenge_id: FromPath[int],
    ) -> ChallengeRead:
        await services.publish_challenge(db, actor=require_user(user), challenge_id=challenge_id)
        return challenge_read(await services.get_challenge(db, challenge_id, viewer=user))

    @post("/{challenge_id:int}/close", name="api:challenges:close", status_code=200)
    async def close(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        challenge_id: FromPath[int],
    ) -> ChallengeRead:
        await services.close_challenge(db, actor=require_user(user), challenge_id=challenge_id)
        return challenge_read(await services.get_challenge(db, challenge_id, viewer=user))

    @post("/{challenge_id:int}/follow", name="api:challenges:follow", status_code=204)
    async def follow(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], challenge_id: FromPath[int]
    ) -> None:
        """Be told of each new project answering the call."""
        await services.follow_challenge(db, actor=require_user(user), challenge_id=challenge_id, follow=True)

    @delete("/{challenge_id:int}/follow", name="api:challenges:unfollow", status_code=204)
    async def unfollow(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], challenge_id: FromPath[int]
    ) -> None:
        await services.follow_challenge(db, actor=require_user(user), challenge_id=challenge_id, follow=False)
