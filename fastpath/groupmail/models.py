"""Tables for group mail: one row per batch; its mails are outbox rows with batch_id set."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.audit import event_kind
from ..core.extensions import db


class BatchKind(enum.StrEnum):
    GROUP = "group"  # a mail an organizer wrote to a group (fastpath/groupmail)
    DECISIONS = "decisions"  # decision notifications sent later (organizer/decisions.py)


class MailBatch(db.Model):
    """One sending: who sent what to which group, and when. Its mails are the outbox rows
    with this batch_id, so the progress page counts them where they are (queued, sent,
    failed) and a retry is the outbox's own retry."""

    __tablename__ = "mail_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[BatchKind] = mapped_column(event_kind(BatchKind, 16))
    # The group's key ("registered", "accepted_authors", ...) or the decision outcome.
    group: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))  # "Registered attendees", for people
    subject: Mapped[str] = mapped_column(String(900))  # as written, placeholders and all
    body: Mapped[str] = mapped_column(Text)  # Markdown as written, placeholders and all
    recipient_count: Mapped[int] = mapped_column(default=0)
    organizer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizer.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # The compose form's one-time nonce: a double click or a replayed form finds this row
    # (UNIQUE) and sends nothing twice.
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
