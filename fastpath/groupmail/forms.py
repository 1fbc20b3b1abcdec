"""What a chair types for a group mail: the group, the subject and the Markdown body; the
preview's Send form carries them again (hidden) with what the preview showed."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from ..core.text import VisibleTextMeta
from .groups import GROUPS
from .services import BODY_MAX, SUBJECT_MAX, body_problems, subject_problems

GROUP_CHOICES = [SelectChoice(key, group.label) for key, group in GROUPS.items()]


class ComposeForm(FlaskForm):
    class Meta(VisibleTextMeta):
        pass

    group = RadioField(
        "To", choices=GROUP_CHOICES, validators=[DataRequired("Choose who gets the mail.")]
    )
    # One line: a line break in a subject would be a header of its own.
    subject = StringField(
        "Subject",
        validators=[
            DataRequired("Write a subject."),
            Length(max=SUBJECT_MAX),
            Regexp(r"\A[^\x00-\x1f\x7f]*\Z", message="The subject must be one line."),
        ],
    )
    body = TextAreaField(
        "Message (Markdown)",
        # Browsers post CRLF; the stored body and every copy use plain line feeds.
        filters=[lambda text: text.replace("\r\n", "\n") if isinstance(text, str) else text],
        validators=[
            DataRequired("Write the message."),
            Length(max=BODY_MAX),
            Regexp(r"\A[^\x00]*\Z", message="The message contains a NUL character."),
        ],
    )

    def _group(self):  # type: ignore[no-untyped-def]
        return GROUPS.get(self.group.data or "")

    def validate_subject(self, field: StringField) -> None:
        group = self._group()
        if group is not None and (found := subject_problems(field.data or "", group)):
            raise ValidationError("; ".join(found) + ".")

    def validate_body(self, field: TextAreaField) -> None:
        group = self._group()
        if group is not None and (found := body_problems(field.data or "", group)):
            raise ValidationError("; ".join(found) + ".")


class SendForm(ComposeForm):
    """The preview's form: Send, Show (another recipient's copy) and Edit post it."""

    # What the preview showed: a group that changed since is shown again, not sent.
    nonce = HiddenField()
    count = HiddenField()
    fingerprint = HiddenField()
    show = StringField("Show the mail to")

    def seen_count(self) -> int:
        text = self.count.data or ""
        return int(text) if text.isdigit() and len(text) < 9 else -1

    def shown(self) -> int:
        text = (self.show.data or "").strip()
        return int(text) if text.isdigit() and len(text) < 9 else 1
