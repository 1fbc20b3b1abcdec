"""Forms of the chairs' review pages. Every POST carries Flask-WTF's CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from ..organizer.auth import MIN_PASSWORD_LENGTH

# No control characters: no name or address has them, and PostgreSQL refuses a NUL.
_PRINTABLE = Regexp(r"\A[^\x00-\x1f\x7f]*\Z", message="Remove the control characters.")


class InviteForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired("Enter the reviewer's name."), Length(max=200), _PRINTABLE]
    )
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Enter the reviewer's mail address."),
            Length(max=320),
            _PRINTABLE,
        ],
    )
    affiliation = StringField("Affiliation", validators=[Optional(), Length(max=200), _PRINTABLE])


class AcceptInvitationForm(FlaskForm):
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Choose a password."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=1024,
                message=f"Use between {MIN_PASSWORD_LENGTH} and 1024 characters.",
            ),
        ],
    )
    repeat_password = PasswordField(
        "Password again",
        validators=[
            DataRequired("Type the password again."),
            EqualTo("password", message="The two entries differ."),
        ],
    )


class RemindForm(FlaskForm):
    # The newest reminder the preview was shown after: a replayed form finds a newer one.
    seen = HiddenField(validators=[DataRequired(), Regexp(r"\A[0-9]{1,10}\Z")])
