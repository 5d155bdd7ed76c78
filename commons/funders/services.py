"""Use cases of a call's funders: add, edit, remove, mark received; pay grants out of the pool.

Who may do what:

- the call's authority (the admins of the organization that posts it) adds, edits and removes the
  call's funders, and **marks a contribution received** once the money is on its account: the
  receiving side attests the money arrived, as it does for a pledge paid to a project. Marking it
  received records the ledger transfer funder → challenge pool (key ``funder:<id>:received``);
- a contribution's amount is frozen once received (the ledger holds it), and a funder's rules and
  caps are frozen once it has paid a project (its past payouts were decided under them); new funders
  may join a call that is not closed at any time, for the grants still to come;
- the authority itself is a funder: its row mirrors ``Challenge.pool_cents`` (the budget the
  authority puts in, as the call form has always asked), unrestricted unless it sets rules. Editing
  one edits the other (``sync_authority_funder``); migration 0005 created this row for existing calls.

Paying out (``pay_out``) moves only money marked received: a funder pays at most what it put in the
pool minus what it already paid. Grants that cannot be covered are refused (all or nothing) or
reduced (divisible), each with a French reason, never paid beyond what is there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import Organization, OrganizationAdmin, OrganizationKind, User
from commons.accounts.services import is_organization_admin
from commons.challenges.models import Challenge, ChallengeStatus
from commons.challenges.services import get_challenge
from commons.db import commit_or_conflict, utcnow
from commons.errors import Conflict, Forbidden, InvalidInput, NotFound
from commons.events.outbox import EventType, record_event
from commons.funders.models import Funder, PayoutGrant, PayoutShare
from commons.funders.schemas import FunderCreate, FunderUpdate
from commons.funders.split import FunderTerms, GrantAsk, ProjectTerms, split_grants
from commons.ledger.rules import EUR, AccountKind
from commons.ledger.services import open_account, record_transfer
from commons.projects.funding import FundingStatus
from commons.projects.models import Membership, MembershipRole, Project, ResourceKind

PURPOSES = ("seed", "allocation", "match", "wallet")
PURPOSE_LABELS = {"seed": "amorçage", "allocation": "co-budget", "match": "abondement", "wallet": "portefeuilles"}

# A project whose leads administer no organization is led by inhabitants.
UNAFFILIATED_KIND = OrganizationKind.HABITANT


@dataclass(frozen=True, slots=True)
class Grant:
    """A grant to pay out of a call's pool.

    Parameters:
        project_id: the project paid (a project of the call).
        cents: the amount asked.
        divisible: True: may be paid in part (matching, wallets); False: all or nothing (approval winners, seeds).
        purpose: "seed" | "allocation" | "match" | "wallet".
    """

    project_id: int
    cents: int
    divisible: bool
    purpose: str


@dataclass(frozen=True, slots=True)
class PaidGrant:
    """What one grant got: in total, from each funder (by funder id), and why it got less (French)."""

    project_id: int
    purpose: str
    asked_cents: int
    paid_cents: int
    by_funder: Mapping[int, int]
    reason: str


@dataclass(frozen=True, slots=True)
class Payout:
    """What a ``pay_out`` paid, one ``PaidGrant`` per grant asked, in the order asked."""

    challenge_id: int
    round_id: int | None
    grants: tuple[PaidGrant, ...]

    @property
    def paid_cents(self) -> int:
        return sum(grant.paid_cents for grant in self.grants)

    def paid_to(self, project_id: int) -> int:
        """The total paid to a project, over its grants."""
        return sum(grant.paid_cents for grant in self.grants if grant.project_id == project_id)

    def paid_by(self, funder_id: int) -> int:
        """The total a funder paid, over every grant."""
        return sum(grant.by_funder.get(funder_id, 0) for grant in self.grants)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class FunderView:
    """A funder as pages and the API show it: whether it is the call's authority, what it paid so far."""

    funder: Funder
    is_authority: bool
    paid_cents: int


async def list_funders(session: AsyncSession, *, challenge_id: int, viewer: User | None) -> list[FunderView]:
    """A call's funders, the authority first, then by id; ``NotFound`` if the viewer may not see the call."""
    challenge = await get_challenge(session, challenge_id, viewer=viewer)
    funders = list(await session.scalars(select(Funder).where(Funder.challenge_id == challenge_id).order_by(Funder.id)))
    paid = await paid_by_funder(session, [funder.id for funder in funders])
    views = [
        FunderView(funder, funder.organization_id == challenge.organization_id, paid[funder.id]) for funder in funders
    ]
    return sorted(views, key=lambda view: (not view.is_authority, view.funder.id))


