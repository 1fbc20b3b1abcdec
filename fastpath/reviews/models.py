"""Tables of the committee's review: invitations, conflicts, bids, assignments, reviews and
the discussion. Reviewers are organizer accounts with the reviewer role
(fastpath/organizer/models.py); who may see which submission is fastpath/reviews/access.py."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..cfp.models import Submission
from ..core.audit import event_kind
from ..core.extensions import db
from ..organizer.models import Organizer


class BidPreference(enum.StrEnum):
    EAGER = "eager"
    WILLING = "willing"
    NOT_INTERESTED = "not_interested"


class ConflictKind(enum.StrEnum):
    # A conflict in force: the reviewer declared or confirmed it, or a chair set it.
    DECLARED = "declared"
    # A chair's word that an automatic suggestion is wrong: the suggestion is not in force.
    CLEARED = "cleared"


class ReviewStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class ReviewerInvitation(db.Model):
    """A chair's invitation to join the committee: a one-time link (its hash here) that
    sets a password and makes the reviewer account."""

    __tablename__ = "reviewer_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)  # normalize_email's spelling
    name: Mapped[str] = mapped_column(String(200))
    affiliation: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizer.id", ondelete="SET NULL")
    )
    # The account the invitation made (or found) when it was used.
    organizer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizer.id", ondelete="CASCADE"), index=True
    )


class Conflict(db.Model):
    """What a reviewer or chair said about one reviewer and one submission. Automatic
    suggestions are not stored (access.py computes them from today's author list); a row
    either declares a conflict or clears a suggestion."""

    __tablename__ = "review_conflict"
    __table_args__ = (UniqueConstraint("reviewer_id", "submission_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("organizer.id", ondelete="CASCADE"))
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ConflictKind] = mapped_column(event_kind(ConflictKind, 20))
    reason: Mapped[str] = mapped_column(Text, default="")
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("organizer.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Bid(db.Model):
    __tablename__ = "review_bid"
    __table_args__ = (UniqueConstraint("reviewer_id", "submission_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("organizer.id", ondelete="CASCADE"))
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    preference: Mapped[BidPreference] = mapped_column(event_kind(BidPreference, 20))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Assignment(db.Model):
    __tablename__ = "review_assignment"
    __table_args__ = (UniqueConstraint("reviewer_id", "submission_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("organizer.id", ondelete="CASCADE"))
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizer.id", ondelete="SET NULL")
    )
    # When the reviewer was mailed about it (one mail lists all their new assignments).
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    reviewer: Mapped[Organizer] = relationship(foreign_keys=[reviewer_id])
    submission: Mapped[Submission] = relationship()


class Review(db.Model):
    """One reviewer's review of one submission. `scores` maps each score field's key (from
    the content file's [review] form) to its value; the texts are keyed the same way."""

    __tablename__ = "review"
    __table_args__ = (UniqueConstraint("reviewer_id", "submission_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("organizer.id", ondelete="CASCADE"))
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ReviewStatus] = mapped_column(
        event_kind(ReviewStatus, 20), default=ReviewStatus.DRAFT
    )
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    texts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped on every save; the form carries it, so a replayed or stale form changes nothing.
    version: Mapped[int] = mapped_column(Integer, default=1)

    reviewer: Mapped[Organizer] = relationship(foreign_keys=[reviewer_id])
    submission: Mapped[Submission] = relationship()

    @property
    def is_submitted(self) -> bool:
        return self.status == ReviewStatus.SUBMITTED


class DiscussionComment(db.Model):
    """A committee member's comment on a submission: seen by its non-conflicted reviewers
    and the chairs, never by the authors."""

    __tablename__ = "review_comment"
    __table_args__ = (Index("ix_review_comment_submission_at", "submission_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("organizer.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The one-time value of the form it came from: the same form posted twice (a double
    # click, a replay) is one comment.
    form_nonce: Mapped[str | None] = mapped_column(String(64), unique=True)

    author: Mapped[Organizer | None] = relationship(foreign_keys=[author_id])
    submission: Mapped[Submission] = relationship()


class DiscussionDigest(db.Model):
    """Per committee member: the last comment their digest mail has covered."""

    __tablename__ = "review_digest"

    organizer_id: Mapped[int] = mapped_column(
        ForeignKey("organizer.id", ondelete="CASCADE"), primary_key=True
    )
    last_comment_id: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
