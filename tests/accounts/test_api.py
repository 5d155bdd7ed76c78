"""Accounts through the JSON API: sign-up that reveals nothing, verification, tokens, passwords, limits."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts import security, services
from commons.accounts.models import ApiToken, User
from commons.db import utcnow
from tests import factories
from tests.conftest import eventually
from tests.factories import PASSWORD, Client
from tests.web.helpers import person, read, sign_in

NEW_PASSWORD = "lanterne verte du phare"


async def _mails(data_dir: Path, address: str, count: int = 1) -> None:
    async def arrived() -> bool:
        return len(factories.mail_to(data_dir, address)) >= count

    await eventually(arrived)


async def test_sign_up_answers_the_same_for_a_known_address(
    client: Client, session: AsyncSession, data_dir: Path
) -> None:
    existing = await person(session, "Ana")
    fresh = await client.post("/api/v1/accounts", json={"email": "neuf@example.fr", "password": PASSWORD, "name": "A"})
    known = await client.post("/api/v1/accounts", json={"email": existing.email, "password": PASSWORD, "name": "A"})
    assert fresh.status_code == known.status_code == 202
    assert fresh.json() == known.json()
    await _mails(data_dir, existing.email)
    assert "Tentative d'inscription" in factories.mail_to(data_dir, existing.email)[0]["Subject"]
    assert await read(session, select(User.name).where(User.email == existing.email)) == "Ana"


async def test_the_verification_link_verifies_the_address_and_can_be_resent(
    client: Client, session: AsyncSession, data_dir: Path
) -> None:
    actor = await factories.api_user(client, "Basile", verified=False)
    assert (await client.get("/api/v1/me", headers=actor.headers)).json()["email_verified"] is False
    await _mails(data_dir, actor.email)
    resent = await client.post("/api/v1/me/verification-mail", headers=actor.headers)
    assert resent.status_code == 202
    await _mails(data_dir, actor.email, count=2)
    token = factories.link_in(factories.mail_to(data_dir, actor.email)[-1], "/verify-email").partition("token=")[2]
    forged = await client.post("/api/v1/accounts/verification", json={"token": token[:-3] + "abc"})
    assert forged.status_code == 400
    verified = await client.post("/api/v1/accounts/verification", json={"token": token})
    assert verified.status_code == 204
    assert (await client.get("/api/v1/me", headers=actor.headers)).json()["email_verified"] is True


async def test_tokens_expire_are_listed_without_secret_and_can_be_revoked(
    client: Client, session: AsyncSession
) -> None:
    actor = await factories.api_user(client)
    too_long = await client.post("/api/v1/tokens", json={"email": actor.email, "password": PASSWORD, "days": 400})
    assert too_long.status_code == 400
    created = await client.post(
        "/api/v1/tokens", json={"email": actor.email, "password": PASSWORD, "label": "script", "days": 7}
    )
    assert created.status_code == 201
    second = created.json()
    headers = {"Authorization": f"Bearer {second['token']}"}

    listed = (await client.get("/api/v1/tokens", headers=headers)).json()
    assert [t["label"] for t in listed] == ["script", ""]
    assert all("token" not in t for t in listed) and second["token"] not in str(listed)
    first_expiry = await read(session, select(ApiToken.expires_at).where(ApiToken.id == listed[1]["id"]))
    assert timedelta(days=89) < first_expiry - utcnow() <= timedelta(days=90)

    revoked = await client.delete(f"/api/v1/tokens/{listed[1]['id']}", headers=headers)
    assert revoked.status_code == 204
    assert (await client.get("/api/v1/me", headers=actor.headers)).status_code == 401
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200

    await session.execute(update(ApiToken).where(ApiToken.id == second["id"]).values(expires_at=utcnow()))
    await session.commit()
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_someone_elses_token_cannot_be_revoked(client: Client, session: AsyncSession) -> None:
    owner, other = await factories.api_user(client, "Owner"), await factories.api_user(client, "Other")
    (owner_token,) = (await client.get("/api/v1/tokens", headers=owner.headers)).json()
    assert (await client.delete(f"/api/v1/tokens/{owner_token['id']}", headers=other.headers)).status_code == 404
    assert (await client.get("/api/v1/me", headers=owner.headers)).status_code == 200


async def test_repeated_failures_get_a_429_with_retry_after(client: Client, session: AsyncSession) -> None:
    actor = await factories.api_user(client)
    for _ in range(5):
        wrong = await client.post("/api/v1/tokens", json={"email": actor.email, "password": "pas le bon"})
        assert wrong.status_code == 403
    refused = await client.post("/api/v1/tokens", json={"email": actor.email, "password": PASSWORD})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
    assert "Trop de tentatives" in refused.json()["detail"]


async def test_password_change_and_reset_through_the_api(client: Client, session: AsyncSession, data_dir: Path) -> None:
    actor = await factories.api_user(client)
    bad = await client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": actor.email},
        headers=actor.headers,
    )
    assert bad.status_code == 400 and "adresse e-mail" in bad.json()["detail"]
    changed = await client.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}, headers=actor.headers
    )
    assert changed.status_code == 204

    asked = await client.post("/api/v1/password-reset", json={"email": actor.email})
    unknown = await client.post("/api/v1/password-reset", json={"email": "inconnu@example.fr"})
    assert asked.status_code == unknown.status_code == 202 and asked.json() == unknown.json()
    await _mails(data_dir, actor.email, count=2)  # after the verification mail of the sign-up
    token = factories.link_in(factories.mail_to(data_dir, actor.email)[-1], "/password/reset").partition("token=")[2]
    reset = await client.post("/api/v1/password-reset/confirm", json={"token": token, "password": PASSWORD + " bis"})
    assert reset.status_code == 204
    again = await client.post("/api/v1/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert again.status_code == 400
    logged = await client.post("/api/v1/tokens", json={"email": actor.email, "password": PASSWORD + " bis"})
    assert logged.status_code == 201


async def test_a_platform_admin_lists_and_ends_a_users_sessions(client: Client, session: AsyncSession) -> None:
    user = await person(session)
    await sign_in(client, user.email)
    admin = await factories.api_user(client, "Admin")
    citizen = await factories.api_user(client, "Citoyen")
    await session.execute(update(User).where(User.id == admin.id).values(is_platform_admin=True))
    await session.commit()

    assert (await client.get(f"/api/v1/admin/users/{user.id}/sessions", headers=citizen.headers)).status_code == 403
    listed = await client.get(f"/api/v1/admin/users/{user.id}/sessions", headers=admin.headers)
    assert listed.status_code == 200 and len(listed.json()) == 1
    ended = await client.delete(f"/api/v1/admin/users/{user.id}/sessions", headers=admin.headers)
    assert ended.status_code == 204
    assert (await client.get(f"/api/v1/admin/users/{user.id}/sessions", headers=admin.headers)).json() == []
    assert (await client.get("/me", follow_redirects=False)).status_code in (302, 303)


async def test_password_hashing_runs_off_the_event_loop_thread(session: AsyncSession) -> None:
    threads: list[int] = []
    hasher = security._hasher

    class Recording(type(hasher)):  # type: ignore[misc]
        def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
            threads.append(threading.get_ident())
            return super().hash(password, salt=salt)

    security._hasher = Recording(time_cost=1, memory_cost=1024, parallelism=1)
    try:
        await services.sign_up(session, email="fil@example.fr", password=PASSWORD, name="Fil")
    finally:
        security._hasher = hasher
    assert threads and threading.get_ident() not in threads
