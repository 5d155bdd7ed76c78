"""The call's authority as its first funder: its funder row mirrors ``Challenge.pool_cents``.

Apart from ``commons.funders.services`` so the challenges' use cases can call it without an import
cycle (the funders' services read calls through ``commons.challenges.services``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.challenges.models import Challenge
from commons.errors import Conflict
from commons.formatting import format_cents
from commons.funders.models import Funder


async def sync_authority_funder(session: AsyncSession, challenge: Challenge) -> None:
    """Make the authority's funder row mirror ``challenge.pool_cents``, in the caller's transaction.

    Called when a call is created or edited: a pool of ``None`` or 0 removes the authority's row,
    any other amount creates or updates it. Refused (``Conflict``) when the authority's contribution
    is already received and the amount would change.
    """
    await session.flush()
    funder = await session.scalar(
        select(Funder).where(Funder.challenge_id == challenge.id, Funder.organization_id == challenge.organization_id)
    )
    amount = challenge.pool_cents or 0
    if funder is not None and funder.amount_cents == amount:
        return
    if funder is not None and funder.received_at is not None:
        raise Conflict(
            f"L'enveloppe de l'appel ({format_cents(funder.amount_cents)}) est déjà reçue dans la cagnotte : "
            "son montant ne change plus. Ajoutez plutôt un financeur."
        )
    if funder is None and amount:
        session.add(Funder(challenge_id=challenge.id, organization_id=challenge.organization_id, amount_cents=amount))
    elif funder is not None and amount:
        funder.amount_cents = amount
    elif funder is not None:
        await session.delete(funder)
