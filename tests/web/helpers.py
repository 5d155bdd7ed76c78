"""Acting through the HTML pages as a person with a browser would: forms, CSRF token, session cookie."""

from __future__ import annotations

import html
import itertools
from collections.abc import Mapping
from typing import Any

import httpx
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts import services as accounts
from commons.accounts.models import User
from tests.factories import PASSWORD, Client

FormData = Mapping[str, str | list[str]]
_sequence = itertools.count(1)


async def csrf_token(client: Client, page: str = "/login") -> str:
    """The CSRF token of the browser's cookie, fetched by a GET when there is none yet."""
    token = client.cookies.get("commons_csrf")
    if token is None:
        await client.get(page)
        token = client.cookies.get("commons_csrf")
    assert token, "no CSRF cookie after a GET"
    return token


async def post_form(
    client: Client, url: str, data: FormData | None = None, *, headers: dict[str, str] | None = None
) -> httpx.Response:
    """Submit a form as the browser does: urlencoded, with the CSRF token, without following redirects."""
    body = {**(data or {}), "_csrf_token": await csrf_token(client)}
    return await client.post(url, data=body, headers=headers, follow_redirects=False)


async def sign_in(client: Client, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form (replacing whoever was signed in)."""
    answer = await post_form(client, "/login", {"email": email, "password": password})
    assert answer.status_code == 303, answer.text


async def person(session: AsyncSession, name: str = "Camille", *, verified: bool = True) -> User:
    """A signed-up person (through the service), who signs in with ``PASSWORD``; ``verified``: their
    address is verified, as most tests are not about verification."""
    email = f"{name.lower()}.{next(_sequence)}@example.fr"
    return await accounts.sign_up(session, email=email, password=PASSWORD, name=name, email_verified=verified)


async def signed_in_person(
    client: Client, session: AsyncSession, name: str = "Camille", *, verified: bool = True
) -> User:
    user = await person(session, name, verified=verified)
    await sign_in(client, user.email)
    return user


async def read(session: AsyncSession, query: Select[Any]) -> Any:
    """One value read in a transaction of its own, ended at once (SQLite locks the file while it is open)."""
    try:
        return await session.scalar(query.execution_options(populate_existing=True))
    finally:
        await session.commit()  # not rollback, which would expire the objects the test holds


def text_of(answer: httpx.Response) -> str:
    """A page's HTML with its entities decoded (``d&#39;accord`` → ``d'accord``)."""
    return html.unescape(answer.text)
