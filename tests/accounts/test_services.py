"""Accounts: sign-up rules, sign-in throttling, tokens, organizations."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts import services
from commons.accounts.models import OrganizationKind
from commons.errors import Conflict, Forbidden, InvalidInput, TooManyAttempts
from commons.throttle import Throttle
from tests.factories import PASSWORD


async def test_email_is_unique_whatever_its_case(session: AsyncSession) -> None:
    await services.sign_up(session, email="Ana@Example.fr", password=PASSWORD, name="Ana")
    with pytest.raises(Conflict):
        await services.sign_up(session, email="ana@example.FR", password=PASSWORD, name="Ana bis")


@pytest.mark.parametrize(
    ("email", "password", "name"),
    [("pas-un-email", PASSWORD, "A"), ("a@b.fr", "court", "A"), ("a@b.fr", PASSWORD, "   ")],
)
async def test_sign_up_refuses_bad_input(session: AsyncSession, email: str, password: str, name: str) -> None:
    with pytest.raises(InvalidInput):
        await services.sign_up(session, email=email, password=password, name=name)


async def test_password_is_stored_as_an_argon2_hash(session: AsyncSession) -> None:
    user = await services.sign_up(session, email="b@example.fr", password=PASSWORD, name="B")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


async def test_sign_in_is_throttled_after_repeated_failures(session: AsyncSession) -> None:
    await services.sign_up(session, email="c@example.fr", password=PASSWORD, name="C")
    throttle = Throttle(None)
    for _ in range(5):
        with pytest.raises(Forbidden):
            await services.authenticate(
                session, email="c@example.fr", password="wrong", throttle=throttle, address="203.0.113.9"
            )
    # Even the right password is refused from that address while the window lasts...
    with pytest.raises(TooManyAttempts) as refused:
        await services.authenticate(
            session, email="c@example.fr", password=PASSWORD, throttle=throttle, address="203.0.113.9"
        )
    assert refused.value.retry_after > 0
    # ...but the stranger did not lock the owner out: from their own address, they get in.
    user = await services.authenticate(
        session, email="c@example.fr", password=PASSWORD, throttle=throttle, address="198.51.100.4"
    )
    assert user.email == "c@example.fr"


async def test_one_password_sprayed_over_many_accounts_is_slowed(session: AsyncSession) -> None:
    throttle = Throttle(None)
    for i in range(30):
        with pytest.raises(Forbidden):
            await services.authenticate(
                session,
                email=f"cible{i}@example.fr",
                password="Printemps2026!",
                throttle=throttle,
                address="203.0.113.7",
            )
    with pytest.raises(TooManyAttempts):
        await services.authenticate(
            session, email="cible99@example.fr", password="Printemps2026!", throttle=throttle, address="203.0.113.7"
        )


async def test_token_identifies_its_user_and_only_its_digest_is_stored(session: AsyncSession) -> None:
    user = await services.sign_up(session, email="d@example.fr", password=PASSWORD, name="D")
    record, token = await services.issue_token(session, user)
    assert token not in record.token_hash
    found = await services.user_for_token(session, token)
    assert found is not None and found.id == user.id
    assert await services.user_for_token(session, token + "x") is None


async def test_only_platform_admins_create_organizations(session: AsyncSession) -> None:
    citizen = await services.sign_up(session, email="e@example.fr", password=PASSWORD, name="E")
    with pytest.raises(Forbidden):
        await services.create_organization(session, actor=citizen, name="Asso", kind=OrganizationKind.ASSOCIATION)
    admin = await services.sign_up(session, email="f@example.fr", password=PASSWORD, name="F", is_platform_admin=True)
    organization = await services.create_organization(
        session, actor=admin, name="Asso", kind=OrganizationKind.ASSOCIATION
    )
    await services.add_organization_admin(session, actor=admin, organization_id=organization.id, email="e@example.fr")
    assert [o.name for o in await services.administered_organizations(session, citizen)] == ["Asso"]
    with pytest.raises(Conflict):
        await services.add_organization_admin(
            session, actor=admin, organization_id=organization.id, email="e@example.fr"
        )
