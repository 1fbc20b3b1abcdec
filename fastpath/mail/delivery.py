"""Delivering the outbox. (First version: one pass, no claiming across processes yet.)"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from flask import current_app
from flask_mail import Message

from ..extensions import db, mail
from .models import OutboxMail, OutboxStatus


def build_message(row: OutboxMail) -> Message:
    message = Message(
        subject=row.subject,
        recipients=row.recipient_list,
        body=row.body_text,
        html=row.body_html,
        sender=row.sender,
        reply_to=row.reply_to,
        extra_headers={"Message-ID": row.message_id},
    )
    for attachment in row.attachments:
        message.attach(attachment.filename, attachment.content_type, attachment.data)
    return message


def deliver_pending() -> int:
    """Send every mail that is due, once; return how many were sent. Needs an app context."""
    sent = 0
    due = db.session.scalars(
        db.select(OutboxMail)
        .where(OutboxMail.status == OutboxStatus.QUEUED)
        .where(OutboxMail.next_attempt_at <= datetime.now(UTC))
        .order_by(OutboxMail.id)
    ).all()
    for row in due:
        message = build_message(row)
        if current_app.config.get("MAIL_SERVER"):
            mail.send(message)
        else:
            _spool(row, message)
        row.status = OutboxStatus.SENT
        row.attempts += 1
        row.sent_at = datetime.now(UTC)
        db.session.commit()
        sent += 1
    return sent


def _spool(row: OutboxMail, message: Message) -> Path:
    spool = Path(current_app.config["MAIL_SPOOL_DIR"])
    spool.mkdir(parents=True, exist_ok=True)
    path = spool / f"{row.created_at:%Y%m%d-%H%M%S}-{row.id:05d}-{row.template}.eml"
    path.write_bytes(message.as_bytes())
    current_app.logger.info("mail written to %s: %s -> %s", path, row.subject, row.recipients)
    return path


__all__ = ["EmailMessage", "build_message", "deliver_pending"]