async def funder_view(session: AsyncSession, funder: Funder) -> FunderView:
    """One funder's view (after a change)."""
    challenge = await session.get(Challenge, funder.challenge_id)
    assert challenge is not None
    paid = (await paid_by_funder(session, [funder.id]))[funder.id]
    return FunderView(funder, funder.organization_id == challenge.organization_id, paid)


async def paid_by_funder(session: AsyncSession, funder_ids: Sequence[int]) -> dict[int, int]:
    """What each funder paid projects so far, by funder id (0 when nothing)."""
    rows = await session.execute(
        select(PayoutShare.funder_id, func.sum(PayoutShare.cents))
        .where(PayoutShare.funder_id.in_(funder_ids))
        .group_by(PayoutShare.funder_id)
    )
    paid = {funder_id: int(total) for funder_id, total in rows}
    return {funder_id: paid.get(funder_id, 0) for funder_id in funder_ids}


@dataclass(frozen=True, slots=True)
class PayoutLine:
    """Who paid what: what one funder paid one project in total."""

    funder_id: int
    funder_name: str
    project_id: int
    project_title: str
    cents: int


async def payout_lines(
    session: AsyncSession, *, challenge_id: int | None = None, project_id: int | None = None
) -> list[PayoutLine]:
    """What each funder paid each project, for a call or a project, by funder then project."""
    query = (
        select(Funder.id, Organization.name, Project.id, Project.title, func.sum(PayoutShare.cents))
        .join(Funder, Funder.id == PayoutShare.funder_id)
        .join(Organization, Organization.id == Funder.organization_id)
        .join(Project, Project.id == PayoutShare.project_id)
        .group_by(Funder.id, Organization.name, Project.id, Project.title)
        .order_by(Funder.id, Project.id)
    )
    if challenge_id is not None:
        query = query.where(Funder.challenge_id == challenge_id)
    if project_id is not None:
        query = query.where(PayoutShare.project_id == project_id)
    return [PayoutLine(*row[:4], cents=int(row[4])) for row in await session.execute(query)]


async def list_grants(session: AsyncSession, *, challenge_id: int, viewer: User | None) -> list[PayoutGrant]:
    """Every grant asked of a call's pool, in the order they were decided."""
    await get_challenge(session, challenge_id, viewer=viewer)
    return list(
        await session.scalars(
            select(PayoutGrant).where(PayoutGrant.challenge_id == challenge_id).order_by(PayoutGrant.id)
        )
    )


# --------------------------------------------------------------------------- managing funders


async def _administered(session: AsyncSession, actor: User, challenge_id: int) -> Challenge:
    challenge = await get_challenge(session, challenge_id, viewer=actor)
    if not await is_organization_admin(session, actor, challenge.organization_id):
        raise Forbidden("Seuls les administrateurs de l'organisation qui porte l'appel gèrent ses financeurs.")
    if challenge.status == ChallengeStatus.CLOSED:
        raise Conflict("Cet appel est clos : ses financeurs ne changent plus.")
    return challenge


async def _funder_of(session: AsyncSession, actor: User, challenge_id: int, funder_id: int) -> tuple[Challenge, Funder]:
    challenge = await _administered(session, actor, challenge_id)
    funder = await session.get(Funder, funder_id, populate_existing=True)
    if funder is None or funder.challenge_id != challenge_id:
        raise NotFound(f"Financeur {funder_id} introuvable dans l'appel {challenge_id}.")
    return challenge, funder


def _themes(themes: Sequence[str]) -> list[str]:
    """Themes as calls store them: trimmed, lower case, sorted, once each."""
    return sorted({theme.strip().lower() for theme in themes if theme.strip()})


async def add_funder(session: AsyncSession, *, actor: User, challenge_id: int, data: FunderCreate) -> Funder:
    """Add an organization's contribution to a call's pool (the call's admins; one row per organization)."""
    challenge = await _administered(session, actor, challenge_id)
    if await session.get(Organization, data.organization_id) is None:
        raise InvalidInput(f"Organisation {data.organization_id} inconnue.")
    funder = Funder(
        challenge_id=challenge_id,
        organization_id=data.organization_id,
        amount_cents=data.amount_cents,
        kinds=sorted({kind.value for kind in data.kinds}),
        themes=_themes(data.themes),
        max_share_percent=data.max_share_percent,
        max_cents=data.max_cents,
    )
    session.add(funder)
    if data.organization_id == challenge.organization_id:
        challenge.pool_cents = data.amount_cents
    await commit_or_conflict(session, "Cette organisation finance déjà cet appel : modifiez sa contribution.")
    return await _reloaded(session, funder.id)


