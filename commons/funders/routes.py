"""JSON API of a call's funders and of who paid what out of its pool."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.challenges.services import get_challenge
from commons.funders import services
from commons.funders.models import PayoutGrant
from commons.funders.schemas import FunderCreate, FunderRead, FunderUpdate, GrantRead, PayoutLineRead
from commons.web.auth import require_user


def funder_read(view: services.FunderView) -> FunderRead:
    funder, organization = view.funder, view.funder.organization
    return FunderRead(
        id=funder.id,
        challenge_id=funder.challenge_id,
        organization={"id": organization.id, "name": organization.name, "kind": organization.kind.value},
        is_authority=view.is_authority,
        amount_cents=funder.amount_cents,
        received=funder.received_at is not None,
        received_at=funder.received_at,
        paid_cents=view.paid_cents,
        kinds=list(funder.kinds),
        themes=list(funder.themes),
        max_share_percent=funder.max_share_percent,
        max_cents=funder.max_cents,
    )


def grant_read(grant: PayoutGrant) -> GrantRead:
    return GrantRead(
        project_id=grant.project_id,
        round_id=grant.round_id,
        purpose=grant.purpose,
        asked_cents=grant.asked_cents,
        paid_cents=grant.paid_cents,
        by_funder={share.funder_id: share.cents for share in grant.shares},
        reason=grant.reason,
    )


class FundersApi(Controller):
    path = "/api/v1/challenges/{challenge_id:int}"
    tags = ("funders",)

    @get("/funders", name="api:funders:list")
    async def list_funders(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], challenge_id: FromPath[int]
    ) -> list[FunderRead]:
        """The call's funders: amount, received or not, rules and caps, what each paid so far."""
        return [funder_read(view) for view in await services.list_funders(db, challenge_id=challenge_id, viewer=user)]

    @post("/funders", name="api:funders:create")
    async def add_funder(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        challenge_id: FromPath[int],
        data: JSONBody[FunderCreate],
    ) -> FunderRead:
        """Add a funder (the call's admins only)."""
        funder = await services.add_funder(db, actor=require_user(user), challenge_id=challenge_id, data=data)
        return funder_read(await services.funder_view(db, funder))

    @patch("/funders/{funder_id:int}", name="api:funders:update")
    async def update_funder(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        challenge_id: FromPath[int],
        funder_id: FromPath[int],
        data: JSONBody[FunderUpdate],
    ) -> FunderRead:
        funder = await services.update_funder(
            db, actor=require_user(user), challenge_id=challenge_id, funder_id=funder_id, data=data
        )
        return funder_read(await services.funder_view(db, funder))

    @delete("/funders/{funder_id:int}", name="api:funders:delete", status_code=204)
    async def remove_funder(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        challenge_id: FromPath[int],
        funder_id: FromPath[int],
    ) -> None:
        await services.remove_funder(db, actor=require_user(user), challenge_id=challenge_id, funder_id=funder_id)

    @post("/funders/{funder_id:int}/received", name="api:funders:received", status_code=200)
    async def mark_received(
        self,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        challenge_id: FromPath[int],
        funder_id: FromPath[int],
    ) -> FunderRead:
        """The contribution is on the call's account: it enters the pool in the ledger (the call's admins)."""
        funder = await services.mark_received(
            db, actor=require_user(user), challenge_id=challenge_id, funder_id=funder_id
        )
        return funder_read(await services.funder_view(db, funder))

    @get("/payouts", name="api:funders:payouts")
    async def payouts(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], challenge_id: FromPath[int]
    ) -> list[PayoutLineRead]:
        """Who paid what: the total each funder paid each project of the call."""
        await get_challenge(db, challenge_id, viewer=user)
        lines = await services.payout_lines(db, challenge_id=challenge_id)
        return [
            PayoutLineRead(line.funder_id, line.funder_name, line.project_id, line.project_title, line.cents)
            for line in lines
        ]

    @get("/grants", name="api:funders:grants")
    async def grants(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], challenge_id: FromPath[int]
    ) -> list[GrantRead]:
        """Every grant asked of the pool, what it got from each funder, and why it got less."""
        return [grant_read(g) for g in await services.list_grants(db, challenge_id=challenge_id, viewer=user)]
