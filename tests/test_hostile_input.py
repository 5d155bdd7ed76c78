"""Hostile input (huge ids and numbers, deep JSON, strings for numbers, NUL bytes): a 4xx, never a 500."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.budgeting.models import Round
from commons.projects.models import Project
from tests import factories
from tests.factories import Client
from tests.web.helpers import csrf_token, post_form, signed_in_person


async def _count(session: AsyncSession, model: type[Any]) -> int:
    count = await session.scalar(select(func.count()).select_from(model))
    await session.rollback()  # end the read: on SQLite it holds the write lock
    return int(count or 0)


def _routes_with_ids(app: Litestar) -> list[tuple[str, str]]:
    """Every (method, path template) of the application that takes an integer id in its path."""
    return sorted(
        (method, route.path)
        for route in app.routes
        if isinstance(route, HTTPRoute) and ":int}" in route.path
        for method in route.methods
        if method not in ("HEAD", "OPTIONS")
    )


@pytest.mark.parametrize("impossible_id", [2**31, 2**63, 10**30])
async def test_an_impossible_id_in_any_path_is_404(
    app: Litestar, client: Client, session: AsyncSession, impossible_id: int
) -> None:
    """PostgreSQL's integer columns stop at 2^31 - 1 and SQLite's at 2^63 - 1: such an id names nothing."""
    routes = _routes_with_ids(app)
    assert len(routes) > 50
    actor = await factories.api_user(client)
    await signed_in_person(client, session, "Dominique")
    token = await csrf_token(client)
    answers = {}
    for method, template in routes:
        path = re.sub(r"\{[a-z_]+:int\}", str(impossible_id), template)
        if path.startswith("/api/"):
            answer = await client.request(method, path, headers=actor.headers, json={})
        else:
            answer = await client.request(method, path, data={"_csrf_token": token}, follow_redirects=False)
        answers[f"{method} {template}"] = answer.status_code
    assert {route: status for route, status in answers.items() if status != 404} == {}


async def test_an_impossible_id_in_a_query_is_a_400(client: Client) -> None:
    answer = await client.get(f"/api/v1/challenges?territory_id={2**63}")
    assert answer.status_code == 400, answer.text
    assert "territory_id" in answer.text


async def test_json_nested_100000_deep_is_a_400(client: Client) -> None:
    actor = await factories.api_user(client)
    deep = "[" * 100_000 + "]" * 100_000
    for body in (deep, '{"title": ' + deep + "}"):
        answer = await client.post(
            "/api/v1/challenges", content=body, headers={**actor.headers, "content-type": "application/json"}
        )
        assert answer.status_code == 400, answer.text


@pytest.fixture
async def stage(client: Client, session: AsyncSession) -> dict[str, Any]:
    mayor = await factories.authority(session, client)
    challenge = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteur")
    project = await factories.project(client, lead, challenge["id"])
    return {"mayor": mayor, "lead": lead, "challenge": challenge, "project": project}


async def test_an_amount_written_as_text_is_refused(client: Client, stage: dict[str, Any]) -> None:
    contributor = await factories.api_user(client, "Donateur")
    answer = await client.post(
        f"/api/v1/projects/{stage['project']['id']}/pledges",
        json={"need_id": stage["project"]["needs"][0]["id"], "kind": "money", "amount_cents": "100"},
        headers=contributor.headers,
    )
    assert answer.status_code in (400, 422), answer.text
    assert "amount_cents" in answer.text


@pytest.mark.parametrize("field", ["title", "summary"])
async def test_nul_bytes_in_text_are_refused_and_never_stored(
    client: Client, session: AsyncSession, stage: dict[str, Any], field: str
) -> None:
    before = await _count(session, Project)
    body = {"title": "Jardin", "summary": "Un jardin partagé.", "needs": []} | {field: "Jar\x00din"}
    answer = await client.post(
        f"/api/v1/challenges/{stage['challenge']['id']}/projects", json=body, headers=stage["lead"].headers
    )
    assert answer.status_code == 400, answer.text
    assert "NUL" in answer.json()["detail"]
    assert await _count(session, Project) == before


async def test_nul_bytes_in_a_form_are_refused(client: Client) -> None:
    answer = await post_form(client, "/signup", {"name": "Ca\x00mille", "email": "c@example.fr", "password": "x" * 12})
    assert answer.status_code == 400
    assert "NUL" in answer.text


PB_HEADER = "META\nkey;value\nnum_projects;{projects}\nnum_votes;1\nbudget;{budget}\nvote_type;approval\n"


def _pb(cost: str, budget: str = "1000") -> str:
    return (
        PB_HEADER.format(projects=1, budget=budget)
        + f"PROJECTS\nproject_id;cost\n1;{cost}\nVOTES\nvoter_id;vote\n1;1\n"
    )


@pytest.mark.parametrize(("cost", "budget"), [("1" + "0" * 30, "1000"), ("100", "1" + "0" * 30)])
async def test_a_pabulib_file_with_absurd_amounts_is_refused_quickly(
    client: Client, session: AsyncSession, stage: dict[str, Any], cost: str, budget: str
) -> None:
    started = time.monotonic()
    answer = await client.post(
        f"/api/v1/challenges/{stage['challenge']['id']}/rounds/import",
        json={"pb": _pb(cost, budget), "rule": "greedy"},
        headers=stage["mayor"].headers,
    )
    assert answer.status_code == 400, answer.text
    assert "trop grand" in answer.json()["detail"]
    assert time.monotonic() - started < 2
    assert await _count(session, Round) == 0
