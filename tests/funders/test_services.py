"""Funders of a call and paying grants out of its pool, in the ledger, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts import services as accounts
from commons.accounts.models import OrganizationKind, User
from commons.errors import Conflict, InvalidInput
from commons.funders.models import Funder, PayoutGrant, PayoutShare
from commons.funders.schemas import FunderCreate, FunderUpdate
from commons.funders.services import Grant, add_funder, list_funders, mark_received, pay_out, update_funder
from commons.ledger.check import check_ledger
from commons.ledger.models import Transfer
from commons.ledger.rules import EUR, AccountKind
from commons.ledger.services import owner_balances
from tests import factories
from tests.factories import Client


async def _user(session: AsyncSession, email: str) -> User:
    user = await session.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


async def _organization(session: AsyncSession, name: str, kind: OrganizationKind) -> int:
    organization = await accounts.create_organization(session, actor=None, name=name, kind=kind)
    return organization.id


async def _call_with_projects(session: AsyncSession, client: Client) -> dict[str, Any]:
    """A call with a 30,000 € authority pool and two projects: one by inhabitants, one by an association."""
    mayor = await factories.authority(session, client, "Maire")
    call = await factories.open_challenge(client, mayor, pool_cents=3_000_000, themes=["mobilité"])
    citizen = await factories.api_user(client, "Habitante")
    citizens = await factories.project(client, citizen, call["id"])  # budget: 1,200 € (money need max)
    association = await factories.api_user(client, "Asso")
    organization = await _organization(session, "Roule ma poule", OrganizationKind.ASSOCIATION)
    await accounts.add_organization_admin(session, actor=None, organization_id=organization, email=association.email)
    associative = await factories.project(
        client,
        association,
        call["id"],
        needs=[{"kind": "money", "label": "Atelier", "min_cents": 100_000, "max_cents": 200_000}],
    )
    setup = {
        "call": call,
        "mayor": await _user(session, mayor.email),
        "citizens": citizens["id"],
        "associative": associative["id"],
    }
    await session.commit()  # SQLite: end the read, which holds the write lock the API needs
    return setup


async def test_the_authority_is_the_first_funder_of_its_pool(client: Client, session: AsyncSession) -> None:
    setup = await _call_with_projects(session, client)
    [view] = await list_funders(session, challenge_id=setup["call"]["id"], viewer=None)
    assert view.is_authority
    assert view.funder.amount_cents == 3_000_000
    assert view.funder.kinds == [] and view.funder.received_at is None


async def test_pay_out_splits_among_funders_respecting_rules_and_caps(client: Client, session: AsyncSession) -> None:
    setup = await _call_with_projects(session, client)
    call_id, mayor = setup["call"]["id"], setup["mayor"]
    treasurer = await factories.api_user(client, "Trésorière")
    foundation = await _organization(session, "Fondation du Val", OrganizationKind.FONDATION)
    # The foundation funds associations only, at most 50 % of a project's budget.
    added = await add_funder(
        session,
        actor=mayor,
        challenge_id=call_id,
        data=FunderCreate(
            organization_id=foundation, amount_cents=500_000, kinds=[OrganizationKind.ASSOCIATION], max_share_percent=50
        ),
    )
    authority = await session.scalar(select(Funder).where(Funder.challenge_id == call_id, Funder.id != added.id))
    assert authority is not None
    # The authority's pool is capped at 100,000 cents per project for this test.
    await update_funder(
        session, actor=mayor, challenge_id=call_id, funder_id=authority.id, data=FunderUpdate(max_cents=100_000)
    )
    # Each contribution is marked received by its own organization: the mayor for the pool, the
    # foundation's treasurer for the foundation's.
    await accounts.add_organization_admin(session, actor=None, organization_id=foundation, email=treasurer.email)
    await mark_received(session, actor=mayor, challenge_id=call_id, funder_id=authority.id)
    await mark_received(session, actor=await _user(session, treasurer.email), challenge_id=call_id, funder_id=added.id)

    grants = [
        Grant(project_id=setup["associative"], cents=200_000, divisible=False, purpose="allocation"),
        Grant(project_id=setup["citizens"], cents=120_000, divisible=False, purpose="allocation"),
        Grant(project_id=setup["citizens"], cents=50_000, divisible=True, purpose="match"),
    ]
    payout = await pay_out(session, challenge_id=call_id, round_id=7, grants=grants)
    await session.commit()

    associative, citizens, match = payout.grants
    # 50 % of the association's 2,000 € budget from the foundation, the rest from the authority.
    assert associative.by_funder == {authority.id: 100_000, added.id: 100_000}
    # The foundation does not fund inhabitants; the authority's cap (1,000 €) refuses the whole 1,200 €.
    assert citizens.paid_cents == 0 and "plafonds" in citizens.reason
    assert match.by_funder == {authority.id: 50_000}
    assert payout.paid_cents == 250_000
    balances = await owner_balances(session, kind=AccountKind.PROJECT, owner_id=setup["associative"])
    assert balances == {EUR: 200_000}
    pool = await owner_balances(session, kind=AccountKind.CHALLENGE_POOL, owner_id=call_id)
    assert pool == {EUR: 3_500_000 - 250_000}
    assert await check_ledger(session) == []

    # Run twice: one effect, the same answer.
    again = await pay_out(session, challenge_id=call_id, round_id=7, grants=grants)
    await session.commit()
    assert again == payout
    assert await session.scalar(select(func.count()).select_from(PayoutShare)) == 3
    assert await session.scalar(select(func.count()).select_from(PayoutGrant)) == 3
    assert await session.scalar(select(func.count()).select_from(Transfer).where(Transfer.key.like("payout:%"))) == 3

    # The rules of a funder that paid are frozen; its received amount too.
    with pytest.raises(Conflict, match="règles"):
        await update_funder(session, actor=mayor, challenge_id=call_id, funder_id=added.id, data=FunderUpdate(kinds=[]))
    with pytest.raises(Conflict, match="reçue"):
        await update_funder(
            session, actor=mayor, challenge_id=call_id, funder_id=added.id, data=FunderUpdate(amount_cents=1)
        )


async def test_only_money_received_is_paid_out(client: Client, session: AsyncSession) -> None:
    setup = await _call_with_projects(session, client)
    grants = [
        Grant(project_id=setup["associative"], cents=100_000, divisible=False, purpose="seed"),
        Grant(project_id=setup["citizens"], cents=10_000, divisible=True, purpose="wallet"),
    ]
    payout = await pay_out(session, challenge_id=setup["call"]["id"], round_id=None, grants=grants)
    await session.commit()
    assert payout.paid_cents == 0
    assert "ne suffit pas" in payout.grants[0].reason and "tout ou rien" in payout.grants[0].reason
    assert "versé 0 €" in payout.grants[1].reason
    pool = await owner_balances(session, kind=AccountKind.CHALLENGE_POOL, owner_id=setup["call"]["id"])
    assert pool.get(EUR, 0) == 0
    assert await check_ledger(session) == []


async def test_bad_grants_are_refused_with_nothing_written(client: Client, session: AsyncSession) -> None:
    setup = await _call_with_projects(session, client)
    call_id = setup["call"]["id"]
    other = await factories.open_challenge(client, await factories.authority(session, client))
    stranger = await factories.project(client, await factories.api_user(client), other["id"])
    bad = [
        [Grant(project_id=stranger["id"], cents=1, divisible=True, purpose="match")],
        [Grant(project_id=setup["citizens"], cents=1, divisible=True, purpose="bonus")],
        [Grant(project_id=setup["citizens"], cents=-1, divisible=True, purpose="match")],
        [Grant(project_id=setup["citizens"], cents=1, divisible=True, purpose="match")] * 2,
    ]
    for grants in bad:
        with pytest.raises(InvalidInput):
            await pay_out(session, challenge_id=call_id, round_id=1, grants=grants)
        await session.rollback()
    assert await session.scalar(select(func.count()).select_from(PayoutGrant)) == 0


async def test_editing_the_pool_edits_the_authoritys_contribution(client: Client, session: AsyncSession) -> None:
    setup = await _call_with_projects(session, client)
    call_id = setup["call"]["id"]
    owner_email = setup["mayor"].email
    token = await client.post("/api/v1/tokens", json={"email": owner_email, "password": factories.PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    answer = await client.patch(f"/api/v1/challenges/{call_id}", json={"pool_cents": 4_000_000}, headers=headers)
    assert answer.status_code == 200, answer.text
    [view] = await list_funders(session, challenge_id=call_id, viewer=None)
    assert view.funder.amount_cents == 4_000_000
    await session.commit()
    await mark_received(session, actor=setup["mayor"], challenge_id=call_id, funder_id=view.funder.id)
    await session.commit()
    refused = await client.patch(f"/api/v1/challenges/{call_id}", json={"pool_cents": 1}, headers=headers)
    assert refused.status_code == 409
    assert "déjà reçue" in refused.json()["detail"]
