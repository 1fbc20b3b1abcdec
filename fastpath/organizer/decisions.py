"""Accepting and rejecting submissions, and telling every author.

The preview and the sending use the same function to build each mail, so what an organizer
reads before pressing "send" is exactly what the authors receive.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, render_template

from ..cfp.models import Submission, SubmissionAuthor, SubmissionStatus
from ..cfp.services import topic_titles
from ..clock import now
from ..content import current_workshop
from ..core.audit import AuditAction, record
from ..core.erasure import is_erased_address
from ..core.extensions import db
from ..mail import queue_mail
from ..mail.models import OutboxMail
from .mailbox import mails_about
from .models import Organizer

OUTCOMES = {
    "accepted": SubmissionStatus.ACCEPTED,
    "rejected": SubmissionStatus.REJECTED,
}


def decision_subject(submission: Submission, outcome: SubmissionStatus) -> str:
    """The subject (without the workshop prefix queue_mail adds); distinct per outcome so
    nobody has to open the mail to learn which it is."""
    if outcome == SubmissionStatus.ACCEPTED:
        return f"Submission {submission.reference} accepted"
    return f"Submission {submission.reference} not accepted"


def _earlier(submission: Submission, outcome: SubmissionStatus) -> dict | None:
    """The decision the authors were mailed before, when `outcome` takes it back: the mail
    says that it replaces that one (read before the new decision is recorded)."""
    told = submission.status
    if told not in OUTCOMES.values() or told == outcome or submission.decision_notified_at is None:
        return None
    return {"outcome": told.value, "at": submission.decision_notified_at}


@dataclass
class AuthorReview:
    """What the authors may read of one submitted review: "Review 1" and its texts meant
    for the authors (never the committee-only texts, the scores or who wrote it)."""

    title: str
    texts: list[tuple[str, str]]  # (field label, text)


def comments_for_authors(submission: Submission) -> list[AuthorReview]:
    """The submitted reviews' texts for the authors, numbered in the order the reviews were
    submitted; reviews with nothing for the authors are left out."""
    from ..reviews.models import Review, ReviewStatus  # the reviews feature builds on this one

    fields = current_workshop().review.author_text_fields
    reviews = db.session.scalars(
        db.select(Review)
        .where(Review.submission_id == submission.id)
        .where(Review.status == ReviewStatus.SUBMITTED)
        .order_by(Review.submitted_at, Review.id)
    )
    found: list[AuthorReview] = []
    for review in reviews:
        texts = []
        for f in fields:
            value = (review.texts or {}).get(f.key)
            if isinstance(value, str) and value.strip():
                texts.append((f.label, value.strip()))
        if texts:
            found.append(AuthorReview(f"Review {len(found) + 1}", texts))
    return found


def reviews_fingerprint(submissions: list[Submission]) -> str:
    """A hash of the comments for the authors these submissions' mails would carry: the
    preview posts it back, so a review submitted or edited in between is noticed before
    anything is sent (the chair sends only what they read)."""
    digest = hashlib.sha256()
    for submission in sorted(submissions, key=lambda s: s.id):
        digest.update(f"{submission.id}:".encode())
        for review in comments_for_authors(submission):
            digest.update(repr((review.title, review.texts)).encode())
    return digest.hexdigest()


def _context(
    submission: Submission,
    author: SubmissionAuthor,
    earlier: dict | None = None,
    reviews: list[AuthorReview] | None = None,
) -> dict:
    base = current_app.config["PUBLIC_BASE_URL"]
    return {
        "submission": submission,
        "earlier": earlier,
        "reviews": reviews or [],
        "author": author,
        "authors": list(submission.authors),
        "topics": topic_titles(submission.topic_keys),
        "register_url": f"{base}/register",
        "program_url": f"{base}/program",
    }


@dataclass
class MailPreview:
    to: str
    subject: str
    text: str


@dataclass
class Reversal:
    """The decision the authors were already told, which this one would take back."""

    outcome: SubmissionStatus
    notified_at: datetime
    told: list[OutboxMail]  # the mails of that decision, one per author


@dataclass
class Planned:
    """What deciding one submission would do."""

    submission: Submission
    mails: list[MailPreview] = field(default_factory=list)
    skip_reason: str | None = None  # why nothing will happen to it
    reverses: Reversal | None = None


def _skip_reason(submission: Submission, outcome: SubmissionStatus) -> str | None:
    if submission.status == SubmissionStatus.WITHDRAWN:
        return "withdrawn by its authors"
    if submission.status == outcome and submission.decision_notified_at is not None:
        return f"already {outcome.value}, and its authors were told"
    return None


def _reversal(submission: Submission, outcome: SubmissionStatus) -> Reversal | None:
    """What the authors were told, when `outcome` would take back a decision mailed to them."""
    told_outcome = submission.status
    if (
        told_outcome not in OUTCOMES.values()
        or told_outcome == outcome
        or submission.decision_notified_at is None
    ):
        return None
    # The mails of the latest decision: the last run of decision mails with one template
    # (an earlier accept-then-reject left mails of both kinds).
    told: list[OutboxMail] = []
    for mail in mails_about(submission):
        if not mail.template.startswith("decision_"):
            continue
        if told and told[-1].template != mail.template:
            told = []
        told.append(mail)
    told = [mail for mail in told if mail.template == f"decision_{told_outcome.value}"]
    return Reversal(told_outcome, submission.decision_notified_at, told)


def _reachable_authors(submission: Submission) -> list:
    """Authors we can write to: an author erased on request has a placeholder address."""
    return [a for a in submission.authors if not is_erased_address(a.email)]


def plan(
    submissions: Iterable[Submission], outcome: SubmissionStatus, *, include_reviews: bool = False
) -> list[Planned]:
    """For each submission: the mail every author would get, or why it would be skipped.
    With `include_reviews`, each mail carries the reviews' comments for the authors."""
    workshop = current_workshop()
    planned = []
    for submission in submissions:
        item = Planned(submission, skip_reason=_skip_reason(submission, outcome))
        if item.skip_reason is None:
            item.reverses = _reversal(submission, outcome)
            earlier = _earlier(submission, outcome)
            reviews = comments_for_authors(submission) if include_reviews else []
            for author in _reachable_authors(submission):
                text = render_template(
                    f"email/decision_{outcome.value}.txt",
                    workshop=workshop,
                    **_context(submission, author, earlier, reviews),
                )
                subject = f"[{workshop.short_name}] {decision_subject(submission, outcome)}"
                item.mails.append(MailPreview(author.email, subject, text))
        planned.append(item)
    return planned


