"""The outbox of domain events and the record of events each consumer has processed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from commons.db import Base, UTCDateTime, utcnow


class OutboxEvent(Base):
    """A domain event, committed with the change it describes; the delivery columns are the relay's."""

    __tablename__ = "outbox_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # How many times the relay sent it, and when to check that every subscribed consumer recorded it
    # (empty once they all did, or once the relay gave up): the broker may lose a queued message.
    deliveries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    check_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class ProcessedEvent(Base):
    """Proof that a consumer applied an event: written in the same transaction as its effect."""

    __tablename__ = "processed_event"

    consumer: Mapped[str] = mapped_column(String(80), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
