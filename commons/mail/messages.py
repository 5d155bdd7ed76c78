"""Composing messages from their French plain-text templates and asking for them to be sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy.ext.asyncio import AsyncSession

from commons.events.models import OutboxEvent
from commons.events.outbox import EventType, record_event

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates" / "mail"

# Plain text, never shown as HTML: nothing to escape. Undefined names fail loudly rather than vanish.
_environment = jinja2.Environment(  # nosec B701  # text/plain bodies only
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=False,  # noqa: S701  # text/plain bodies only
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def compose(template: str, **context: Any) -> tuple[str, str]:
    """The subject (the template's first line) and the body (what follows the blank line)."""
    text = _environment.get_template(f"{template}.txt").render(**context)
    subject, _, body = text.partition("\n\n")
    return subject.strip(), body


def request_mail(session: AsyncSession, *, to: str, template: str, **context: Any) -> OutboxEvent:
    """Ask for a mail to ``to``, sent only if the caller's transaction commits."""
    subject, body = compose(template, **context)
    return record_event(session, EventType.MAIL_REQUESTED, to=to, subject=subject, body=body)
