"""Forms of the reviewer's pages. The review form is built from the content file's review
fields (a radio group per score, a text area per text); the values are checked again by
services.save_review, which is the rule."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..content.model import ReviewField
from ..core.text import VisibleTextMeta
from ..core.tokens import new_nonce
from ..core.urls import bounded_int
from .models import BidPreference
from .services import COMMENT_MAX, REASON_MAX, TEXT_MAX

BID_CHOICES = [
    ("", "No bid"),
    (BidPreference.EAGER.value, "Eager"),
    (BidPreference.WILLING.value, "Willing"),
    (BidPreference.NOT_INTERESTED.value, "Not interested"),
]


def _choices(pairs) -> list[SelectChoice]:  # type: ignore[no-untyped-def]
    return [SelectChoice(value, label) for value, label in pairs]


def _score(value: object) -> int | None:
    """A posted score: '' is none; anything else must be a whole number."""
    if value in (None, ""):
        return None
    try:
        return bounded_int(value)
    except ValueError:
        raise ValueError("Choose one of the values shown.") from None


class ScoreField(RadioField):
    """A score's radio group. A posted value that is not a whole number ("3.5", "abc") gets
    the field's own message, not WTForms' "Invalid Choice: could not coerce."."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        try:
            self.data = self.coerce(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(
                f"“{self.label.text}” is a whole number from the scale; choose one of the "
                "values shown."
            ) from None


class _ReviewFormBase(FlaskForm):
    class Meta(VisibleTextMeta):
        pass

    version = HiddenField(default="0")

    def version_number(self) -> int | None:
        try:
            return bounded_int(self.version.data or "0")
        except ValueError:
            return None

    def score_values(self, fields: tuple[ReviewField, ...]) -> dict[str, int | None]:
        return {f.key: self[f.key].data for f in fields}

    def text_values(self, fields: tuple[ReviewField, ...]) -> dict[str, str]:
        return {f.key: self[f.key].data or "" for f in fields}


def review_form_class(fields: tuple[ReviewField, ...]) -> type[_ReviewFormBase]:
    """A ReviewForm class for the content file's review fields."""
    attrs: dict[str, object] = {}
    for field in fields:
        if field.kind == "score":
            attrs[field.key] = ScoreField(
                field.label,
                choices=_choices((v, f"{v}: {label}") for v, label in field.scale),
                coerce=_score,
                validate_choice=False,
                validators=[Optional()],
                description=field.help,
            )
        else:
            attrs[field.key] = TextAreaField(
                field.label,
                validators=[Length(max=TEXT_MAX)],
                description=field.help,
                render_kw={"rows": 8},
            )
    return type("ReviewForm", (_ReviewFormBase,), attrs)


def review_form(fields: tuple[ReviewField, ...], **kwargs: object) -> _ReviewFormBase:
    return review_form_class(fields)(**kwargs)


class BidForm(FlaskForm):
    number = HiddenField(validators=[DataRequired()])
    preference = RadioField(
        "Your bid", choices=_choices(BID_CHOICES), validators=[Optional()], validate_choice=True
    )


class ConflictForm(FlaskForm):
    class Meta(VisibleTextMeta):
        pass

    number = StringField("Submission number", validators=[DataRequired()])
    reason = StringField("Why (optional)", validators=[Length(max=REASON_MAX)])

    def number_value(self) -> int | None:
        text = (self.number.data or "").strip().lstrip("#")
        # "FP20-003" is a number too.
        text = text.rpartition("-")[2]
        try:
            return bounded_int(text)
        except ValueError:
            return None


class ConfirmConflictForm(FlaskForm):
    """Confirms every pending suggestion at once (the reviewer may not know which papers)."""


class CommentForm(FlaskForm):
    class Meta(VisibleTextMeta):
        pass

    body = TextAreaField(
        "Your comment",
        validators=[DataRequired("Write a comment first."), Length(max=COMMENT_MAX)],
        render_kw={"rows": 5},
    )
    # One per form shown (a new one each time the page is shown): see DiscussionComment.
    form_nonce = HiddenField(default=new_nonce)
