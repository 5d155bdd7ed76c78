"""JSON API of notifications."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import User
from commons.notifications import services
from commons.web.auth import require_user


class NotificationRead(msgspec.Struct):
    id: int
    message: str
    link: str
    created_at: datetime
    read: bool


class NotificationsApi(Controller):
    path = "/api/v1/me/notifications"
    tags = ("notifications",)

    @get("/", name="api:notifications:list")
    async def list_notifications(
        self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None]
    ) -> list[NotificationRead]:
        notifications = await services.notifications_for(db, require_user(user))
        return [
            NotificationRead(
                id=n.id, message=n.message, link=n.link, created_at=n.created_at, read=n.read_at is not None
            )
            for n in notifications
        ]

    @post("/read", name="api:notifications:read", status_code=204)
    async def mark_read(self, db: NamedDependency[AsyncSession], user: NamedDependency[User | None]) -> None:
        await services.mark_all_read(db, require_user(user))