async def _paid_by(session: AsyncSession, funder_id: int) -> int:
    return (await paid_by_funder(session, [funder_id]))[funder_id]


async def update_funder(
    session: AsyncSession, *, actor: User, challenge_id: int, funder_id: int, data: FunderUpdate
) -> Funder:
    """Change a contribution's amount (until received) or its rules and caps (until it paid a project)."""
    challenge, funder = await _funder_of(session, actor, challenge_id, funder_id)
    changes = {name: value for name, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}
    if "amount_cents" in changes and changes["amount_cents"] != funder.amount_cents:
        if funder.received_at is not None:
            raise Conflict("Cette contribution est déjà reçue dans la cagnotte : son montant ne change plus.")
        funder.amount_cents = changes["amount_cents"]
        if funder.organization_id == challenge.organization_id:
            challenge.pool_cents = funder.amount_cents
    # The rules as stored, so a form sent back unchanged is not a change.
    rules = {name: value for name, value in changes.items() if name != "amount_cents"}
    if "kinds" in rules:
        rules["kinds"] = sorted({kind.value for kind in rules["kinds"]})
    if "themes" in rules:
        rules["themes"] = _themes(rules["themes"])
    changed = {name: value for name, value in rules.items() if getattr(funder, name) != value}
    if changed and await _paid_by(session, funder.id):
        raise Conflict("Ce financeur a déjà versé de l'argent à des projets : ses règles et plafonds ne changent plus.")
    for name, value in changed.items():
        setattr(funder, name, value)
    await session.commit()
    return await _reloaded(session, funder.id)


async def remove_funder(session: AsyncSession, *, actor: User, challenge_id: int, funder_id: int) -> None:
    """Remove a contribution not yet received (once in the ledger, it stays)."""
    challenge, funder = await _funder_of(session, actor, challenge_id, funder_id)
    if funder.received_at is not None:
        raise Conflict("Cette contribution est déjà reçue dans la cagnotte : elle ne peut plus être retirée.")
    if funder.organization_id == challenge.organization_id:
        challenge.pool_cents = None
    await session.delete(funder)
    await session.commit()


async def mark_received(session: AsyncSession, *, actor: User, challenge_id: int, funder_id: int) -> Funder:
    """The money is on the call's account: record it in the pool (funder → challenge pool), once.

    Only an admin of the funding organization says so: the call's admins name funders, but money
    paid in an organization's name is vouched for by that organization, not by whoever named it.
    """
    challenge = await get_challenge(session, challenge_id, viewer=actor)
    funder = await session.get(Funder, funder_id, populate_existing=True)
    if funder is None or funder.challenge_id != challenge_id:
        raise NotFound(f"Financeur {funder_id} introuvable dans l'appel {challenge_id}.")
    if not await is_organization_admin(session, actor, funder.organization_id):
        raise Forbidden(
            f"Seuls les administrateurs de {funder.organization.name} marquent sa contribution comme reçue."
        )
    if challenge.status == ChallengeStatus.CLOSED:
        raise Conflict("Cet appel est clos : ses financeurs ne changent plus.")
    if funder.received_at is not None:
        raise Conflict("Cette contribution est déjà marquée reçue.")
    source = await open_account(session, kind=AccountKind.FUNDER, owner_id=funder.organization_id, unit=EUR)
    pool = await open_account(session, kind=AccountKind.CHALLENGE_POOL, owner_id=challenge.id, unit=EUR)
    await record_transfer(
        session,
        key=f"funder:{funder.id}:received",
        reason=f"Contribution de {funder.organization.name} à la cagnotte de l'appel « {challenge.title} »",
        legs=[(source, -funder.amount_cents), (pool, funder.amount_cents)],
    )
    funder.received_at = utcnow()
    funder.received_by_id = actor.id
    record_event(session, EventType.FUNDER_RECEIVED, challenge_id=challenge.id, funder_id=funder.id)
    await session.commit()
    return await _reloaded(session, funder.id)


