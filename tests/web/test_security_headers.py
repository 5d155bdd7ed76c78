"""Security headers on every answer; no-store on whatever is personal; templates the CSP can serve."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories
from tests.factories import Client
from tests.web.helpers import signed_in_person

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


def assert_security_headers(answer: httpx.Response) -> None:
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"


async def test_every_answer_carries_the_security_headers(app: Litestar) -> None:
    # A browser that has no cookie yet: a fresh client per request.
    for path, status in [("/", 200), ("/static/commons.css", 200), ("/no/such/page", 404), ("/api/v1/challenges", 200)]:
        async with AsyncTestClient(app, base_url="https://testserver.local") as fresh:
            answer = await fresh.get(path)
        assert answer.status_code == status, path
        assert_security_headers(answer)
        assert answer.headers["strict-transport-security"].startswith("max-age=")


async def test_hsts_is_sent_over_tls_only(app: Litestar) -> None:
    async with AsyncTestClient(app, base_url="http://testserver.local") as plain:
        answer = await plain.get("/api/v1/challenges")
    assert_security_headers(answer)
    assert "strict-transport-security" not in answer.headers


async def test_public_answers_without_credentials_may_be_cached(app: Litestar) -> None:
    async with AsyncTestClient(app, base_url="https://testserver.local") as fresh:
        answer = await fresh.get("/api/v1/challenges")
    assert "no-store" not in answer.headers.get("cache-control", "")


async def test_pages_of_a_signed_in_person_are_not_stored(client: Client, session: AsyncSession) -> None:
    await signed_in_person(client, session)
    for path in ("/me", "/"):
        answer = await client.get(path)
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "no-store", path


async def test_api_answers_to_a_token_are_not_stored(client: Client) -> None:
    actor = await factories.api_user(client)
    answer = await client.get("/api/v1/challenges", headers=actor.headers)
    assert answer.headers["cache-control"] == "no-store"


async def test_forms_handing_out_a_csrf_cookie_are_not_stored(app: Litestar) -> None:
    async with AsyncTestClient(app, base_url="https://testserver.local") as fresh:
        answer = await fresh.get("/signup")
    assert "commons_csrf" in answer.headers.get("set-cookie", "")
    assert answer.headers["cache-control"] == "no-store"


def test_templates_have_no_inline_script_or_style() -> None:
    """The CSP blocks them: a template with one would break in the browser, not in the tests."""
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        inline_script = re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)
        if inline_script or re.search(r"<style\b|\sstyle=|\son[a-z]+=|javascript:", text):
            offenders.append(template.relative_to(TEMPLATES))
    assert offenders == []
