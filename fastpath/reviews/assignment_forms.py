"""Forms of the chairs' assignment pages. The automatic preview is a GET form (showing
changes nothing); saving it, and every by-hand change, is a POST with its CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Regexp

from ..core.urls import MAX_INT
from .assignment import MAX_PER_SUBMISSION

_PER_SUBMISSION = [
    InputRequired(message="Enter how many reviewers each submission should have."),
    NumberRange(
        min=1,
        max=MAX_PER_SUBMISSION,
        message=f"Enter a whole number from 1 to {MAX_PER_SUBMISSION}.",
    ),
]


class AutoAssignForm(FlaskForm):
    """?per_submission=N on the preview page."""

    per_submission = IntegerField("Reviewers per submission", validators=_PER_SUBMISSION)


class SaveAutoForm(FlaskForm):
    per_submission = IntegerField("Reviewers per submission", validators=_PER_SUBMISSION)
    fingerprint = HiddenField(validators=[DataRequired(), Regexp(r"\A[0-9a-f]{64}\Z")])


ACTIONS = ("assign", "unassign", "conflict", "clear")


class ReviewerActionForm(FlaskForm):
    """One button on a submission's reviewer list: assign, unassign, set or clear a conflict."""

    action = HiddenField(validators=[DataRequired(), AnyOf(ACTIONS)])
    reviewer_id = IntegerField(
        "Reviewer", validators=[InputRequired(), NumberRange(min=1, max=MAX_INT)]
    )
    reason = StringField(
        "Reason",
        validators=[
            Length(max=500, message="Use at most 500 characters."),
            Regexp(r"\A[^\x00-\x08\x0b-\x1f\x7f]*\Z", message="Remove the control characters."),
        ],
    )
    confirm = HiddenField()
