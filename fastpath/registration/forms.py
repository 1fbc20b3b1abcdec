"""Registration forms. Fields and choices come from code defaults the content file adjusts:
the positions and whether each optional field is required, optional or left out."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, ValidationError

from ..content import RegistrationRules
from ..core.emails import EmailAddress, strip_address
from ..core.text import VisibleTextMeta
from ..core.tokens import looks_like_nonce, new_nonce
from .models import AFFILIATION_MAX, EMAIL_MAX, NAME_MAX, NEEDS_MAX

# Line breaks and other control characters: never part of a name or an address, and a
# classic way to smuggle headers into mail.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_CONTROL_EXCEPT_LINE_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _strip(value: Any) -> Any:
    # A text field missing from the post is empty text, never None (the columns are NOT NULL).
    return value.strip() if isinstance(value, str) else "" if value is None else value


def _unix_newlines(value: Any) -> Any:
    # Browsers send a textarea's line breaks as CRLF; store them one way.
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def _max_length(limit: int):  # type: ignore[no-untyped-def]
    def check(form: FlaskForm, field: Any) -> None:
        if field.data and len(field.data) > limit:
            raise ValidationError(
                f"Please keep this to {limit} characters or fewer (it has {len(field.data)})."
            )

    return check


def _single_line(form: FlaskForm, field: Any) -> None:
    if field.data and _CONTROL.search(field.data):
        raise ValidationError("Please write this on a single line, without line breaks.")


def _plain_text(form: FlaskForm, field: Any) -> None:
    if field.data and _CONTROL_EXCEPT_LINE_BREAKS.search(field.data):
        raise ValidationError("This contains control characters; please type it as plain text.")


def _position_choice(form: FlaskForm, field: Any) -> None:
    known = [key for key, _ in field.choices if key]
    if field.data not in known:
        raise ValidationError("Please choose one of the listed positions.")


REQUIRED_MESSAGES = {
    "name": "Please enter your name.",
    "email": "Please enter your email address.",
    "affiliation": "Please enter your affiliation, or “Independent” if you have none.",
    "position": "Please choose your position.",
    "dietary": "Please describe your dietary needs, or write “none”.",
    "accessibility": "Please describe your accessibility needs, or write “none”.",
}


class DetailsForm(FlaskForm):
    """What an attendee can change later through their private link."""

    Meta = VisibleTextMeta

    name = StringField(
        "Name",
        filters=[_strip],
        validators=[DataRequired(REQUIRED_MESSAGES["name"]), _max_length(NAME_MAX), _single_line],
        render_kw={"autocomplete": "name", "maxlength": NAME_MAX},
    )
    affiliation = StringField(
        "Affiliation",
        filters=[_strip],
        validators=[_max_length(AFFILIATION_MAX), _single_line],
        render_kw={"autocomplete": "organization", "maxlength": AFFILIATION_MAX},
    )
    # Checked against the content's positions by _position_choice, with a clear message
    # (WTForms' own check would say only "Not a valid choice").
    position = SelectField(
        "Position",
        validate_choice=False,
        validators=[DataRequired(REQUIRED_MESSAGES["position"]), _position_choice],
    )
    dietary = TextAreaField(
        "Dietary needs",
        filters=[_strip, _unix_newlines],
        validators=[_max_length(NEEDS_MAX), _plain_text],
        render_kw={"rows": 3, "maxlength": NEEDS_MAX},
    )
    accessibility = TextAreaField(
        "Accessibility needs",
        filters=[_strip, _unix_newlines],
        validators=[_max_length(NEEDS_MAX), _plain_text],
        render_kw={"rows": 3, "maxlength": NEEDS_MAX},
    )
    public_listing = BooleanField("You may list my name and affiliation on a public attendee list")

    def __init__(self, rules: RegistrationRules, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.position.choices = [("", "Choose one…"), *rules.positions]
        for name, setting in rules.fields.items():
            if name not in self:
                continue
            if setting == "off":
                del self[name]
            elif setting == "required":
                field = self[name]
                # A new list per form: WTForms shares the class-level validator list.
                field.validators = [DataRequired(REQUIRED_MESSAGES[name]), *field.validators]
                field.flags.required = True
            else:
                field = self[name]
                field.validators = [Optional(), *field.validators]


class RegistrationForm(DetailsForm):
    """The form at /register."""

    email = StringField(
        "Email",
        filters=[strip_address],
        validators=[DataRequired(REQUIRED_MESSAGES["email"]), EmailAddress()],
        render_kw={
            "autocomplete": "email",
            "maxlength": EMAIL_MAX,
            "type": "email",
            "spellcheck": "false",
        },
    )
    consent = BooleanField(
        "I agree that the organizers store these details to run the workshop",
        validators=[
            DataRequired("Please agree to this, or we cannot keep your registration."),
        ],
    )
    nonce = HiddenField()
    # The honeypot: hidden from people, filled in by bots.
    website = StringField("Website")

    def __init__(self, rules: RegistrationRules, *args: Any, **kwargs: Any) -> None:
        super().__init__(rules, *args, **kwargs)
        if not self.is_submitted() and not self.nonce.data:
            self.nonce.data = new_nonce()

    def validate_nonce(self, field: HiddenField) -> None:
        if not looks_like_nonce(field.data):
            # Only a hand-made post lacks it; the re-rendered form carries a fresh one.
            field.data = new_nonce()
            raise ValidationError("This form was incomplete; please check it and send it again.")

    @property
    def is_spam(self) -> bool:
        return bool((self.website.data or "").strip())


class LostLinkForm(FlaskForm):
    Meta = VisibleTextMeta

    email = StringField(
        "Email",
        filters=[strip_address],
        validators=[DataRequired(REQUIRED_MESSAGES["email"]), EmailAddress()],
        render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX, "type": "email"},
    )
    website = StringField("Website")

    @property
    def is_spam(self) -> bool:
        return bool((self.website.data or "").strip())


class ConfirmForm(FlaskForm):
    """An empty form: the cancel button, with its CSRF token."""
