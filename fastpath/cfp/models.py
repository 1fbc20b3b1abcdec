"""Tables for cfp: submissions, their authors and topics, and each submission's history."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..content import current_workshop
from ..core.audit import event_kind
from ..core.emails import normalize_email
from ..core.extensions import db

TITLE_MAX = 1000  # the content file sets the real (smaller) limit; this only sizes the column
NAME_MAX = 200
EMAIL_MAX = 254  # the longest address SMTP can carry
AFFILIATION_MAX = 300
NOTE_MAX = 2000
FILENAME_MAX = 255


class SubmissionStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"  # by its authors, through the private link
    ACCEPTED = "accepted"  # set by the organizers' area
    REJECTED = "rejected"  # set by the organizers' area


class SubmissionEventKind(enum.StrEnum):
    """What a line of a submission's history says happened."""

    SUBMITTED = "submitted"
    EDITED = "edited"
    PDF_REPLACED = "pdf_replaced"
    WITHDRAWN = "withdrawn"
    LINK_REISSUED = "link_reissued"  # a lost link mailed again
    AUTHOR_ERASED = "author_erased"  # an author's details erased on request (privacy)
    # final materials, after acceptance (fastpath/materials)
    FINAL_UPLOADED = "final_uploaded"
    SLIDES_UPLOADED = "slides_uploaded"
    MATERIALS_EDITED = "materials_edited"  # presenter, bio, video link, consent
    MATERIALS_REOPENED = "materials_reopened"  # by an organizer, after the deadline
    # the organizers' desk
    AUTHORS_CORRECTED = "authors_corrected"  # names, affiliations, addresses, contact
    DECISION_RECORDED = "decision_recorded"  # decided without mail, to notify later


class Submission(db.Model):
    __tablename__ = "submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Shown as FP20-001: handed out as max + 1 inside the inserting transaction; UNIQUE
    # catches the rare race on databases that do not serialise writers like SQLite does.
    number: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    abstract: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")  # to the organizers, optional
    consented_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    status: Mapped[SubmissionStatus] = mapped_column(
        Enum(SubmissionStatus, native_enum=False, length=16, validate_strings=True),
        default=SubmissionStatus.SUBMITTED,
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The outcome the authors were last mailed ("accepted"/"rejected"), set with
    # decision_notified_at: a decision recorded later without mail ("decide now, notify
    # later") changes `status` and clears decision_notified_at, and this still says what the
    # authors were told, so the notification can say it replaces that one.
    notified_outcome: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped by every edit: an edit form posted from an older page is noticed, not applied
    # over changes made since.
    version: Mapped[int] = mapped_column(Integer, default=1)

    # Only the hash of the private link's token is kept; a lost link means a new token.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The hash of a link mailed by "lost your link", until its owner first uses it: only then
    # does it replace token_hash, so a stranger asking for someone's link locks nobody out.
    pending_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    # The address (normalised) the private link was last mailed to: its owner. Mail that
    # quotes what an edit changed goes there only, never to an address an edit just typed in
    # (that would let a link holder send any text to addresses of their choice).
    link_mailed_to: Mapped[str | None] = mapped_column(String(254))
    # The one-time nonce of the form that created this row: a double-clicked or replayed
    # submit carries the same nonce and lands on this submission instead of creating another.
    form_nonce: Mapped[str] = mapped_column(String(64), unique=True)

    # The PDF, stored under UPLOAD_DIR with a generated name (never the author's file name).
    pdf_stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    pdf_filename: Mapped[str] = mapped_column(String(FILENAME_MAX))  # as uploaded, for display
    pdf_size: Mapped[int] = mapped_column(Integer)
    pdf_pages: Mapped[int] = mapped_column(Integer)
    pdf_sha256: Mapped[str] = mapped_column(String(64))

    authors: Mapped[list[SubmissionAuthor]] = relationship(
        back_populates="submission",
        cascade="all, delete-orphan",
        order_by="SubmissionAuthor.position",
    )
    topics: Mapped[list[SubmissionTopic]] = relationship(
        back_populates="submission",
        cascade="all, delete-orphan",
        order_by="SubmissionTopic.topic_key",
    )
    events: Mapped[list[SubmissionEvent]] = relationship(
        back_populates="submission",
        cascade="all, delete-orphan",
        order_by="SubmissionEvent.id",
    )

    @property
    def reference(self) -> str:
        """'FP20-001': the number with the edition's prefix from the content file."""
        prefix = current_workshop().submission.number_prefix
        return f"{prefix}-{self.number:03d}"

    @property
    def status_for_authors(self) -> SubmissionStatus:
        """The status the private link shows: the decision the authors were told. A decision
        recorded but not yet mailed shows the one they were told before (or "submitted")."""
        deciding = (SubmissionStatus.ACCEPTED, SubmissionStatus.REJECTED)
        if self.status not in deciding or self.decision_notified_at is not None:
            return self.status
        if self.notified_outcome:
            return SubmissionStatus(self.notified_outcome)
        return SubmissionStatus.SUBMITTED

    @property
    def contact(self) -> SubmissionAuthor:
        return next(author for author in self.authors if author.is_contact)

    @property
    def topic_keys(self) -> list[str]:
        return [topic.topic_key for topic in self.topics]


class SubmissionAuthor(db.Model):
    __tablename__ = "submission_author"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # 1 = first author
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), index=True)  # trimmed, as typed
    # normalize_email(email), kept in step by _normalize below: what look-ups compare, so
    # the same address in any case or Unicode form is found on every database.
    email_normalized: Mapped[str] = mapped_column(String(EMAIL_MAX), index=True)
    affiliation: Mapped[str] = mapped_column(String(AFFILIATION_MAX))
    is_contact: Mapped[bool] = mapped_column(Boolean, default=False)

    submission: Mapped[Submission] = relationship(back_populates="authors")

    @validates("email")
    def _normalize(self, _key: str, address: str) -> str:
        self.email_normalized = normalize_email(address)
        return address


class SubmissionTopic(db.Model):
    """One of the workshop's topics (a key from the content file) chosen for a submission."""

    __tablename__ = "submission_topic"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    topic_key: Mapped[str] = mapped_column(String(64), primary_key=True)

    submission: Mapped[Submission] = relationship(back_populates="topics")


class SubmissionEvent(db.Model):
    """One line of a submission's history, for the organizers."""

    __tablename__ = "submission_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[SubmissionEventKind] = mapped_column(event_kind(SubmissionEventKind, 32))
    details: Mapped[str] = mapped_column(Text, default="")  # what changed, one item a line

    submission: Mapped[Submission] = relationship(back_populates="events")
