"""Accepted submissions as the decisions leave them (status accepted, the authors told), with
the private link's token, for the features that come after acceptance."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from fastpath.cfp.models import Submission, SubmissionStatus
from fastpath.core.extensions import db
from fastpath.core.tokens import new_token
from tests.helpers.organizers import add_submission

# After the notification (2020-03-02) and before the materials deadline (2020-04-05 09:00
# New York = 13:00 UTC).
AFTER_NOTIFICATION = datetime(2020, 3, 10, 12, 0, tzinfo=UTC)
AFTER_MATERIALS_DEADLINE = datetime(2020, 4, 5, 13, 30, tzinfo=UTC)

AUTHORS = [
    ("Ada Lovelace", "ada@example.org", "University of London"),
    ("Grace Hopper", "grace@example.org", "Yale University"),
]


def add_accepted(
    app: Flask,
    title: str = "Roofline models for transformer inference",
    *,
    authors: list[tuple[str, str, str]] | None = None,
    status: SubmissionStatus = SubmissionStatus.ACCEPTED,
    notified: bool = True,
) -> tuple[int, str]:
    """A decided submission (accepted unless `status` says otherwise), its authors told unless
    `notified` is False; returns (submission id, private link token)."""
    submission_id = add_submission(app, title, authors=authors or AUTHORS, status=status)
    token, token_hash = new_token()
    with app.app_context():
        row = db.session.get(Submission, submission_id)
        row.token_hash = token_hash
        row.link_mailed_to = row.contact.email_normalized
        if status in (SubmissionStatus.ACCEPTED, SubmissionStatus.REJECTED):
            row.decided_at = datetime(2020, 3, 1, 12, 0, tzinfo=UTC)
            row.decision_notified_at = datetime(2020, 3, 2, 12, 0, tzinfo=UTC) if notified else None
        db.session.commit()
    return submission_id, token
