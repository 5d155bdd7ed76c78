"""Builders of test data, through the JSON API as a script would, or through the services."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from commons.accounts import services as accounts
from commons.accounts.models import OrganizationKind, User
from commons.db import create_engine, create_sessionmaker
from commons.settings import Settings
from commons.web.app import create_app

PASSWORD = "correct horse battery"
_sequence = itertools.count(1)

Client = AsyncTestClient[Litestar]


@dataclass
class Actor:
    """A signed-up person with an API token."""

    id: int
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def api_user(client: Client, name: str = "Camille", *, verified: bool = True) -> Actor:
    """A person signed up through the API with a token; ``verified``: as if they had followed the link
    of the verification mail (most tests are not about verification)."""
    email = f"{name.lower()}.{next(_sequence)}@example.fr"
    created = await client.post("/api/v1/accounts", json={"email": email, "password": PASSWORD, "name": name})
    assert created.status_code in (201, 202), created.text
    token = await client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD})
    assert token.status_code == 201, token.text
    actor = Actor(id=0, email=email, token=token.json()["token"])
    me = await client.get("/api/v1/me", headers=actor.headers)
    assert me.status_code == 200, me.text
    actor.id = me.json()["id"]
    if verified:
        async with _test_loop_sessionmaker(client.app.state.settings.database_url)() as session:
            user = await accounts.get_user(session, actor.id)
            assert user is not None
            await accounts.mark_email_verified(session, user)
    return actor


_sessionmakers: dict[tuple[int, str], async_sessionmaker[AsyncSession]] = {}


def _test_loop_sessionmaker(database_url: str) -> async_sessionmaker[AsyncSession]:
    """Sessions usable from the test's event loop: the app's own engine lives in the test client's loop."""
    key = (id(asyncio.get_running_loop()), database_url)
    if key not in _sessionmakers:
        _sessionmakers[key] = create_sessionmaker(create_engine(database_url))
    return _sessionmakers[key]


async def authority(session: AsyncSession, client: Client, name: str = "Élue") -> Actor:
    """A user administering a new organization of kind collectivité."""
    actor = await api_user(client, name)
    organization = await accounts.create_organization(
        session,
        actor=None,
        name=f"Communauté de communes n°{next(_sequence)}",
        kind=OrganizationKind.COLLECTIVITE,
    )
    await accounts.add_organization_admin(session, actor=None, organization_id=organization.id, email=actor.email)
    return actor


async def platform_admin(session: AsyncSession) -> User:
    return await accounts.sign_up(
        session,
        email=f"admin.{next(_sequence)}@example.fr",
        password=PASSWORD,
        name="Admin",
        is_platform_admin=True,
        email_verified=True,
    )


async def open_challenge(client: Client, owner: Actor, **fields: Any) -> dict[str, Any]:
    body = {
        "title": "Mobilité solidaire",
        "problem": "Se déplacer sans voiture.",
        "licence": "CC-BY-SA-4.0",
    } | fields
    created = await client.post("/api/v1/challenges", json=body, headers=owner.headers)
    assert created.status_code == 201, created.text
    published = await client.post(f"/api/v1/challenges/{created.json()['id']}/publish", headers=owner.headers)
    assert published.status_code == 200, published.text
    return dict(published.json())


async def project(client: Client, lead: Actor, challenge_id: int, **fields: Any) -> dict[str, Any]:
    body = {
        "title": "Covoiturage de village",
        "summary": "Une plateforme et des référents par commune.",
        "needs": [
            {"kind": "money", "label": "Véhicule", "min_cents": 50_000, "max_cents": 120_000},
            {
                "kind": "time",
                "label": "Animation",
                "min_minutes": 600,
                "max_minutes": 1200,
                "skill": "animation",
            },
            {"kind": "skill", "label": "Juriste", "skill": "droit des associations"},
        ],
    } | fields
    created = await client.post(f"/api/v1/challenges/{challenge_id}/projects", json=body, headers=lead.headers)
    assert created.status_code == 201, created.text
    return dict(created.json())


async def organization_of(
    session: AsyncSession, admin_email: str, kind: OrganizationKind = OrganizationKind.ENTREPRISE
) -> int:
    """A new organization administered by the person with this e-mail; returns its id."""
    organization = await accounts.create_organization(
        session, actor=None, name=f"Coopérative n°{next(_sequence)}", kind=kind
    )
    await accounts.add_organization_admin(session, actor=None, organization_id=organization.id, email=admin_email)
    return organization.id


@asynccontextmanager
async def client_of(settings: Settings) -> AsyncIterator[Client]:
    """A client of an application run with these settings (e.g. with local currencies configured)."""
    async with AsyncTestClient(create_app(settings), base_url="https://testserver.local") as client:
        yield client


async def member(client: Client, actor: Actor, project_id: int) -> None:
    """``actor`` joins the project as a member (not a lead)."""
    joined = await client.post(
        f"/api/v1/projects/{project_id}/memberships", json={"forms": ["support"]}, headers=actor.headers
    )
    assert joined.status_code == 201, joined.text


async def received_money(
    client: Client, donor: Actor, project: dict[str, Any], cents: int, *, receiver: Actor
) -> None:
    """``donor`` pledges ``cents`` on the project's first (money) need and ``receiver`` (a lead of the
    project, or an admin of its call) confirms receiving it: the money is then in the project's ledger
    account."""
    pledged = await client.post(
        f"/api/v1/projects/{project['id']}/pledges",
        json={"need_id": project["needs"][0]["id"], "kind": "money", "amount_cents": cents},
        headers=donor.headers,
    )
    assert pledged.status_code == 201, pledged.text
    confirmed = await client.post(f"/api/v1/pledges/{pledged.json()['id']}/confirm", headers=receiver.headers)
    assert confirmed.status_code == 200, confirmed.text


async def expense(client: Client, author: Actor, project_id: int, **fields: Any) -> dict[str, Any]:
    """An expense reported through the API by ``author``, a project member."""
    body = {
        "amount_cents": 30_000,
        "purpose": "Achat d'un vélo cargo",
        "receipt_reference": "Facture F-2026-042",
        "spent_on": "2026-11-02",
    } | fields
    created = await client.post(f"/api/v1/projects/{project_id}/expenses", json=body, headers=author.headers)
    assert created.status_code == 201, created.text
    return dict(created.json())


def mail_to(data_dir: Path, address: str) -> list[EmailMessage]:
    """The messages written to the development mailbox for ``address``, oldest first."""
    mailbox = data_dir / "mailbox"
    paths = sorted(mailbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns) if mailbox.exists() else []
    messages = [message_from_bytes(p.read_bytes(), policy=default_policy) for p in paths]
    return [m for m in messages if isinstance(m, EmailMessage) and m["To"] == address]


def link_in(message: EmailMessage, path: str) -> str:
    """The path and query of the link to ``path`` in a message's text (``/verify-email?token=…``)."""
    body = message.get_body(("plain",))
    assert body is not None
    found = re.search(rf"https?://[^/\s]+({re.escape(path)}[^\s]*)", body.get_content())
    assert found, f"no link to {path} in {body.get_content()!r}"
    return found.group(1)
