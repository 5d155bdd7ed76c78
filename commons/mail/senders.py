"""Where mail goes: an SMTP server in production, a folder of ``.eml`` files otherwise."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from commons.events.models import OutboxEvent
from commons.settings import Settings


class Sender(Protocol):
    def send(self, message: EmailMessage, message_id: str) -> None:
        """Deliver ``message``; a second call with the same ``message_id`` must not deliver it twice."""


class MailboxSender:
    """Writes each message to ``<directory>/<message id>.eml``, where a person or a test reads it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: EmailMessage, message_id: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{message_id}.eml"
        if path.exists():
            return
        partial = path.with_suffix(".part")
        partial.write_bytes(message.as_bytes())
        # Renamed once complete: a reader never sees half a message.
        partial.replace(path)


class SmtpSender:
    """Sends through ``smtp://user:password@host:port`` (STARTTLS when offered) or ``smtps://`` (TLS)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("COMMONS_SMTP_URL: attendu smtp://… ou smtps://utilisateur:mot-de-passe@hôte:port")
        self.tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None

    def send(self, message: EmailMessage, message_id: str) -> None:
        # The Message-ID is the event's id: a server or client that saw it already drops the copy.
        context = ssl.create_default_context()
        smtp = (
            smtplib.SMTP_SSL(self.host, self.port, context=context, timeout=30)
            if self.tls
            else smtplib.SMTP(self.host, self.port, timeout=30)
        )
        with smtp:
            if not self.tls and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def sender_for(settings: Settings) -> Sender:
    if settings.smtp_url:
        return SmtpSender(settings.smtp_url)
    return MailboxSender(settings.data_dir / "mailbox")


class Postman:
    """Sends the mail of ``mail.requested`` events, with the settings of the process it runs in."""

    def __init__(self, settings: Settings, sender: Sender | None = None) -> None:
        self.mail_from = settings.mail_from
        self.sender = sender or sender_for(settings)

    def message(self, event: OutboxEvent) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.mail_from
        message["To"] = event.payload["to"]
        message["Subject"] = event.payload["subject"]
        message["Date"] = formatdate(event.created_at.timestamp(), usegmt=True)
        message["Message-ID"] = f"<{event.event_id}@commons>"
        message.set_content(event.payload["body"])
        return message

    async def deliver(self, session: AsyncSession, event: OutboxEvent) -> None:
        """The consumer's handler: the network or the disk is slow, so it runs in a thread."""
        await asyncio.to_thread(self.sender.send, self.message(event), event.event_id)


_postman: Postman | None = None


def install_postman(settings: Settings) -> Postman:
    """Choose this process's way of sending mail (at start-up: the web process, a worker)."""
    global _postman
    _postman = Postman(settings)
    return _postman


async def deliver(session: AsyncSession, event: OutboxEvent) -> None:
    if _postman is None:
        raise RuntimeError("no postman installed: call install_postman(settings) at start-up")
    await _postman.deliver(session, event)
