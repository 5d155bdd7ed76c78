"""Public pages rendered once for anonymous readers, purged when a domain event changes them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.events.models import OutboxEvent, ProcessedEvent
from commons.projects.models import Project
from commons.web.page_cache import CachedPage, MemoryPageCache, PageCache, RedisPageCache, current_page_cache
from tests import factories
from tests.conftest import REDIS_URL, eventually
from tests.factories import Client
from tests.web.helpers import sign_in


async def _events_purged(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Wait until the page-cache consumer has handled every event so far (none purges behind the test)."""

    async def done() -> bool:
        async with sessionmaker() as check:
            events = await check.scalar(select(func.count()).select_from(OutboxEvent))
            purged = await check.scalar(
                select(func.count())
                .select_from(ProcessedEvent)
                .where(ProcessedEvent.consumer == "commons.web.page_cache.purge")
            )
            return bool(events == purged)

    await eventually(done)


async def _retitle(sessionmaker: async_sessionmaker[AsyncSession], project_id: int, title: str) -> None:
    """A change straight in the database, with no event: what the cache serves shows whether it rendered."""
    async with sessionmaker() as change:
        await change.execute(update(Project).where(Project.id == project_id).values(title=title))
        await change.commit()


async def test_a_second_read_hits_the_cache_and_a_pledge_purges_it(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    mayor = await factories.authority(session, client)
    call = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, call["id"], title="Jardin partagé")
    donor = await factories.api_user(client, "Donatrice")
    await _events_purged(sessionmaker)
    project_page, call_page = f"/projects/{project['id']}", f"/challenges/{call['id']}"

    first = {page: (await client.get(page)).text for page in (project_page, call_page)}
    assert all("Jardin partagé" in text for text in first.values())
    assert current_page_cache().get(project_page) is not None

    await _retitle(sessionmaker, project["id"], "Verger communal")
    for page in (project_page, call_page):
        again = await client.get(page)
        assert again.status_code == 200
        assert again.text == first[page]  # not rendered again: the title changed in the database

    pledged = await client.post(
        f"/api/v1/projects/{project['id']}/pledges",
        json={"need_id": project["needs"][0]["id"], "kind": "money", "amount_cents": 12_000},
        headers=donor.headers,
    )
    assert pledged.status_code == 201, pledged.text

    async def purged() -> bool:
        texts = [(await client.get(page)).text for page in (project_page, call_page)]
        # The new title (the page was rendered again) and the pledge in the totals (rendered after they
        # were refreshed, whichever consumer ran first).
        return all("Verger communal" in text and "<dd>120 €" in text for text in texts)

    await eventually(purged)


async def test_signed_in_readers_are_neither_served_nor_stored(
    client: Client, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    mayor = await factories.authority(session, client)
    call = await factories.open_challenge(client, mayor)
    lead = await factories.api_user(client, "Porteuse")
    project = await factories.project(client, lead, call["id"], title="Jardin partagé")
    await _events_purged(sessionmaker)
    page = f"/projects/{project['id']}"
    assert "Jardin partagé" in (await client.get(page)).text  # cached for anonymous readers

    await sign_in(client, lead.email)
    await _retitle(sessionmaker, project["id"], "Verger communal")
    mine = await client.get(page)
    assert "Verger communal" in mine.text and "Se déconnecter" in mine.text
    cached = current_page_cache().get(page)
    assert cached is not None and b"Se d" not in cached.body  # the anonymous page, not the signed-in one


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_a_cache_keeps_pages_until_purged(kind: str) -> None:
    cache: PageCache = MemoryPageCache() if kind == "memory" else RedisPageCache(REDIS_URL)
    page = CachedPage(status=200, headers=[(b"content-type", b"text/html; charset=utf-8")], body=b"<h1>Appel</h1>")
    try:
        cache.purge(["/challenges/7"])
        assert cache.get("/challenges/7") is None
        cache.put("/challenges/7", page)
        assert cache.get("/challenges/7") == page
        cache.purge(["/challenges/7", "/projects/3"])
        assert cache.get("/challenges/7") is None
    finally:
        cache.close()


def test_an_unreachable_redis_is_a_miss_not_an_error() -> None:
    cache = RedisPageCache("redis://127.0.0.1:1/0")
    cache.put("/challenges/7", CachedPage(status=200, headers=[], body=b"x"))
    assert cache.get("/challenges/7") is None
    cache.purge(["/challenges/7"])
    cache.close()