@dataclass
class DecisionReport:
    decided: list[Submission] = field(default_factory=list)
    mails: int = 0
    skipped: list[tuple[Submission, str]] = field(default_factory=list)


def decide(
    submissions: Sequence[Submission],
    outcome: SubmissionStatus,
    *,
    by: Organizer | None,
    include_reviews: bool = False,
) -> DecisionReport:
    """Record the decision on each submission and queue one notification per author; the
    caller commits. With `include_reviews`, each mail carries the reviews' comments for the
    authors (as the preview showed them). A withdrawn submission, or one already decided
    this way and notified (a second click on "send"), is skipped and nobody is mailed twice."""
    report = DecisionReport()
    moment = now()
    for submission in _locked(submissions):
        reason = _skip_reason(submission, outcome)
        if reason:
            report.skipped.append((submission, reason))
            continue
        previous = submission.status
        earlier = _earlier(submission, outcome)
        reviews = comments_for_authors(submission) if include_reviews else []
        submission.status = outcome
        submission.decided_at = moment
        submission.decision_notified_at = moment
        submission.notified_outcome = outcome.value
        # The private link's edit form checks the version: one left open is not applied over
        # a decision.
        submission.version += 1
        target = f"submission:{submission.id}"
        record(
            AuditAction.DECISION,
            organizer=by,
            target=target,
            details=f"{submission.reference}: {outcome.value} (was {previous.value})",
        )
        recipients = []
        for author in _reachable_authors(submission):
            queue_mail(
                to=author.email,
                template=f"decision_{outcome.value}",
                subject=decision_subject(submission, outcome),
                context=_context(submission, author, earlier, reviews),
                submission_id=submission.id,
            )
            recipients.append(author.email)
        record(
            AuditAction.NOTIFICATION,
            organizer=by,
            target=target,
            details=f"{decision_subject(submission, outcome)}: mailed to {', '.join(recipients)}"
            + (f" with the comments of {len(reviews)} review(s)" if reviews else ""),
        )
        report.decided.append(submission)
        report.mails += len(recipients)
    return report


def _locked(submissions: Sequence[Submission]) -> list[Submission]:
    """The same submissions, their rows locked until the commit and read again.

    On PostgreSQL a withdrawal may be under way or committed since the rows were loaded:
    SELECT ... FOR UPDATE waits for it and sees its result, so a withdrawn submission is
    skipped, and a withdrawal arriving now waits for this decision and then finds it decided.
    Locked in number order, so two organizers deciding overlapping sets cannot deadlock.
    """
    ids = [submission.id for submission in submissions]
    if not ids:
        return []
    return list(
        db.session.scalars(
            db.select(Submission)
            .where(Submission.id.in_(ids))
            .order_by(Submission.number)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def submissions_by_id(ids: Iterable[int]) -> list[Submission]:
    """The submissions with these ids, by number (unknown ids are left out)."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return list(
        db.session.scalars(
            db.select(Submission).where(Submission.id.in_(wanted)).order_by(Submission.number)
        )
    )
