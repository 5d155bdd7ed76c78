"""Use cases of eligibility: the authority imports a census or hands out invitation codes for a round;
a person claims one, which binds it to them for good; voting and registering check it.

Identifiers and codes are stored only as HMACs under the eligibility key (``Settings.signing_key``),
passed in by the caller: the list cannot be read back from the database, and a code is shown once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.accounts.services import is_organization_admin
from commons.budgeting.models import Eligibility, Round, RoundStatus
from commons.challenges.services import get_challenge
from commons.db import commit_or_conflict, utcnow
from commons.eligibility.models import EligibilityCredential
from commons.eligibility.rules import credential_digest, new_code, require_verified
from commons.errors import Conflict, Forbidden, InvalidInput, NotFound
from commons.events.outbox import EventType, record_event

MAX_CENSUS = 200_000
MAX_CODES = 10_000

_NOT_ELIGIBLE = {
    Eligibility.CENSUS: (
        "Ce co-budget est réservé aux personnes de la liste de l'autorité : indiquez d'abord votre "
        "identifiant sur la page du co-budget."
    ),
    Eligibility.CODES: (
        "Ce co-budget est réservé aux personnes invitées : saisissez d'abord votre code d'invitation sur "
        "la page du co-budget."
    ),
}


async def get_round(session: AsyncSession, round_id: int, *, viewer: User | None) -> Round:
    round_ = await session.get(Round, round_id, populate_existing=True)
    if round_ is None:
        raise NotFound(f"Co-budget {round_id} introuvable.")
    await get_challenge(session, round_.challenge_id, viewer=viewer)
    return round_


async def _administered_round(session: AsyncSession, actor: User, round_id: int, wanted: Eligibility) -> Round:
    """The round, if the actor administers its call, it is not closed, and it asks for ``wanted``."""
    round_ = await get_round(session, round_id, viewer=actor)
    challenge = await get_challenge(session, round_.challenge_id, viewer=actor)
    if not await is_organization_admin(session, actor, challenge.organization_id):
        raise Forbidden("Seuls les administrateurs de l'organisation qui porte l'appel gèrent qui peut participer.")
    if round_.status != RoundStatus.SCHEDULED:
        raise Conflict("Ce co-budget est clos : la liste de ses participants ne change plus.")
    if round_.eligibility != wanted:
        raise Conflict(
            f"Ce co-budget vérifie ses participants par « {round_.eligibility.value} », pas par « {wanted.value} » : "
            "changez d'abord sa vérification."
        )
    return round_


async def holds_credential(session: AsyncSession, round_: Round, user: User | None) -> bool:
    """Whether ``user`` may vote or register in the round as far as its eligibility check goes."""
    if user is None:
        return False
    if round_.eligibility == Eligibility.EMAIL:
        return True
    held = await session.scalar(
        select(EligibilityCredential.id).where(
            EligibilityCredential.round_id == round_.id, EligibilityCredential.holder_id == user.id
        )
    )
    return held is not None


async def require_eligible(session: AsyncSession, round_: Round, actor: User) -> None:
    """Refuse (403) a person the round's check does not admit: unverified, or holding no credential."""
    require_verified(actor)
    if not await holds_credential(session, round_, actor):
        raise Forbidden(_NOT_ELIGIBLE[round_.eligibility])


@dataclass(frozen=True, slots=True)
class CensusImport:
    added: int
    already: int


