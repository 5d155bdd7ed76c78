"""The audit log: written in the acting transaction only, read-only, listed per project."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.audit.models import AuditEntry
from commons.audit.services import project_journal, record
from commons.errors import NotFound
from commons.projects.schemas import ProjectCreate
from commons.projects.services import launch_project
from tests.web.helpers import person


async def test_an_entry_lives_and_dies_with_its_transaction(session: AsyncSession) -> None:
    author = await person(session, "Auditrice")
    project = await launch_project(
        session, actor=author, challenge_id=None, data=ProjectCreate(title="Jardin", summary="Partagé")
    )
    for number in (1, 2):
        record(
            session,
            actor=author if number == 1 else None,
            action="test.done",
            object_type="test",
            object_id=number,
            project_id=project.id,
            message=f"Action n°{number}",
            details={"number": number},
        )
        await session.commit()
    journal = await project_journal(session, project.id, viewer=None)
    assert [(e.message, e.details, e.actor.name if e.actor else None) for e in journal] == [
        ("Action n°2", {"number": 2}, None),
        ("Action n°1", {"number": 1}, "Auditrice"),
    ]
    with pytest.raises(NotFound):
        await project_journal(session, 999_999, viewer=None)
    record(session, actor=author, action="test.undone", object_type="test", object_id=3, message="Annulé")
    await session.rollback()
    assert await session.scalar(select(func.count(AuditEntry.id))) == 2


async def test_entries_are_read_only(session: AsyncSession) -> None:
    author = await person(session, "Auditeur")
    entry = record(session, actor=author, action="test.done", object_type="test", object_id=1, message="Fait")
    await session.commit()
    entry.message = "Réécrit"
    with pytest.raises(TypeError, match="read-only"):
        await session.commit()
    await session.rollback()
    await session.delete(entry)
    with pytest.raises(TypeError, match="read-only"):
        await session.commit()
    await session.rollback()
    assert await session.scalar(select(AuditEntry.message)) == "Fait"
