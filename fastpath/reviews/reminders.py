"""Reminders to reviewers with pending reviews: one mail per reviewer listing every paper
they still have to review and the time left. The caller commits.

A replayed "send" changes nothing: the form carries the id of the newest reminder event it
was shown after (`last_reminder_id`), and `remind` refuses when reminders were sent since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, render_template

from ..cfp.models import Submission
from ..content import current_workshop
from ..core.audit import AuditAction, AuditEvent, record
from ..core.extensions import db
from ..core.urls import public_url
from ..mail.outbox import queue_mail
from ..organizer.models import Organizer
from . import access
from .models import Review, ReviewStatus
from .services import time_to_deadline

SUBJECT = "Reviews pending"


class ReminderError(Exception):
    """Reminders cannot be sent as asked; the message says why."""


@dataclass
class Pending:
    reviewer: Organizer
    submissions: list[Submission]
    drafts: set[int]  # ids of the submissions with a draft review


def pending_reviewers() -> list[Pending]:
    """Reviewers with an assigned submission they may see (not withdrawn, not in conflict)
    whose review is not submitted, by name."""
    submitted = {
        (rid, sid): status
        for rid, sid, status in db.session.execute(
            db.select(Review.reviewer_id, Review.submission_id, Review.status)
        )
    }
    found = []
    for reviewer in access.reviewers():
        waiting = []
        drafts = set()
        for assignment in access.assignments_of(reviewer):
            status = submitted.get((reviewer.id, assignment.submission_id))
            if status == ReviewStatus.SUBMITTED:
                continue
            waiting.append(assignment.submission)
            if status == ReviewStatus.DRAFT:
                drafts.add(assignment.submission_id)
        if waiting:
            found.append(Pending(reviewer, waiting, drafts))
    return found


def time_left(moment: datetime | None = None) -> str:
    """'4 days 3 hours' until the review deadline, or 'the deadline has passed'."""
    return time_to_deadline(moment) or "the review deadline has passed"


def _context(item: Pending) -> dict:
    rules = current_workshop().review
    return {
        "reviewer": item.reviewer,
        "submissions": item.submissions,
        "drafts": item.drafts,
        "deadline": rules.deadline,
        "time_left": time_left(),
        "home_url": public_url("reviews.home"),
        "base_url": current_app.config["PUBLIC_BASE_URL"],
    }


@dataclass
class ReminderPreview:
    recipients: list[Pending]
    to: str | None
    subject: str
    text: str


def preview() -> ReminderPreview:
    """Who would be reminded, and the mail the first of them would get (as it is sent)."""
    pending = pending_reviewers()
    workshop = current_workshop()
    if not pending:
        return ReminderPreview([], None, "", "")
    first = pending[0]
    text = render_template("email/reviews_reminder.txt", workshop=workshop, **_context(first))
    return ReminderPreview(
        pending, first.reviewer.email, f"[{workshop.short_name}] {SUBJECT}", text
    )


def last_reminder_id() -> int:
    """The id of the newest reminder audit event (0 if none): the replay guard's mark."""
    return (
        db.session.scalar(
            db.select(db.func.max(AuditEvent.id)).where(
                AuditEvent.action == AuditAction.REVIEW_REMINDER
            )
        )
        or 0
    )


def remind(*, by: Organizer | None, seen_reminder_id: int | None = None) -> int:
    """Mail every reviewer with pending reviews; return how many were mailed. With
    `seen_reminder_id` (the mark the preview showed), refuse when reminders were sent
    after that preview: a replayed or doubled form sends nothing."""
    if seen_reminder_id is not None and last_reminder_id() != seen_reminder_id:
        raise ReminderError(
            "Reminders were sent after this preview was shown; nothing was sent again. "
            "Check the preview below before sending once more."
        )
    count = 0
    for item in pending_reviewers():
        queue_mail(
            to=item.reviewer.email,
            template="reviews_reminder",
            subject=SUBJECT,
            context=_context(item),
        )
        record(
            AuditAction.REVIEW_REMINDER,
            organizer=by,
            target=f"organizer:{item.reviewer.id}",
            details=f"reminded {item.reviewer.email} of "
            + ", ".join(s.reference for s in item.submissions),
        )
        count += 1
    return count
