"""Forms of the organizers' area. Every POST carries Flask-WTF's CSRF token (checked for
every POST by the app-wide CSRFProtect, buttons without fields included); the list filters
are GET forms, read by lists.ListQuery, since reading changes nothing."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, Regexp, ValidationError

from ..core.urls import bounded_int
from .auth import MIN_PASSWORD_LENGTH


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


class DecisionForm(FlaskForm):
    """Accept or reject the chosen submissions. The preview reads it from the query string
    (without CSRF: showing changes nothing); "send" posts it with its CSRF token."""

    outcome = StringField("Decision", validators=[DataRequired(), AnyOf(["accepted", "rejected"])])
    # Bounded: an id past the database's integer range is refused here, not by the database.
    ids = SelectMultipleField("Submissions", coerce=bounded_int, validate_choice=False)
    # The reviews' comments for the authors go into each mail (never committee-only texts,
    # scores or reviewer names).
    include_reviews = BooleanField("Include the reviewers' comments for the authors")
    # decisions.reviews_fingerprint of what the preview showed.
    reviews_seen = HiddenField()

    def validate_ids(self, field: SelectMultipleField) -> None:
        if not field.data:
            raise ValidationError("Choose at least one submission.")
        if len(field.data) > 1000:
            raise ValidationError("Choose at most 1000 submissions at a time.")
