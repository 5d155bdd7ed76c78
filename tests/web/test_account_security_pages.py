"""Sessions ended on the server, password change and reset, through the pages."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts import security
from commons.accounts.models import User
from commons.accounts.security import verify_password
from tests import factories
from tests.conftest import eventually
from tests.factories import PASSWORD, Client
from tests.web.helpers import person, post_form, read, sign_in, signed_in_person, text_of

NEW_PASSWORD = "lanterne verte du phare"


def steal_cookie(client: Client) -> dict[str, str]:
    return {name: value for name, value in client.cookies.items() if name.startswith("commons_session")}


def plant_cookie(client: Client, cookies: dict[str, str]) -> None:
    for name, value in cookies.items():
        client.cookies.set(name, value, domain="testserver.local")


async def is_signed_in(client: Client) -> bool:
    answer = await client.get("/me", follow_redirects=False)
    return answer.status_code == 200


async def test_a_cookie_copied_before_sign_out_no_longer_signs_in(client: Client, session: AsyncSession) -> None:
    await signed_in_person(client, session)
    stolen = steal_cookie(client)
    assert stolen and await is_signed_in(client)
    await post_form(client, "/logout")
    plant_cookie(client, stolen)
    answer = await client.get("/me", follow_redirects=False)
    assert answer.status_code in (302, 303) and answer.headers["location"] == "/login?next=/me"


async def test_changing_password_ends_the_other_sessions_only(
    app: Litestar, client: Client, session: AsyncSession
) -> None:
    user = await signed_in_person(client, session)
    async with factories.client_of(app.state.settings) as other_browser:
        await sign_in(other_browser, user.email)
        assert await is_signed_in(other_browser)

        wrong = await post_form(
            client, "/me/password", {"current_password": "pas le bon", "new_password": NEW_PASSWORD}
        )
        assert wrong.status_code == 403 and "actuel est incorrect" in text_of(wrong)
        weak = await post_form(client, "/me/password", {"current_password": PASSWORD, "new_password": "1234567890"})
        assert weak.status_code == 400 and "trop facile" in text_of(weak)
        assert await is_signed_in(other_browser)

        changed = await post_form(client, "/me/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
        assert (changed.status_code, changed.headers["location"]) == (303, "/me")
        assert await is_signed_in(client)
        assert not await is_signed_in(other_browser)
    stored = await read(session, select(User.password_hash).where(User.id == user.id))
    assert (await verify_password(stored, NEW_PASSWORD)).matched


async def test_password_reset_by_mail_works_once_and_ends_every_session(
    client: Client, session: AsyncSession, data_dir: Path
) -> None:
    user = await signed_in_person(client, session)
    await client.get("/me")  # shows the welcome message, which would otherwise make the next page differ
    unknown = await post_form(client, "/password/forgot", {"email": "personne.inconnue@example.fr"})
    asked = await post_form(client, "/password/forgot", {"email": user.email})
    assert asked.status_code == unknown.status_code == 200
    assert text_of(asked) == text_of(unknown)  # nothing tells whether the address has an account

    async def mailed() -> bool:
        return len(factories.mail_to(data_dir, user.email)) == 1

    await eventually(mailed)
    (message,) = factories.mail_to(data_dir, user.email)
    link = factories.link_in(message, "/password/reset")
    form = await client.get(link)
    token = link.partition("token=")[2]
    assert form.status_code == 200 and token in form.text

    weak = await post_form(client, "/password/reset", {"token": token, "password": "aaaaaaaaaa"})
    assert weak.status_code == 400
    done = await post_form(client, "/password/reset", {"token": token, "password": NEW_PASSWORD})
    assert (done.status_code, done.headers["location"]) == (303, "/login")
    assert not await is_signed_in(client)

    again = await post_form(client, "/password/reset", {"token": token, "password": "encore un autre secret"})
    assert again.status_code == 400 and "invalide ou a expiré" in text_of(again)
    await sign_in(client, user.email, NEW_PASSWORD)


async def test_sign_in_rehashes_a_password_hashed_with_older_parameters(client: Client, session: AsyncSession) -> None:
    user = await person(session)
    old_hash = user.password_hash
    stronger = security.PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    current, security._hasher = security._hasher, stronger
    try:
        await sign_in(client, user.email)
    finally:
        security._hasher = current
    new_hash = await read(session, select(User.password_hash).where(User.id == user.id))
    assert new_hash != old_hash and "t=2" in new_hash