async def _reloaded(session: AsyncSession, funder_id: int) -> Funder:
    funder = await session.get(Funder, funder_id, populate_existing=True)
    assert funder is not None
    return funder


# --------------------------------------------------------------------------- paying out


def _grant_key(challenge_id: int, round_id: int | None, grant: Grant) -> str:
    return f"{challenge_id}:{round_id if round_id is not None else '-'}:{grant.purpose}:{grant.project_id}"


def _check_grants(grants: Sequence[Grant], projects: Mapping[int, Project]) -> None:
    seen: set[tuple[int, str]] = set()
    for grant in grants:
        if grant.purpose not in PURPOSES:
            raise InvalidInput(f"Objet de versement inconnu « {grant.purpose} » (possibles : {', '.join(PURPOSES)}).")
        if grant.cents < 0:
            raise InvalidInput(f"Un versement au projet {grant.project_id} ne peut pas être négatif.")
        if grant.project_id not in projects:
            raise InvalidInput(f"Le projet {grant.project_id} ne répond pas à cet appel.")
        if (grant.project_id, grant.purpose) in seen:
            raise InvalidInput(f"Le projet {grant.project_id} figure deux fois pour le même objet ({grant.purpose}).")
        seen.add((grant.project_id, grant.purpose))


async def project_terms(session: AsyncSession, challenge: Challenge, projects: Sequence[Project]) -> list[ProjectTerms]:
    """What funders' rules look at in each project.

    - budget: the sum of the project's money needs' **maximum** amounts (what it could use in full),
      the base of a funder's percentage cap;
    - kinds: the kinds of the organizations its leads administer, or ``habitant`` when its leads
      administer none (a project carried by inhabitants);
    - themes: its call's themes (projects have no themes of their own).
    """
    rows = await session.execute(
        select(Membership.project_id, Organization.kind)
        .join(OrganizationAdmin, OrganizationAdmin.user_id == Membership.user_id)
        .join(Organization, Organization.id == OrganizationAdmin.organization_id)
        .where(Membership.project_id.in_([p.id for p in projects]), Membership.role == MembershipRole.LEAD)
    )
    kinds: defaultdict[int, set[str]] = defaultdict(set)
    for project_id, kind in rows:
        kinds[project_id].add(kind.value)
    return [
        ProjectTerms(
            project_id=project.id,
            budget_cents=sum(need.max_amount for need in project.needs if need.kind == ResourceKind.MONEY),
            kinds=frozenset(kinds[project.id] or {UNAFFILIATED_KIND.value}),
            themes=frozenset(challenge.themes),
        )
        for project in projects
    ]


async def _funder_terms(session: AsyncSession, challenge_id: int) -> list[FunderTerms]:
    """Each funder of the call with what it can still pay: received, minus what it paid."""
    funders = list(await session.scalars(select(Funder).where(Funder.challenge_id == challenge_id)))
    paid: defaultdict[int, dict[int, int]] = defaultdict(dict)
    rows = await session.execute(
        select(PayoutShare.funder_id, PayoutShare.project_id, func.sum(PayoutShare.cents))
        .where(PayoutShare.funder_id.in_([f.id for f in funders]))
        .group_by(PayoutShare.funder_id, PayoutShare.project_id)
    )
    for funder_id, project_id, total in rows:
        paid[funder_id][project_id] = int(total)
    return [
        FunderTerms(
            funder_id=funder.id,
            available_cents=(funder.amount_cents if funder.received_at is not None else 0)
            - sum(paid[funder.id].values()),
            kinds=frozenset(funder.kinds),
            themes=frozenset(funder.themes),
            max_share_percent=funder.max_share_percent,
            max_cents=funder.max_cents,
            paid=paid[funder.id],
        )
        for funder in funders
    ]


def _paid_grant(row: PayoutGrant) -> PaidGrant:
    return PaidGrant(
        project_id=row.project_id,
        purpose=row.purpose,
        asked_cents=row.asked_cents,
        paid_cents=row.paid_cents,
        by_funder={share.funder_id: share.cents for share in row.shares},
        reason=row.reason,
    )


