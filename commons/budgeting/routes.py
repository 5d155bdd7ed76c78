"""JSON API of co-budgeting rounds."""

from __future__ import annotations

from litestar import Controller, MediaType, Response, delete, get, patch, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.budgeting import services
from commons.budgeting.models import MatchEstimate, Round, RoundResult
from commons.budgeting.schemas import (
    BallotIn,
    DelegationIn,
    EstimateRead,
    ProgressRead,
    ResultRead,
    RoundCreate,
    RoundImport,
    RoundRead,
    RoundUpdate,
    SpendingIn,
    WalletRead,
)
from commons.throttle import Action
from commons.web.auth import require_user


async def round_read(session: AsyncSession, round_: Round) -> RoundRead:
    progress = await services.computing_progress(round_)
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
        project_cap_cents=round_.project_cap_cents,
        ratio=services.ratio_text(round_),
        person_cap_cents=round_.person_cap_cents,
        ratio_mode=round_.ratio_mode,
        delegation_allowed=round_.delegation_allowed,
        leftover=round_.leftover,
        eligibility=round_.eligibility.value,
        frozen=round_.frozen_at is not None,
        candidates=[
            {"project_id": c.project_id, "title": c.project.title, "cost_cents": c.cost_cents}
            for c in round_.candidates
        ],
        colleges=[{"id": c.id, "name": c.name, "weight": c.weight, "kinds": c.kinds} for c in round_.colleges],
        ballot_count=await services.ballot_count(session, round_.id),
        progress=(
            ProgressRead(
                runs=progress.runs,
                share_cents=progress.share_cents,
                started_at=progress.started_at,
                elapsed_seconds=progress.elapsed_seconds(),
            )
            if progress
            else None
        ),
    )


def estimate_read(round_: Round, estimate: MatchEstimate) -> EstimateRead:
    return EstimateRead(
        round_id=round_.id,
        computed_at=estimate.computed_at,
        version=estimate.version,
        total_cents=estimate.total_cents,
        lines=[
            {
                "project_id": c.project_id,
                "title": c.project.title,
                "match_cents": estimate.amounts.get(str(c.project_id), 0),
                "contributors": estimate.contributors.get(str(c.project_id), 0),
            }
            for c in round_.candidates
        ],
    )


def wallet_read(round_id: int, wallet: services.Wallet) -> WalletRead:
    delegation = wallet.delegation
    return WalletRead(
        round_id=round_id,
        registered=wallet.registered,
        participant_count=wallet.participant_count,
        wallet_cents=wallet.wallet_cents,
        delegated_cents=wallet.delegated_cents,
        received_cents=wallet.received_cents,
        spending_power_cents=wallet.power_cents,
        spent_cents=wallet.spent_cents,
        left_cents=wallet.left_cents,
        lines=[{"project_id": p, "amount_cents": cents} for p, cents in sorted(wallet.spending.items())],
        delegation=(
            {"delegate_id": delegation.delegate_id, "name": delegation.delegate.name, "percent": delegation.percent}
            if delegation
            else None
        ),
        college=wallet.college,
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
        explanation=result.explanation,
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
        state: State,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        round_id: FromPath[int],
        data: JSONBody[BallotIn],
    ) -> dict[str, object]:
        """Cast or replace one's ballot: one per person and round, changeable until the close."""
        voter = require_user(user)
        await state.throttle.spend(Action.BALLOT, voter.id)
        ballot = await services.submit_ballot(db, actor=voter, round_id=round_id, data=data)
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

    @get("/rounds/{round_id:int}/estimate", name="api:rounds:estimate")
    async def estimate(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], round_id: FromPath[int]
    ) -> EstimateRead:
        """The current estimated match of a matching round, per candidate, and when it was computed."""
        estimate = await services.get_estimate(db, round_id=round_id, viewer=user)
        return estimate_read(await services.get_round(db, round_id, viewer=user), estimate)

    @post("/rounds/{round_id:int}/registration", name="api:rounds:register", status_code=200)
    async def register(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], round_id: FromPath[int]
    ) -> WalletRead:
        """Join a wallet round before it opens."""
        return wallet_read(round_id, await services.register(db, actor=require_user(user), round_id=round_id))

    @delete("/rounds/{round_id:int}/registration", name="api:rounds:unregister")
    async def unregister(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], round_id: FromPath[int]
    ) -> None:
        await services.unregister(db, actor=require_user(user), round_id=round_id)

    @get("/rounds/{round_id:int}/wallet", name="api:rounds:wallet")
    async def wallet(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], round_id: FromPath[int]
    ) -> WalletRead:
        """One's wallet: what one has, delegated, received, spread, and what is left."""
        return wallet_read(round_id, await services.wallet_of(db, round_id=round_id, actor=require_user(user)))

    @put("/rounds/{round_id:int}/wallet", name="api:rounds:spend")
    async def spend(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        round_id: FromPath[int],
        data: JSONBody[SpendingIn],
    ) -> WalletRead:
        """Spread one's wallet over the candidates (replaces the previous spread), until the close."""
        wallet = await services.save_spending(db, actor=require_user(user), round_id=round_id, data=data)
        return wallet_read(round_id, wallet)

    @put("/rounds/{round_id:int}/delegation", name="api:rounds:delegate")
    async def delegate(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        round_id: FromPath[int],
        data: JSONBody[DelegationIn],
    ) -> WalletRead:
        """Hand a percentage of one's wallet to another participant; a cycle is refused."""
        wallet = await services.delegate(db, actor=require_user(user), round_id=round_id, data=data)
        return wallet_read(round_id, wallet)

    @delete("/rounds/{round_id:int}/delegation", name="api:rounds:undelegate", status_code=200)
    async def undelegate(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], round_id: FromPath[int]
    ) -> WalletRead:
        wallet = await services.withdraw_delegation(db, actor=require_user(user), round_id=round_id)
        return wallet_read(round_id, wallet)

    @get("/rounds/{round_id:int}/participants", name="api:rounds:participants")
    async def participants(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], round_id: FromPath[int]
    ) -> list[dict[str, object]]:
        """Who takes part in a wallet round (signed-in people only), to choose a delegate."""
        people = await services.participants_of(db, round_id=round_id, viewer=require_user(user))
        return [{"id": person.id, "name": person.name} for person in people]
