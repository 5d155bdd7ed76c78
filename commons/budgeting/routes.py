"""JSON API of co-budgeting rounds."""

from __future__ import annotations

from litestar import Controller, MediaType, Response, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.budgeting import services
from commons.budgeting.models import Round, RoundResult
from commons.budgeting.schemas import BallotIn, ResultRead, RoundCreate, RoundImport, RoundRead, RoundUpdate
from commons.web.auth import require_user


async def round_read(session: AsyncSession, round_: Round) -> RoundRead:
    return RoundRead(
        id=round_.id,
        challenge_id=round_.challenge_id,
        title=round_.title,
        rule=round_.rule.value,
        satisfaction=round_.satisfaction,
        completion=round_.completion,
        status=round_.status.value,
        budget_cents=round_.budget_cents,
        seed_cents=round_.seed_cents,
        opens_at=round_.opens_at,
        closes_at=round_.closes_at,
        min_choices=round_.min_choices,
        max_choices=round_.max_choices,
        max_ballot_cents=round_.max_ballot_cents,
        frozen=round_.frozen_at is not None,
        candidates=[
            {"project_id": c.project_id, "title": c.project.title, "cost_cents": c.cost_cents}
            for c in round_.candidates
        ],
        colleges=[{"id": c.id, "name": c.name, "weight": c.weight, "kinds": c.kinds} for c in round_.colleges],
        ballot_count=await services.ballot_count(session, round_.id),
    )


def result_read(result: RoundResult) -> ResultRead:
    return ResultRead(
        round_id=result.round_id,
        rule=result.rule,
        rule_version=result.rule_version,
        fingerprint=result.fingerprint,
        voter_count=result.voter_count,
        total_cents=result.total_cents,
        computed_at=result.computed_at,
        lines=result.lines,
    )


class RoundsApi(Controller):
    path = "/api/v1"
    tags = ("co-budgets",)

    @get("/challenges/{challenge_id:int}/rounds", name="api:rounds:list")
    async def list_rounds(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], challenge_id: FromPath[int]
    ) -> list[RoundRead]:
        return [await round_read(db, r) for r in await services.list_rounds(db, challenge_id=challenge_id, viewer=user)]

    @post("/challenges/{challenge_id:int}/rounds", name="api:rounds:create")
    async def create_round(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        challenge_id: FromPath[int],
        data: JSONBody[RoundCreate],
    ) -> RoundRead:
        round_ = await services.create_round(db, actor=require_user(user), challenge_id=challenge_id, data=data)
        return await round_read(db, round_)

    @post("/challenges/{challenge_id:int}/rounds/import", name="api:rounds:import")
    async def import_round(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        challenge_id: FromPath[int],
        data: JSONBody[RoundImport],
    ) -> RoundRead:
        """Import a vote held elsewhere (a pabulib `.pb` file): its projects, ballots, and a closed round."""
        round_ = await services.import_round(db, actor=require_user(user), challenge_id=challenge_id, data=data)
        return await round_read(db, round_)

    @get("/rounds/{round_id:int}", name="api:rounds:detail")
    async def get_round(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], round_id: FromPath[int]
    ) -> RoundRead:
        return await round_read(db, await services.get_round(db, round_id, viewer=user))

    @patch("/rounds/{round_id:int}", name="api:rounds:update")
    async def update_round(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        round_id: FromPath[int],
        data: JSONBody[RoundUpdate],
    ) -> RoundRead:
        round_ = await services.update_round(db, actor=require_user(user), round_id=round_id, data=data)
        return await round_read(db, round_)

    @put("/rounds/{round_id:int}/ballot", name="api:rounds:vote")
    async def vote(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        round_id: FromPath[int],
        data: JSONBody[BallotIn],
    ) -> dict[str, object]:
        """Cast or replace one's ballot: one per person and round, changeable until the close."""
        ballot = await services.submit_ballot(db, actor=require_user(user), round_id=round_id, data=data)
        return {"round_id": ballot.round_id, "approvals": ballot.approvals, "updated_at": ballot.updated_at}

    @get("/rounds/{round_id:int}/ballot", name="api:rounds:own-ballot")
    async def own_ballot(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], round_id: FromPath[int]
    ) -> dict[str, object]:
        ballot = await services.own_ballot(db, actor=require_user(user), round_id=round_id)
        return {"round_id": round_id, "approvals": ballot.approvals if ballot else []}

    @post("/rounds/{round_id:int}/close", name="api:rounds:close", status_code=200)
    async def close(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], round_id: FromPath[int]
    ) -> RoundRead:
        round_ = await services.close_round(db, actor=require_user(user), round_id=round_id)
        return await round_read(db, round_)

    @get("/rounds/{round_id:int}/result", name="api:rounds:result")
    async def result(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], round_id: FromPath[int]
    ) -> ResultRead:
        return result_read(await services.get_result(db, round_id=round_id, viewer=user))

    @get("/rounds/{round_id:int}/export.pb", name="api:rounds:export")
    async def export(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], round_id: FromPath[int]
    ) -> Response[str]:
        """The published round in the pabulib format (anonymized ballots), to recompute it elsewhere."""
        text = await services.export_round(db, round_id=round_id, viewer=user)
        return Response(
            text,
            media_type=MediaType.TEXT,
            headers={"Content-Disposition": f'attachment; filename="commons-round-{round_id}.pb"'},
        )
