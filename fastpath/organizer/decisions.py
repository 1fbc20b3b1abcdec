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

from ..cfp.models import (
    Submission,
    SubmissionAuthor,
    SubmissionEvent,
    SubmissionEventKind,
    SubmissionStatus,
)
from ..cfp.services import topic_titles
from ..clock import now
from ..content import current_workshop
from ..core.audit import AuditAction, record
from ..core.erasure import is_erased_address
from ..core.extensions import db
from ..groupmail.models import BatchKind, MailBatch
from ..mail import queue_mail
from ..mail.models import OutboxMail
from .decision_letters import (
    Letter,
    default_letter,
    default_subject,
    fill_letter,
    fill_subject,
    values_for,
)
from .mailbox import mails_about
from .models import Organizer

OUTCOMES = {
    "accepted": SubmissionStatus.ACCEPTED,
    "rejected": SubmissionStatus.REJECTED,
}


def decision_subject(submission: Submission, outcome: SubmissionStatus) -> str:
    """The default subject (without the workshop prefix queue_mail adds); distinct per
    outcome so nobody has to open the mail to learn which it is."""
    return default_subject(outcome).replace("{submission_number}", submission.reference)


def _told_mails(submission: Submission, told: SubmissionStatus) -> list[OutboxMail]:
    """The mails of the decision the authors were last told: the last run of decision mails
    with one template (an earlier accept-then-reject left mails of both kinds)."""
    run: list[OutboxMail] = []
    for mail in mails_about(submission):
        if not mail.template.startswith("decision_"):
            continue
        if run and run[-1].template != mail.template:
            run = []
        run.append(mail)
    return [mail for mail in run if mail.template == f"decision_{told.value}"]


def told(submission: Submission) -> tuple[SubmissionStatus, datetime | None] | None:
    """The decision the authors were last mailed, and when (None if never). A decision
    recorded since without mail clears decision_notified_at; the moment is then read from
    that decision's mails (None if those were erased)."""
    outcome = OUTCOMES.get(submission.notified_outcome or "")
    if outcome is None:
        return None
    if submission.decision_notified_at is not None:
        return outcome, submission.decision_notified_at
    mails = _told_mails(submission, outcome)
    return outcome, (mails[-1].created_at if mails else None)


