"""Migration 0005 makes each existing call's authority the first funder of its pool, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from commons.migrate import upgrade
from tests.test_migrations import _inspect, empty_database  # noqa: F401 - the fixture is used by name

NOW = datetime(2026, 11, 1, 10, tzinfo=UTC)


def _seed(connection: Connection) -> None:
    """Two calls as they were before funders: one with a pool, one without."""
    connection.execute(
        text(
            "INSERT INTO user_account (id, email, name, password_hash, is_platform_admin, created_at) "
            "VALUES (1, 'elue@example.fr', 'Élue', 'x', false, :now)"
        ),
        {"now": NOW},
    )
    connection.execute(
        text("INSERT INTO organization (id, name, kind, created_at) VALUES (1, 'CC du Val', 'collectivite', :now)"),
        {"now": NOW},
    )
    for challenge_id, pool in ((1, 3_000_000), (2, None)):
        connection.execute(
            text(
                "INSERT INTO challenge (id, organization_id, author_id, title, problem, externalities, licence, "
                "commons_governance, themes, pool_cents, status, created_at, pledged_cents, pledged_minutes, "
                "project_count) VALUES (:id, 1, 1, 'Appel', 'Défi', '', 'CC0-1.0', '', '[]', :pool, 'open', :now, "
                "0, 0, 0)"
            ),
            {"id": challenge_id, "pool": pool, "now": NOW},
        )
    connection.commit()


def _funders(connection: Connection) -> list[Any]:
    query = "SELECT challenge_id, organization_id, amount_cents, received_at FROM funder ORDER BY id"
    return [tuple(row) for row in connection.execute(text(query))]


def test_an_existing_pool_becomes_the_authoritys_contribution(empty_database: str) -> None:  # noqa: F811
    upgrade(empty_database, "0004_pledge_lifecycle")
    _inspect(empty_database, _seed)
    upgrade(empty_database, "0005_funders")
    assert _inspect(empty_database, _funders) == [(1, 1, 3_000_000, None)]
