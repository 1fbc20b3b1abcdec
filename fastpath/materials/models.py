"""Tables for materials: one row per accepted submission that has handed in anything."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..cfp.models import FILENAME_MAX, Submission, SubmissionAuthor
from ..core.extensions import db

VIDEO_URL_MAX = 500
BIO_MAX = 4000  # characters; the content file's word limit is the real (smaller) one


class FinalMaterials(db.Model):
    """What the authors of one accepted submission handed in. Files are stored under
    UPLOAD_DIR with generated names (never the author's file name), like the abstract."""

    __tablename__ = "final_materials"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )

    # The final version (a PDF in the content file's page range, checked like the abstract).
    final_stored_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    final_filename: Mapped[str | None] = mapped_column(String(FILENAME_MAX))
    final_size: Mapped[int | None] = mapped_column(Integer)
    final_pages: Mapped[int | None] = mapped_column(Integer)
    final_sha256: Mapped[str | None] = mapped_column(String(64))
    final_uploaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # The slides (a PDF, up to [materials] slides_max_mb).
    slides_stored_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    slides_filename: Mapped[str | None] = mapped_column(String(FILENAME_MAX))
    slides_size: Mapped[int | None] = mapped_column(Integer)
    slides_pages: Mapped[int | None] = mapped_column(Integer)
    slides_sha256: Mapped[str | None] = mapped_column(String(64))
    slides_uploaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    video_url: Mapped[str | None] = mapped_column(String(VIDEO_URL_MAX))  # https only
    # Who presents: one of the submission's authors (SET NULL if that author row goes).
    presenter_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission_author.id", ondelete="SET NULL"), index=True
    )
    bio: Mapped[str] = mapped_column(Text, default="")  # plain text, the presenter's
    # Consent to publish the slides and the video link on the public program.
    consent_publish: Mapped[bool] = mapped_column(Boolean, default=False)
    details_saved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # An organizer reopened uploads for this submission until this moment (after the
    # content file's deadline has passed).
    reopened_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The last "materials missing" reminder mailed to the contact author.
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped by every change: a form posted from an older page is noticed, not applied.
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    submission: Mapped[Submission] = relationship()
    presenter: Mapped[SubmissionAuthor | None] = relationship()

    @property
    def missing(self) -> list[str]:
        """What is still to come, in the words the pages and the reminder use."""
        wanted = [
            ("final version", self.final_stored_name),
            ("slides", self.slides_stored_name),
            ("presenter", self.presenter_id),
            ("speaker bio", self.bio.strip() if self.bio else ""),
        ]
        return [label for label, value in wanted if not value]