def _earlier(submission: Submission, outcome: SubmissionStatus) -> dict | None:
    """The decision the authors were mailed before, when `outcome` takes it back: the mail
    says that it replaces that one (read before the new decision is recorded)."""
    found = told(submission)
    if found is None or found[0] == outcome:
        return None
    return {"outcome": found[0].value, "at": found[1]}


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
    letter: Letter,
    earlier: dict | None = None,
    reviews: list[AuthorReview] | None = None,
) -> dict:
    base = current_app.config["PUBLIC_BASE_URL"]
    return {
        "letter": fill_letter(letter.text, values_for(submission, author)),
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
    notified_at: datetime | None  # None when its mails were erased
    told: list[OutboxMail]  # the mails of that decision, one per author


@dataclass
class Planned:
    """What deciding one submission would do."""

    submission: Submission
    mails: list[MailPreview] = field(default_factory=list)
    skip_reason: str | None = None  # why nothing will happen to it
    reverses: Reversal | None = None


def _skip_reason(submission: Submission, outcome: SubmissionStatus) -> str | None:
    """Why deciding and sending now would do nothing to this submission (None: it would)."""
    if submission.status == SubmissionStatus.WITHDRAWN:
        return "withdrawn by its authors"
    if submission.status == outcome and submission.decision_notified_at is not None:
        return f"already {outcome.value}, and its authors were told"
    return None


def _notify_skip_reason(submission: Submission, outcome: SubmissionStatus) -> str | None:
    """Why telling its authors `outcome` now would be wrong: it was decided otherwise, or
    notified, since the list was shown (None: tell them)."""
    if submission.status == SubmissionStatus.WITHDRAWN:
        return "withdrawn by its authors"
    if submission.status != outcome:
        return f"now {submission.status.value}, not {outcome.value}"
    if submission.decision_notified_at is not None:
        return "its authors were told already"
    return None


def _reversal(submission: Submission, outcome: SubmissionStatus) -> Reversal | None:
    """What the authors were told, when `outcome` would take back a decision mailed to them."""
    found = told(submission)
    if found is None or found[0] == outcome:
        return None
    return Reversal(found[0], found[1], _told_mails(submission, found[0]))


def _reachable_authors(submission: Submission) -> list:
    """Authors we can write to: an author erased on request has a placeholder address."""
    return [a for a in submission.authors if not is_erased_address(a.email)]


def _compose(
    submission: Submission,
    outcome: SubmissionStatus,
    letter: Letter,
    earlier: dict | None,
    reviews: list[AuthorReview],
) -> list[tuple[SubmissionAuthor, str, dict]]:
    """(author, subject without the workshop prefix, template context) of each mail: the
    one recipe of the preview and of the sending."""
    composed = []
    for author in _reachable_authors(submission):
        subject = fill_subject(letter.subject, values_for(submission, author))
        composed.append((author, subject, _context(submission, author, letter, earlier, reviews)))
    return composed


def plan(
    submissions: Iterable[Submission],
    outcome: SubmissionStatus,
    *,
    include_reviews: bool = False,
    letter: Letter | None = None,
    notifying: bool = False,
) -> list[Planned]:
    """For each submission: the mail every author would get, or why it would be skipped.
    With `include_reviews`, each mail carries the reviews' comments for the authors; `letter`
    is the edited text (the default letter when None). `notifying`: telling a decision
    recorded earlier, rather than deciding now."""
    workshop = current_workshop()
    letter = letter or default_letter(outcome)
    skip = _notify_skip_reason if notifying else _skip_reason
    planned = []
    for submission in submissions:
        item = Planned(submission, skip_reason=skip(submission, outcome))
        if item.skip_reason is None:
            item.reverses = _reversal(submission, outcome)
            earlier = _earlier(submission, outcome)
            reviews = comments_for_authors(submission) if include_reviews else []
            for author, subject, context in _compose(submission, outcome, letter, earlier, reviews):
                text = render_template(
                    f"email/decision_{outcome.value}.txt", workshop=workshop, **context
                )
                item.mails.append(
                    MailPreview(author.email, f"[{workshop.short_name}] {subject}", text)
                )
        planned.append(item)
    return planned


@dataclass
class DecisionReport:
    decided: list[Submission] = field(default_factory=list)
    mails: int = 0
    skipped: list[tuple[Submission, str]] = field(default_factory=list)


def _send(
    submission: Submission,
    outcome: SubmissionStatus,
    moment: datetime,
    *,
    by: Organizer | None,
    letter: Letter,
    include_reviews: bool,
    batch_id: int | None = None,
) -> int:
    """Queue the decision mail to each author, mark the submission notified and record it;
    the number of mails."""
    earlier = _earlier(submission, outcome)
    reviews = comments_for_authors(submission) if include_reviews else []
    recipients = []
    for author, subject, context in _compose(submission, outcome, letter, earlier, reviews):
        queue_mail(
            to=author.email,
            template=f"decision_{outcome.value}",
            subject=subject,
            context=context,
            submission_id=submission.id,
            batch_id=batch_id,
        )
        recipients.append(author.email)
    submission.decision_notified_at = moment
    submission.notified_outcome = outcome.value
    record(
        AuditAction.NOTIFICATION,
        organizer=by,
        target=f"submission:{submission.id}",
        details=f"{decision_subject(submission, outcome)}: mailed to {', '.join(recipients)}"
        + (f" with the comments of {len(reviews)} review(s)" if reviews else "")
        + (" (edited text)" if letter != default_letter(outcome) else ""),
    )
    return len(recipients)


def decide(
    submissions: Sequence[Submission],
    outcome: SubmissionStatus,
    *,
    by: Organizer | None,
    include_reviews: bool = False,
    letter: Letter | None = None,
) -> DecisionReport:
    """Record the decision on each submission and queue one notification per author; the
    caller commits. With `include_reviews`, each mail carries the reviews' comments for the
    authors (as the preview showed them); `letter` is the edited text (default when None).
    A withdrawn submission, or one already decided this way and notified (a second click on
    "send"), is skipped and nobody is mailed twice."""
    report = DecisionReport()
    letter = letter or default_letter(outcome)
    moment = now()
    for submission in _locked(submissions):
        reason = _skip_reason(submission, outcome)
        if reason:
            report.skipped.append((submission, reason))
            continue
        previous = submission.status
        # What the authors were told is read from notified_outcome, which _send changes
        # only after composing the mails.
        _set_decision(submission, outcome, moment)
        record(
            AuditAction.DECISION,
            organizer=by,
            target=f"submission:{submission.id}",
            details=f"{submission.reference}: {outcome.value} (was {previous.value})",
        )
        mails = _send(
            submission, outcome, moment, by=by, letter=letter, include_reviews=include_reviews
        )
        report.decided.append(submission)
        report.mails += mails
    return report


def _set_decision(submission: Submission, outcome: SubmissionStatus, moment: datetime) -> None:
    submission.status = outcome
    submission.decided_at = moment
    # The private link's edit form checks the version: one left open is not applied over
    # a decision.
    submission.version += 1


@dataclass
class RecordReport:
    recorded: list[Submission] = field(default_factory=list)  # to notify later
    # Back to what the authors were told: nothing to send, notified again as before.
    as_told: list[Submission] = field(default_factory=list)
    skipped: list[tuple[Submission, str]] = field(default_factory=list)


def record_decision(
    submissions: Sequence[Submission], outcome: SubmissionStatus, *, by: Organizer | None
) -> RecordReport:
    """Record the decision without mailing anyone ("notify later"); the caller commits.

    The authors were not told this decision, so decision_notified_at is cleared, and
    notified_outcome keeps what they were told before (their private link still shows it).
    Recording the outcome they already have again changes nothing; going back to the outcome
    they were told marks them told again, as they were (nothing is left to send).
    """
    report = RecordReport()
    moment = now()
    for submission in _locked(submissions):
        if submission.status == SubmissionStatus.WITHDRAWN:
            report.skipped.append((submission, "withdrawn by its authors"))
            continue
        if submission.status == outcome:
            told_now = submission.decision_notified_at is not None
            report.skipped.append(
                (
                    submission,
                    f"already {outcome.value}"
                    + (", and its authors were told" if told_now else ", not yet told"),
                )
            )
            continue
        previous = submission.status
        was_told = told(submission)
        _set_decision(submission, outcome, moment)
        if was_told is not None and was_told[0] == outcome:
            submission.decision_notified_at = was_told[1] or moment
            report.as_told.append(submission)
            note = "; its authors were told this before, nothing to send"
        else:
            submission.decision_notified_at = None
            report.recorded.append(submission)
            note = "; not told yet"
        details = f"{submission.reference}: {outcome.value} (was {previous.value}){note}"
        submission.events.append(
            SubmissionEvent(at=moment, kind=SubmissionEventKind.DECISION_RECORDED, details=details)
        )
        record(
            AuditAction.DECISION_RECORDED,
            organizer=by,
            target=f"submission:{submission.id}",
            details=details,
        )
    return report


def pending(outcome: SubmissionStatus) -> list[Submission]:
    """Submissions decided `outcome` whose authors were not told that decision, by number."""
    return list(
        db.session.scalars(
            db.select(Submission)
            .where(Submission.status == outcome)
            .where(Submission.decision_notified_at.is_(None))
            .order_by(Submission.number)
        )
    )


BATCH_LABELS = {
    SubmissionStatus.ACCEPTED: "Acceptance notifications",
    SubmissionStatus.REJECTED: "Rejection notifications",
}


@dataclass
class NotifyReport:
    batch: MailBatch | None = None  # None when nothing was sent
    notified: list[Submission] = field(default_factory=list)
    mails: int = 0
    skipped: list[tuple[Submission, str]] = field(default_factory=list)
    replayed: bool = False  # the nonce was used: this is the batch sent before


def notify(
    submissions: Sequence[Submission],
    outcome: SubmissionStatus,
    *,
    by: Organizer | None,
    letter: Letter,
    nonce: str,
    include_reviews: bool = False,
) -> NotifyReport:
    """Tell the authors of these submissions the decision recorded earlier, as one batch of
    mails (kind DECISIONS); the caller commits, and on an IntegrityError (the same nonce
    committed meanwhile) rolls back and calls batch_for_nonce. A submission decided otherwise
    or notified since the preview is skipped. A used nonce sends nothing and reports its
    batch."""
    earlier_batch = batch_for_nonce(nonce)
    if earlier_batch is not None:
        return NotifyReport(batch=earlier_batch, replayed=True)
    batch = MailBatch(
        kind=BatchKind.DECISIONS,
        group=outcome.value,
        label=BATCH_LABELS[outcome],
        subject=letter.subject,
        body=letter.text,
        recipient_count=0,
        organizer_id=by.id if by else None,
        created_at=now(),
        nonce=nonce,
    )
    db.session.add(batch)
    db.session.flush()  # the UNIQUE nonce now: a second post waits here or fails
    report = NotifyReport(batch=batch)
    for submission in _locked(submissions):
        reason = _notify_skip_reason(submission, outcome)
        if reason:
            report.skipped.append((submission, reason))
            continue
        report.mails += _send(
            submission,
            outcome,
            batch.created_at,
            by=by,
            letter=letter,
            include_reviews=include_reviews,
            batch_id=batch.id,
        )
        report.notified.append(submission)
    if not report.notified:
        db.session.delete(batch)  # nothing went out: no empty batch on the progress pages
        report.batch = None
        return report
    batch.recipient_count = report.mails
    record(
        AuditAction.GROUP_MAIL,
        organizer=by,
        target=f"mail_batch:{batch.id}",
        details=f"{batch.label}: {report.mails} mail(s) about "
        + ", ".join(s.reference for s in report.notified)
        + (
            f"; skipped {', '.join(s.reference for s, _ in report.skipped)}"
            if report.skipped
            else ""
        ),
    )
    return report


def batch_for_nonce(nonce: str) -> MailBatch | None:
    """The batch sent from the form with this nonce, if any."""
    return db.session.scalar(db.select(MailBatch).where(MailBatch.nonce == nonce))


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
