"""The audit log: who did what, when, to what. Every feature writes to it with `record`.

It lives in the core because every feature writes to it (organizer actions, privacy, the
command line); it imports no feature. The row keeps the acting organizer's id (a foreign key
by table name, SET NULL when the account goes) and a copy of their address.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Protocol

from sqlalchemy import DateTime, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import now
from .extensions import db

COMMAND_LINE = "command line"  # the actor of what a `flask` command did


class AuditAction(enum.StrEnum):
    """What an audit event records. Shown with "_" read as a space."""

    ACCOUNT_CREATE = "account_create"
    PASSWORD_CHANGE = "password_change"
    SIGN_IN = "sign_in"
    SIGN_OUT = "sign_out"
    SIGN_IN_FAILED = "sign_in_failed"
    LOCKOUT = "lockout"
    LINK_RESENT = "link_resent"
    REGISTRATION_CANCELLED = "registration_cancelled"
    DECISION = "decision"
    NOTIFICATION = "notification"
    MAIL_RETRY = "mail_retry"
    EXPORT = "export"
    PRIVACY_EXPORT = "privacy_export"
    PRIVACY_ERASE = "privacy_erase"
    PRIVACY_RETENTION = "privacy_retention"
    # the committee's review (fastpath/reviews)
    REVIEWER_INVITED = "reviewer_invited"
    INVITATION_ACCEPTED = "invitation_accepted"
    CONFLICT_SET = "conflict_set"
    CONFLICT_CLEARED = "conflict_cleared"
    ASSIGNMENT_ADDED = "assignment_added"
    ASSIGNMENT_REMOVED = "assignment_removed"
    ASSIGNMENTS_MAILED = "assignments_mailed"
    REVIEW_SUBMITTED = "review_submitted"
    REVIEW_REMINDER = "review_reminder"
    DISCUSSION_DIGEST = "discussion_digest"
    # after acceptance (fastpath/materials, fastpath/program)
    MATERIALS_REOPENED = "materials_reopened"
    MATERIALS_REMINDER = "materials_reminder"
    PROGRAM_EDITED = "program_edited"
    PROGRAM_PUBLISHED = "program_published"
    PROGRAM_UNPUBLISHED = "program_unpublished"
    # the organizers' desk (fastpath/groupmail, fastpath/checkin, corrections)
    GROUP_MAIL = "group_mail"
    DECISION_RECORDED = "decision_recorded"  # without mail, to notify later
    REGISTRATION_CORRECTED = "registration_corrected"
    REGISTRATION_ADDED = "registration_added"
    SUBMISSION_CORRECTED = "submission_corrected"
    CAPACITY_CHANGED = "capacity_changed"
    WAITING_LIST_MOVED = "waiting_list_moved"
    CHECK_IN = "check_in"
    CHECK_IN_UNDONE = "check_in_undone"


def event_kind(kinds: type[enum.StrEnum], length: int) -> Enum:
    """The column type of every event-kind enum (this log's actions, each feature's history):
    stores the value ("sign_in", not the member's name), refuses any other string."""
    return Enum(
        kinds,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class AuditEvent(db.Model):
    """Something an organizer (or the command line, organizer_id None) did."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    organizer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizer.id", ondelete="SET NULL"), index=True
    )
    # The email is copied so the record still says who it was if the account goes away.
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[AuditAction] = mapped_column(event_kind(AuditAction, 50))
    # What it was done to, e.g. "submission:12", "registration:7", "mail:31", "organizer:2":
    # display text of the log (the organizer pages link it), kept as written at the time.
    target: Mapped[str | None] = mapped_column(String(100))
    details: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_audit_event_target_at", "target", "at"),)


class Actor(Protocol):
    """Who acted: an organizer account (only its id and address are read)."""

    id: int
    email: str


def record(
    action: AuditAction,
    *,
    organizer: Actor | None = None,
    target: str | None = None,
    details: str = "",
    actor: str | None = None,
) -> AuditEvent:
    """Add an audit event (who, when, what, to what) to the session; the caller commits."""
    event = AuditEvent(
        at=now(),
        organizer_id=organizer.id if organizer else None,
        actor=(actor or (organizer.email if organizer else COMMAND_LINE))[:320],
        action=AuditAction(action),
        target=target,
        details=details,
    )
    db.session.add(event)
    return event