async def pay_out(session: AsyncSession, *, challenge_id: int, round_id: int | None, grants: Sequence[Grant]) -> Payout:
    """Pay grants out of the call's pool, split among its funders, in the CALLER's transaction (no commit).

    The split (``commons.funders.split``) takes the grants in the order given: all-or-nothing
    ones are paid in full or refused, divisible ones get what can be covered; no funder pays a
    project it does not accept, beyond its caps, or more than it has received and not yet paid.
    Each funder's part of a grant is one ledger transfer challenge pool → project (key
    ``payout:<call>:<round or ->:<purpose>:<project>:<funder>``) and one ``PayoutShare`` row;
    each grant is one ``PayoutGrant`` row, with the reason it got less than asked.

    Idempotent: a grant already decided for this call, round, purpose and project is not paid again;
    its stored outcome is returned. Zero-cent grants are returned as paid, with nothing recorded.
    Raises ``NotFound`` for an unknown call and ``InvalidInput`` for a grant of another call's
    project, an unknown purpose, a negative amount, or a project named twice for one purpose.
    """
    # Locks the projects, then the call, in the order every writer takes them (a pledge's totals lock
    # its project, then its call): two payouts of the same call are decided one after the other.
    asked_ids = {grant.project_id for grant in grants}
    projects = {
        project.id: project
        for project in await session.scalars(
            select(Project)
            .where(Project.id.in_(asked_ids), Project.challenge_id == challenge_id)
            .order_by(Project.id)
            .with_for_update(of=Project)
        )
    }
    challenge = await session.scalar(
        select(Challenge).where(Challenge.id == challenge_id).with_for_update(of=Challenge)
    )
    if challenge is None:
        raise NotFound(f"Appel {challenge_id} introuvable.")
    _check_grants(grants, projects)

    def _cancelled(grant: Grant) -> bool:
        return projects[grant.project_id].funding_status == FundingStatus.CANCELLED

    keys = [_grant_key(challenge_id, round_id, grant) for grant in grants]
    done = {row.key: row for row in await session.scalars(select(PayoutGrant).where(PayoutGrant.key.in_(keys)))}
    todo = [(key, grant) for key, grant in zip(keys, grants, strict=True) if key not in done and grant.cents > 0]
    if todo:
        splits = split_grants(
            await _funder_terms(session, challenge_id),
            await project_terms(session, challenge, [projects[grant.project_id] for _, grant in todo]),
            # A cancelled project gets nothing: its grant is decided (and recorded) as refused.
            [GrantAsk(grant.project_id, 0 if _cancelled(grant) else grant.cents, grant.divisible) for _, grant in todo],
        )
        pool = await open_account(session, kind=AccountKind.CHALLENGE_POOL, owner_id=challenge_id, unit=EUR)
        names = {
            funder_id: name
            for funder_id, name in await session.execute(
                select(Funder.id, Organization.name)
                .join(Organization, Organization.id == Funder.organization_id)
                .where(Funder.challenge_id == challenge_id)
            )
        }
        for (key, grant), split in zip(todo, splits, strict=True):
            row = PayoutGrant(
                key=key,
                challenge_id=challenge_id,
                round_id=round_id,
                project_id=grant.project_id,
                purpose=grant.purpose,
                divisible=grant.divisible,
                asked_cents=grant.cents,
                paid_cents=split.paid_cents,
                reason="Projet annulé : rien ne lui est versé." if _cancelled(grant) else split.reason,
            )
            session.add(row)
            await session.flush()
            project_account = await open_account(session, kind=AccountKind.PROJECT, owner_id=grant.project_id, unit=EUR)
            for funder_id, cents in sorted(split.by_funder.items()):
                transfer = await record_transfer(
                    session,
                    key=f"payout:{key}:{funder_id}",
                    reason=(
                        f"{PURPOSE_LABELS[grant.purpose].capitalize()} de l'appel « {challenge.title} » "
                        f"au projet « {projects[grant.project_id].title} », payé par {names[funder_id]}"
                    ),
                    legs=[(pool, -cents), (project_account, cents)],
                )
                session.add(
                    PayoutShare(
                        grant_id=row.id,
                        funder_id=funder_id,
                        project_id=grant.project_id,
                        cents=cents,
                        transfer_id=transfer.id,
                    )
                )
            done[key] = row
        record_event(session, EventType.POOL_PAID_OUT, challenge_id=challenge_id, round_id=round_id)
        await session.flush()
        for row in done.values():
            await session.refresh(row, ["shares"])
    return Payout(
        challenge_id=challenge_id,
        round_id=round_id,
        grants=tuple(
            _paid_grant(done[key]) if key in done else PaidGrant(grant.project_id, grant.purpose, 0, 0, {}, "")
            for key, grant in zip(keys, grants, strict=True)
        ),
    )
