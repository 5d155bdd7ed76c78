"""JSON API of eligibility: the authority's census and codes, a person's claim, and where one stands."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.eligibility import services
from commons.eligibility.schemas import CensusIn, CensusRead, ClaimIn, CodesIn, CodesRead, EligibilityRead
from commons.web.auth import require_user


def eligibility_key(state: State) -> bytes:
    """The key identifiers and codes are stored under (derived from the secret key for this use only)."""
    key: bytes = state.settings.signing_key("eligibility")
    return key


class EligibilityApi(Controller):
    path = "/api/v1/rounds/{round_id:int}"
    tags = ("eligibility",)

    @post("/census", name="api:eligibility:census", status_code=200)
    async def import_census(
        self,
        state: State,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        round_id: FromPath[int],
        data: JSONBody[CensusIn],
    ) -> CensusRead:
        """Add identifiers to the round's census (call admins; a round with ``eligibility: census``)."""
        done = await services.import_census(
            db, actor=require_user(user), round_id=round_id, identifiers=data.identifiers, key=eligibility_key(state)
        )
        return CensusRead(added=done.added, already=done.already)

    @post("/codes", name="api:eligibility:codes", status_code=201)
    async def generate_codes(
        self,
        state: State,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        round_id: FromPath[int],
        data: JSONBody[CodesIn],
    ) -> CodesRead:
        """New invitation codes (call admins; a round with ``eligibility: codes``), shown only in this answer."""
        codes = await services.generate_codes(
            db, actor=require_user(user), round_id=round_id, count=data.count, key=eligibility_key(state)
        )
        return CodesRead(codes=codes)

    @post("/eligibility", name="api:eligibility:claim", status_code=200)
    async def claim(
        self,
        state: State,
        db: NamedDependency[AsyncSession],
        user: NamedDependency[User | None],
        round_id: FromPath[int],
        data: JSONBody[ClaimIn],
    ) -> EligibilityRead:
        """Claim a census identifier or an invitation code: it is bound to you, and to nobody else, for good."""
        actor = require_user(user)
        await services.claim(db, actor=actor, round_id=round_id, secret=data.identifier, key=eligibility_key(state))
        return await _standing(db, actor, round_id)

    @get("/eligibility", name="api:eligibility:mine")
    async def mine(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None], round_id: FromPath[int]
    ) -> EligibilityRead:
        """Whether you may vote or register in this round."""
        return await _standing(db, require_user(user), round_id)


async def _standing(db: AsyncSession, actor: User, round_id: int) -> EligibilityRead:
    round_ = await services.get_round(db, round_id, viewer=actor)
    eligible = actor.email_verified and await services.holds_credential(db, round_, actor)
    return EligibilityRead(round_id=round_.id, eligibility=round_.eligibility.value, eligible=eligible)
