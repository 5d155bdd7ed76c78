"""Mail requested through the outbox and sent once, whatever the number of deliveries."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from commons.events.consumers import consume
from commons.mail.messages import request_mail
from commons.mail.senders import MailboxSender, SmtpSender, deliver, install_postman, sender_for
from commons.settings import Settings
from tests import factories


async def test_a_requested_mail_is_sent_once_even_if_delivered_twice(
    session: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    install_postman(replace(settings, data_dir=tmp_path, mail_from="Commons <bonjour@commons.example>"))
    event = request_mail(
        session, to="zoe@example.fr", template="verify_email", name="Zoé <b>", link="https://x.example/v", hours=48
    )
    await session.commit()
    assert await consume(session, consumer="commons.mail.send", event_id=event.event_id, handler=deliver)
    assert not await consume(session, consumer="commons.mail.send", event_id=event.event_id, handler=deliver)

    (message,) = factories.mail_to(tmp_path, "zoe@example.fr")
    assert message["From"] == "Commons <bonjour@commons.example>"
    assert message["Message-ID"] == f"<{event.event_id}@commons>"
    assert message.get_content_type() == "text/plain"
    assert "Bonjour Zoé <b>," in message.get_content()  # plain text: nothing escaped, nothing interpreted


def test_the_mailbox_keeps_one_copy_per_message_id(tmp_path: Path) -> None:
    sender = MailboxSender(tmp_path / "mailbox")
    for subject in ("premier", "second"):
        message = EmailMessage()
        message["To"] = "a@example.fr"
        message["Subject"] = subject
        sender.send(message, "id-1")
    (only,) = factories.mail_to(tmp_path, "a@example.fr")
    assert only["Subject"] == "premier"


def test_smtp_is_used_when_configured_and_its_url_is_checked(settings: Settings) -> None:
    smtp = sender_for(replace(settings, smtp_url="smtps://robot%40commons:s%C3%A9cret@mail.example:2465"))
    assert isinstance(smtp, SmtpSender)
    assert (smtp.host, smtp.port, smtp.tls, smtp.username, smtp.password) == (
        "mail.example",
        2465,
        True,
        "robot@commons",
        "sécret",
    )
    assert isinstance(sender_for(settings), MailboxSender)
    with pytest.raises(ValueError, match="COMMONS_SMTP_URL"):
        SmtpSender("http://mail.example")
