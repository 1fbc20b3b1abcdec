"""Forms for materials: the three on the authors' page (final version, slides, details) and
the organizers' two (reopen one submission, send the reminder).

Each authors' form carries the materials' version as shown; a file's content is checked by
the services (cfp's inspect_pdf), after the deadline and the version."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional, ValidationError

from ..cfp.models import Submission
from ..cfp.services import clean_line, clean_text
from ..core.text import VisibleTextMeta
from . import services
from .models import FinalMaterials


class VersionedForm(FlaskForm):
    Meta = VisibleTextMeta
    # The materials' version when the page was shown: a form from an older page is refused
    # (and shown again) instead of undoing changes made since.
    version = HiddenField()

    def version_number(self) -> int | None:
        try:
            return int(self.version.data or "")
        except ValueError:
            return None


class FinalForm(VersionedForm):
    pdf = FileField("Final version (PDF)", render_kw={"accept": "application/pdf,.pdf"})

    def validate_pdf(self, field: FileField) -> None:
        if not getattr(field.data, "filename", None):
            raise ValidationError("Choose the final version of your paper as a PDF file.")

    def upload(self) -> tuple[bytes, str]:
        return self.pdf.data.read(), self.pdf.data.filename


class SlidesForm(VersionedForm):
    slides = FileField("Slides (PDF)", render_kw={"accept": "application/pdf,.pdf"})

    def validate_slides(self, field: FileField) -> None:
        if not getattr(field.data, "filename", None):
            raise ValidationError("Choose your slides as a PDF file.")

    def upload(self) -> tuple[bytes, str]:
        return self.slides.data.read(), self.slides.data.filename


class DetailsForm(VersionedForm):
    # Rendered by hand: one radio button per author; the value is the author row's id.
    presenter = RadioField("Who presents the talk", validate_choice=False)
    bio = TextAreaField("Speaker bio", filters=[clean_text])
    video_url = StringField(
        "Video link", filters=[clean_line], render_kw={"inputmode": "url", "autocomplete": "url"}
    )
    consent_publish = BooleanField(
        "We agree that the slides and the video link are published with the talk on the "
        "workshop's public program."
    )

    def __init__(self, submission: Submission, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.presenter.choices = [(str(a.id), a.name) for a in submission.authors]

    def load(self, row: FinalMaterials | None) -> None:
        """Fill the fields from what was saved (the page's first showing)."""
        if row is None:
            return
        self.presenter.data = str(row.presenter_id) if row.presenter_id else None
        self.bio.data = row.bio
        self.video_url.data = row.video_url or ""
        self.consent_publish.data = row.consent_publish

    def validate_presenter(self, field: RadioField) -> None:
        ids = {str(a.id) for a in self.submission.authors}
        if field.data not in ids:
            raise ValidationError("Choose who presents the talk: one of the authors listed.")

    def validate_bio(self, field: TextAreaField) -> None:
        problem = services.bio_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

    def validate_video_url(self, field: StringField) -> None:
        if field.data:
            problem = services.video_url_problem(field.data)
            if problem:
                raise ValidationError(problem)

    def word_count(self) -> int:
        return services.count_words(self.bio.data or "")

    def entry(self) -> services.DetailsEntry:
        """The cleaned values (call after validate())."""
        return services.DetailsEntry(
            presenter_id=int(self.presenter.data),
            bio=self.bio.data or "",
            video_url=self.video_url.data or None,
            consent_publish=bool(self.consent_publish.data),
        )


class ReopenForm(FlaskForm):
    until = DateTimeLocalField(
        "Reopen until (UTC)",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )

    def until_utc(self) -> datetime:
        """The moment chosen (read as UTC: organizers work in UTC), or a week from now."""
        chosen = self.until.data or services.default_reopen_until()
        return chosen.replace(tzinfo=UTC)


class RemindForm(FlaskForm):
    # One per preview shown: the same form sent twice sends nothing the second time.
    nonce = HiddenField(validators=[DataRequired()])
