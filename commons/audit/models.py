"""One line of the audit log: an actor, an action on one object, its details, the time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.accounts.models import User
from commons.db import Base, UTCDateTime, utcnow

ACTION_MAX_LENGTH = 60
MESSAGE_MAX_LENGTH = 500


class AuditEntry(Base):
    """Who (``actor``) did what (``action``, e.g. ``expense.paid``) to which object, when.

    ``object_type`` and ``object_id`` name the object (``expense`` 12): not a foreign key, since the
    log spans every kind of object. ``project_id`` files the entry in a project's journal.
    ``message`` is the French sentence shown in the journal, written at the time of the action so it
    tells what was true then; ``details`` keeps the facts as data (amounts, counts, reasons).
    """

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # None for an action of the platform itself (a worker, a scheduled settlement).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(ACTION_MAX_LENGTH))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int] = mapped_column(Integer)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    message: Mapped[str] = mapped_column(String(MESSAGE_MAX_LENGTH))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")


def _refuse_change(_mapper: Any, _connection: Any, target: AuditEntry) -> None:
    raise TypeError(f"AuditEntry {target.id} is read-only: the audit log is never rewritten.")


event.listen(AuditEntry, "before_update", _refuse_change)
event.listen(AuditEntry, "before_delete", _refuse_change)
