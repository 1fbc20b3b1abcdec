"""Forms of the program editor. Each carries the draft version the page showed; the rules
that need the database (accepted talks, speaker keys, the times' order) are
services.py's, whose refusals are shown next to the field they name."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..core.text import VisibleTextMeta
from .models import NAME_MAX, ROOM_MAX, TITLE_MAX
from .services import FIXED_KINDS, MINUTES_MAX, MINUTES_MIN, parse_hhmm

KIND_LABELS = {
    "welcome": "Welcome",
    "keynote": "Keynote",
    "invited": "Invited talk",
    "break": "Break",
    "meal": "Meal",
    "other": "Other",
}
OUTSIDE = ""  # the session choice "outside any session"


def _version(value: object) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return -1  # refused as stale by the service


class HHMM:
    """A time of the workshop's day as HH:MM (24-hour clock)."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __call__(self, form, field) -> None:  # type: ignore[no-untyped-def]
        if field.data and parse_hhmm(field.data) is None:
            raise ValidationError(f"{self.label}: a time as HH:MM on a 24-hour clock, like 09:30.")


MINUTES_MESSAGE = f"The length is a whole number of minutes from {MINUTES_MIN} to {MINUTES_MAX}."


class MinutesField(IntegerField):
    """Minutes; a value that is not a whole number gets the same message as one out of range."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or valuelist[0].strip() == "":
            self.data = None
            return
        try:
            self.data = int(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(MINUTES_MESSAGE) from None


class _DraftForm(FlaskForm):
    Meta = VisibleTextMeta
    draft_version = HiddenField()

    @property
    def version(self) -> int:
        return _version(self.draft_version.data)


class VersionForm(_DraftForm):
    """Move up/down, delete, import, withdraw: only the version."""


class SessionForm(_DraftForm):
    title = StringField(
        "Title",
        validators=[DataRequired("Give the session a title."), Length(max=TITLE_MAX)],
    )
    starts = StringField(
        "Starts (HH:MM)", validators=[InputRequired("Give the start as HH:MM."), HHMM("Starts")]
    )
    ends = StringField(
        "Ends (HH:MM)", validators=[InputRequired("Give the end as HH:MM."), HHMM("Ends")]
    )
    chair = StringField("Chair", validators=[Optional(), Length(max=NAME_MAX)])
    room = StringField("Room", validators=[Optional(), Length(max=ROOM_MAX)])

    def validate_ends(self, field) -> None:  # type: ignore[no-untyped-def]
        starts, ends = parse_hhmm(self.starts.data or ""), parse_hhmm(field.data or "")
        if starts and ends and ends <= starts:
            raise ValidationError("The session must end after it starts.")


def _minutes_field(required: bool) -> MinutesField:
    validators = [NumberRange(MINUTES_MIN, MINUTES_MAX, MINUTES_MESSAGE)]
    first = InputRequired(MINUTES_MESSAGE) if required else Optional()
    return MinutesField("Minutes", validators=[first, *validators])


class TalkForm(_DraftForm):
    """Place an accepted talk (the submission is in the address)."""

    session_id = SelectField("Session", coerce=str, validate_choice=False)
    minutes = _minutes_field(True)

    def validate_session_id(self, field) -> None:  # type: ignore[no-untyped-def]
        if not field.data:
            raise ValidationError("Choose the session to place the talk in.")


class _PlacedItemForm(_DraftForm):
    """Where an item goes: a session with minutes, or outside with its own times."""

    session_id = SelectField("Session", coerce=str, validate_choice=False)
    minutes = _minutes_field(False)
    starts = StringField("Starts (HH:MM, outside a session)", validators=[HHMM("Starts")])
    ends = StringField("Ends (HH:MM, outside a session)", validators=[HHMM("Ends")])

    def validate_minutes(self, field) -> None:  # type: ignore[no-untyped-def]
        if self.session_id.data and field.data is None:
            raise ValidationError("Give the length in minutes for an item in a session.")

    is_talk = False  # a talk stays in a session: no times of its own to ask for

    def validate_session_id(self, field) -> None:  # type: ignore[no-untyped-def]
        if self.is_talk and not field.data:
            raise ValidationError("A talk is placed in a session.")

    def validate_starts(self, field) -> None:  # type: ignore[no-untyped-def]
        if self.is_talk:
            return
        if not self.session_id.data and not field.data:
            raise ValidationError("Give the start (HH:MM) for an item outside a session.")

    def validate_ends(self, field) -> None:  # type: ignore[no-untyped-def]
        if self.session_id.data or self.is_talk:
            return
        if not field.data:
            raise ValidationError("Give the end (HH:MM) for an item outside a session.")
        starts, ends = parse_hhmm(self.starts.data or ""), parse_hhmm(field.data)
        if starts and ends and ends <= starts:
            raise ValidationError("The item must end after it starts.")


class FixedItemForm(_PlacedItemForm):
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(k.value, KIND_LABELS[k.value]) for k in FIXED_KINDS],
        default="break",
    )
    title = StringField(
        "Title", validators=[DataRequired("Give the item a title."), Length(max=TITLE_MAX)]
    )
    presenters = StringField("Presenters (as shown)", validators=[Length(max=TITLE_MAX)])
    speaker_keys = StringField(
        "Speaker keys of the content file (comma-separated, optional)",
        validators=[Length(max=TITLE_MAX)],
    )


class EntryForm(_PlacedItemForm):
    """Edit an entry; a talk's title is its submission's (the field is ignored for talks)."""

    title = StringField("Title", validators=[Length(max=TITLE_MAX)])
    presenters = StringField("Presenters (as shown)", validators=[Length(max=TITLE_MAX)])
    speaker_keys = StringField(
        "Speaker keys of the content file (comma-separated, optional)",
        validators=[Length(max=TITLE_MAX)],
    )


class PublishForm(_DraftForm):
    anyway = BooleanField("Publish anyway, with the warnings below")
