"""What an audit entry looks like at the edges."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from commons.audit.models import AuditEntry


class AuditEntryRead(msgspec.Struct):
    id: int
    action: str
    object_type: str
    object_id: int
    project_id: int | None
    actor: dict[str, object] | None
    message: str
    details: dict[str, Any]
    created_at: datetime


def audit_entry_read(entry: AuditEntry) -> AuditEntryRead:
    return AuditEntryRead(
        id=entry.id,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        project_id=entry.project_id,
        actor={"id": entry.actor.id, "name": entry.actor.name} if entry.actor else None,
        message=entry.message,
        details=dict(entry.details),
        created_at=entry.created_at,
    )
