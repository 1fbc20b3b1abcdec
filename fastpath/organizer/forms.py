"""Forms of the organizers' area. Every POST carries Flask-WTF's CSRF token (checked for
every POST by the app-wide CSRFProtect, buttons without fields included); the list filters
are GET forms, read by lists.ListQuery, since reading changes nothing."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, Regexp, ValidationError

from ..core.text import VisibleTextMeta
from ..core.tokens import looks_like_nonce
from ..core.urls import bounded_int
from . import decision_letters
from .auth import MIN_PASSWORD_LENGTH

_CONTROL_EXCEPT_LINE_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SignInForm(FlaskForm):
    # No control characters: no address has them, and PostgreSQL refuses a NUL in a query.
    email = EmailField(
        "Email", validators=[DataRequired(), Length(max=320), Regexp(r"\A[^\x00-\x1f\x7f]*\Z")]
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=1024)]
    )
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024)],
    )
    repeat_password = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new_password", message="The two entries differ.")],
    )


def _plain_text(form: FlaskForm, field: StringField) -> None:
    if field.data and _CONTROL_EXCEPT_LINE_BREAKS.search(field.data):
        raise ValidationError("This contains control characters; please type it as plain text.")


class LetterFields(FlaskForm):
    """The editable subject and letter of a decision mail; empty means the default text.
    Placeholders are checked here: a typo is refused next to the field, the text kept."""

    class Meta(VisibleTextMeta):
        pass

    subject = StringField(
        "Subject",
        validators=[
            Length(max=decision_letters.SUBJECT_MAX),
            Regexp(r"\A[^\x00-\x1f\x7f]*\Z", message="The subject must be one line of text."),
        ],
        render_kw={"maxlength": decision_letters.SUBJECT_MAX},
    )
    text = TextAreaField(
        "Text of the mail",
        validators=[Length(max=decision_letters.TEXT_MAX), _plain_text],
        render_kw={"rows": 18, "maxlength": decision_letters.TEXT_MAX},
    )
    # The reviews' comments for the authors go into each mail (never committee-only texts,
    # scores or reviewer names).
    include_reviews = BooleanField("Include the reviewers' comments for the authors")
    # decisions.reviews_fingerprint of what the preview showed.
    reviews_seen = HiddenField()

    def validate_subject(self, field: StringField) -> None:
        found = decision_letters.subject_problems(field.data or "")
        if found:
            raise ValidationError("Check the placeholders: " + "; ".join(found) + ".")

    def validate_text(self, field: TextAreaField) -> None:
        found = decision_letters.text_problems(field.data or "")
        if found:
            raise ValidationError("Check the placeholders: " + "; ".join(found) + ".")

    def letter(self, default: decision_letters.Letter) -> decision_letters.Letter:
        """The letter as edited; an emptied field falls back to its default."""
        subject = " ".join((self.subject.data or "").split())
        text = decision_letters.normalized(self.text.data or "")
        return decision_letters.Letter(subject or default.subject, text or default.text)

    def fill_from(self, letter: decision_letters.Letter) -> None:
        """Show `letter` in empty fields (the editor's starting point)."""
        if not (self.subject.data or "").strip():
            self.subject.data = letter.subject
        if not (self.text.data or "").strip():
            self.text.data = letter.text


class DecisionForm(LetterFields):
    """Accept or reject the chosen submissions. The preview reads it from the query string
    (without CSRF: showing changes nothing) or, with an edited text, from a post; "send" and
    "record only" post it with its CSRF token."""

    outcome = StringField("Decision", validators=[DataRequired(), AnyOf(["accepted", "rejected"])])
    # Bounded: an id past the database's integer range is refused here, not by the database.
    ids = SelectMultipleField("Submissions", coerce=bounded_int, validate_choice=False)

    def validate_ids(self, field: SelectMultipleField) -> None:
        if not field.data:
            raise ValidationError("Choose at least one submission.")
        if len(field.data) > 1000:
            raise ValidationError("Choose at most 1000 submissions at a time.")


class NotifyForm(LetterFields):
    """Tell the authors of decisions recorded earlier, one outcome at a time. The preview
    posts it without ids (every submission waiting for this outcome); "send" posts the ids
    the preview showed and the preview's one-time nonce."""

    outcome = HiddenField(validators=[DataRequired(), AnyOf(["accepted", "rejected"])])
    ids = SelectMultipleField("Submissions", coerce=bounded_int, validate_choice=False)
    nonce = HiddenField()

    def validate_ids(self, field: SelectMultipleField) -> None:
        if len(field.data or []) > 5000:
            raise ValidationError("At most 5000 submissions at a time.")

    def validate_nonce(self, field: HiddenField) -> None:
        if field.data and not looks_like_nonce(field.data):
            raise ValidationError("This form is not one the site showed; open the page again.")