async def import_census(
    session: AsyncSession, *, actor: User, round_id: int, identifiers: Sequence[str], key: bytes
) -> CensusImport:
    """Add identifiers (electoral numbers, resident card numbers...) to a round's census; those already
    there are counted, not added twice. All or nothing: one invalid identifier refuses the import."""
    round_ = await _administered_round(session, actor, round_id, Eligibility.CENSUS)
    lines = [line for line in identifiers if line.strip()]
    if not lines:
        raise InvalidInput("La liste est vide : un identifiant par ligne.")
    if len(lines) > MAX_CENSUS:
        raise InvalidInput(f"Au plus {MAX_CENSUS} identifiants par import.")
    digests = {credential_digest(key, round_.id, Eligibility.CENSUS.value, line) for line in lines}
    # The round's whole list, not an IN over the new digests: an import may hold more values than a
    # statement accepts parameters.
    known = set(
        await session.scalars(select(EligibilityCredential.digest).where(EligibilityCredential.round_id == round_.id))
    )
    added = sorted(digests - known)
    if added:
        now = utcnow()
        await session.execute(
            insert(EligibilityCredential),
            [
                {"round_id": round_.id, "kind": Eligibility.CENSUS.value, "digest": digest, "created_at": now}
                for digest in added
            ],
        )
    record_event(
        session, EventType.ELIGIBILITY_CENSUS_IMPORTED, round_id=round_.id, actor_id=actor.id, added=len(added)
    )
    await commit_or_conflict(session, "La liste a été importée en même temps ailleurs : réessayez.")
    return CensusImport(added=len(added), already=len(lines) - len(added))


async def generate_codes(session: AsyncSession, *, actor: User, round_id: int, count: int, key: bytes) -> list[str]:
    """``count`` new invitation codes for a round, returned once: only their HMACs are kept."""
    round_ = await _administered_round(session, actor, round_id, Eligibility.CODES)
    if not 1 <= count <= MAX_CODES:
        raise InvalidInput(f"Demandez entre 1 et {MAX_CODES} codes.")
    codes: dict[str, str] = {}
    while len(codes) < count:
        code = new_code()
        codes[credential_digest(key, round_.id, Eligibility.CODES.value, code)] = code
    session.add_all(
        EligibilityCredential(round_id=round_.id, kind=Eligibility.CODES.value, digest=digest) for digest in codes
    )
    record_event(session, EventType.ELIGIBILITY_CODES_GENERATED, round_id=round_.id, actor_id=actor.id, count=count)
    await commit_or_conflict(session, "Des codes ont été créés en même temps ailleurs : réessayez.")
    return list(codes.values())


async def claim(session: AsyncSession, *, actor: User, round_id: int, secret: str, key: bytes) -> None:
    """Bind the census identifier or invitation code ``secret`` to the actor, once and for good.

    One credential admits one person (a second account cannot reuse it), and one person holds at
    most one per round. Claiming again what one already holds changes nothing.
    """
    require_verified(actor)
    round_ = await get_round(session, round_id, viewer=actor)
    if round_.eligibility == Eligibility.EMAIL:
        raise Conflict("Ce co-budget ne demande qu'une adresse e-mail vérifiée : rien d'autre à indiquer.")
    if round_.status != RoundStatus.SCHEDULED:
        raise Conflict("Ce co-budget est clos.")
    digest = credential_digest(key, round_.id, round_.eligibility.value, secret)
    credential = await session.scalar(
        select(EligibilityCredential)
        .where(
            EligibilityCredential.round_id == round_.id,
            EligibilityCredential.kind == round_.eligibility.value,
            EligibilityCredential.digest == digest,
        )
        .with_for_update()
    )
    if credential is None:
        raise Forbidden(
            "Cet identifiant ne figure pas sur la liste de ce co-budget."
            if round_.eligibility == Eligibility.CENSUS
            else "Ce code d'invitation n'existe pas pour ce co-budget."
        )
    if credential.holder_id == actor.id:
        return
    if credential.holder_id is not None:
        raise Conflict("Cet identifiant a déjà été utilisé par une autre personne : il ne vaut que pour une seule.")
    if await holds_credential(session, round_, actor):
        raise Conflict("Vous êtes déjà reconnu(e) pour ce co-budget.")
    credential.holder_id = actor.id
    credential.bound_at = utcnow()
    record_event(session, EventType.ELIGIBILITY_GRANTED, round_id=round_.id, holder_id=actor.id, kind=credential.kind)
    await commit_or_conflict(session, "Cet identifiant vient d'être utilisé par une autre personne.")
