"""The reviewer's side of the committee's review: reviews, bids, conflicts, the discussion,
its digest mails and the ZIP of a reviewer's papers.

Plain functions: no request, no abort, no flash. A refusal raises ReviewError with a message
for people; the caller commits. Who may see which submission is access.py's word only.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..cfp.models import Submission
from ..cfp.services import upload_path
from ..clock import as_utc, now
from ..content import current_workshop
from ..content.model import ReviewField
from ..core.audit import AuditAction, record
from ..core.extensions import db
from ..mail.outbox import queue_mail
from ..organizer.models import Organizer
from . import access
from .models import (
    Assignment,
    Bid,
    BidPreference,
    Conflict,
    ConflictKind,
    DiscussionComment,
    DiscussionDigest,
    Review,
    ReviewStatus,
)

TEXT_MAX = 20_000  # a review text: some pages of comments
COMMENT_MAX = 5_000
REASON_MAX = 500


class ReviewError(Exception):
    """A refusal, said for people. `field` names the form field it is about (None: the whole
    form); `errors` maps every field at fault to its message when there are several."""

    def __init__(
        self, message: str, field: str | None = None, *, errors: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or ({field: message} if field else {})


class ReviewClosed(ReviewError):
    """The review deadline has passed."""


class StaleReview(ReviewError):
    """The form was opened on an older version of the review (a second tab, a replay)."""


class NotAssigned(ReviewError):
    """The submission is not assigned to this reviewer."""


# --- The deadline ---------------------------------------------------------------------------


def reviews_open(moment: datetime | None = None) -> bool:
    return (moment or now()) < current_workshop().review.closes


def time_to_deadline(moment: datetime | None = None) -> str | None:
    """ "3 days 4 hours", "5 hours 10 minutes", "1 minute" until the review deadline, or
    None once it has passed. The one wording of it: pages, mails and reminders."""
    remaining = current_workshop().review.closes - (moment or now())
    seconds = int(remaining.total_seconds())
    if seconds <= 0:
        return None
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60

    def unit(count: int, word: str) -> str:
        return f"{count} {word}{'s' if count != 1 else ''}"

    if days:
        return f"{unit(days, 'day')} {unit(hours, 'hour')}"
    if hours:
        return f"{unit(hours, 'hour')} {unit(minutes, 'minute')}"
    return unit(max(minutes, 1), "minute")


def time_left(moment: datetime | None = None) -> str:
    """ "3 days 4 hours left" (see time_to_deadline), or "closed"."""
    remaining = time_to_deadline(moment)
    return f"{remaining} left" if remaining else "closed"


# --- Reviews --------------------------------------------------------------------------------


def review_of(reviewer: Organizer, submission: Submission) -> Review | None:
    return db.session.scalar(
        db.select(Review)
        .where(Review.reviewer_id == reviewer.id)
        .where(Review.submission_id == submission.id)
    )


def may_review(reviewer: Organizer, submission: Submission) -> bool:
    """Assigned, and visible to them (not withdrawn, not in conflict)."""
    return access.may_see(reviewer, submission) and access.is_assigned(reviewer, submission.id)


def _check_score(field: ReviewField, value: int | None, *, submitting: bool) -> str | None:
    if value is None:
        if submitting and field.required:
            return f"Choose a value for “{field.label}”."
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in dict(field.scale):
        return f"“{field.label}” goes from {field.lowest} to {field.highest}."
    return None


def _check_text(field: ReviewField, value: str, *, submitting: bool) -> str | None:
    if len(value) > TEXT_MAX:
        return f"“{field.label}” is {len(value):,} characters long; at most {TEXT_MAX:,} fit."
    if submitting and field.required and not value.strip():
        return f"Write the “{field.label}”."
    return None


def save_review(
    reviewer: Organizer,
    submission: Submission,
    scores: dict[str, int | None],
    texts: dict[str, str],
    *,
    submit: bool,
    version: int | None,
) -> Review:
    """Save the reviewer's review of the submission as a draft, or submit it.

    `version` is the review's version the form was opened on (0 for no review yet; None skips
    the check, for callers that are not forms): another version means the form is stale and
    nothing changes. A submitted review stays submitted; saving it again checks it as a
    submission. Refused after the review deadline and for submissions not assigned to the
    reviewer."""
    if not may_review(reviewer, submission):
        raise NotAssigned("This submission is not assigned to you, so you cannot review it.")
    rules = current_workshop().review
    moment = now()
    if not reviews_open(moment):
        raise ReviewClosed(
            "Reviews closed on "
            f"{rules.deadline.at:%d %B %Y at %H:%M} ({rules.deadline.zone_label}); "
            "your review can no longer be changed."
        )
    review = db.session.scalar(
        db.select(Review)
        .where(Review.reviewer_id == reviewer.id)
        .where(Review.submission_id == submission.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    current = review.version if review else 0
    if version is not None and version != current:
        raise StaleReview(
            "This review was saved since this form was opened (in another tab, or the form "
            "was sent twice). Nothing was changed; check the review below and save again."
        )
    submitting = submit or (review is not None and review.is_submitted)
    errors: dict[str, str] = {}
    clean_scores: dict[str, int] = {}
    clean_texts: dict[str, str] = {}
    for field in rules.score_fields:
        value = scores.get(field.key)
        problem = _check_score(field, value, submitting=submitting)
        if problem:
            errors[field.key] = problem
        elif value is not None:
            clean_scores[field.key] = value
    for field in rules.text_fields:
        text = (texts.get(field.key) or "").replace("\r\n", "\n")
        problem = _check_text(field, text, submitting=submitting)
        if problem:
            errors[field.key] = problem
        elif text.strip():
            clean_texts[field.key] = text
    if errors:
        first_key, first = next(iter(errors.items()))
        message = first if len(errors) == 1 else "Some fields need your attention."
        raise ReviewError(message, first_key, errors=errors)

    if review is None:
        review = Review(
            reviewer_id=reviewer.id,
            submission_id=submission.id,
            status=ReviewStatus.DRAFT,
            scores=clean_scores,
            texts=clean_texts,
            created_at=moment,
            updated_at=moment,
            version=0,
        )
        try:
            with db.session.begin_nested():
                db.session.add(review)
                db.session.flush()
        except IntegrityError:
            # The same new review saved at the same moment from another tab: that one won.
            raise StaleReview(
                "This review was saved from elsewhere a moment ago. Nothing was changed; "
                "check the review below and save again."
            ) from None
    review.scores = clean_scores
    review.texts = clean_texts
    review.updated_at = moment
    review.version = current + 1
    if submitting:
        first_time = not review.is_submitted
        review.status = ReviewStatus.SUBMITTED
        if review.submitted_at is None:
            review.submitted_at = moment
        record(
            AuditAction.REVIEW_SUBMITTED,
            organizer=reviewer,
            target=f"submission:{submission.id}",
            details=("Submitted. " if first_time else "Edited after submitting. ")
            + review_summary(review),
        )
    return review


def review_summary(review: Review) -> str:
    """The review's values as one text, for the audit log."""
    rules = current_workshop().review
    parts = [f"{f.label}: {review.scores.get(f.key, '—')}" for f in rules.score_fields]
    parts += [f"{f.label}: {review.texts.get(f.key, '')}" for f in rules.text_fields]
    return "; ".join(parts)


@dataclass(frozen=True)
class OtherReview:
    label: str  # the reviewer's name, or "Reviewer B"
    review: Review


def reviewer_labels(submission: Submission) -> dict[int, str]:
    """Reviewer id → "Reviewer A", "Reviewer B"...: by assignment order, then by review
    order for reviews without an assignment, so a letter never changes."""
    order: list[int] = list(
        db.session.scalars(
            db.select(Assignment.reviewer_id)
            .where(Assignment.submission_id == submission.id)
            .order_by(Assignment.id)
        )
    )
    for reviewer_id in db.session.scalars(
        db.select(Review.reviewer_id)
        .where(Review.submission_id == submission.id)
        .order_by(Review.id)
    ):
        if reviewer_id not in order:
            order.append(reviewer_id)
    return {rid: f"Reviewer {_letters(i)}" for i, rid in enumerate(order)}


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _names_hidden_for(person: Organizer) -> bool:
    return not person.is_chair and current_workshop().review.hide_reviewer_names


def label_for(person: Organizer, author: Organizer | None, labels: dict[int, str]) -> str:
    """How `person` sees the committee member `author` named on a submission's page."""
    if author is None:
        return "A former committee member"
    if author.is_chair:
        return f"{author.display_name} (chair)"
    if _names_hidden_for(person):
        return labels.get(author.id, "A reviewer")
    return author.display_name


def others_reviews(person: Organizer, submission: Submission) -> list[OtherReview]:
    """The submitted reviews of others the person may read: a chair every one; a reviewer
    only once their own review of it is submitted (HotCRP's rule)."""
    if not access.may_see(person, submission):
        return []
    if not person.is_chair:
        own = review_of(person, submission)
        if own is None or not own.is_submitted:
            return []
    rows = db.session.scalars(
        db.select(Review)
        .where(Review.submission_id == submission.id)
        .where(Review.status == ReviewStatus.SUBMITTED)
        .where(Review.reviewer_id != person.id)
        .order_by(Review.id)
    ).all()
    labels = reviewer_labels(submission)
    return [OtherReview(label_for(person, row.reviewer, labels), row) for row in rows]


# --- Bids and conflicts ---------------------------------------------------------------------


def set_bid(reviewer: Organizer, submission: Submission, preference: BidPreference | None) -> None:
    """The reviewer's bid on a submission they may see; None takes the bid back."""
    if not access.may_see(reviewer, submission):
        raise ReviewError("There is no such submission.")
    row = db.session.scalar(
        db.select(Bid)
        .where(Bid.reviewer_id == reviewer.id)
        .where(Bid.submission_id == submission.id)
    )
    if preference is None:
        if row is not None:
            db.session.delete(row)
        return
    if row is None:
        db.session.add(
            Bid(
                reviewer_id=reviewer.id,
                submission_id=submission.id,
                preference=BidPreference(preference),
                updated_at=now(),
            )
        )
    else:
        row.preference = BidPreference(preference)
        row.updated_at = now()


def bids_of(reviewer: Organizer) -> dict[int, BidPreference]:
    rows = db.session.scalars(db.select(Bid).where(Bid.reviewer_id == reviewer.id))
    return {row.submission_id: row.preference for row in rows}


def _drop_unsubmitted_assignment(reviewer: Organizer, submission_id: int) -> bool:
    """Remove the reviewer's assignment (and draft) of the submission; True if there was one."""
    assignment = db.session.scalar(
        db.select(Assignment)
        .where(Assignment.reviewer_id == reviewer.id)
        .where(Assignment.submission_id == submission_id)
    )
    draft = db.session.scalar(
        db.select(Review)
        .where(Review.reviewer_id == reviewer.id)
        .where(Review.submission_id == submission_id)
        .where(Review.status == ReviewStatus.DRAFT)
    )
    if draft is not None:
        db.session.delete(draft)
    if assignment is not None:
        db.session.delete(assignment)
        return True
    return False


def _record_conflict(reviewer: Organizer, submission_id: int, reason: str) -> None:
    row = db.session.scalar(
        db.select(Conflict)
        .where(Conflict.reviewer_id == reviewer.id)
        .where(Conflict.submission_id == submission_id)
    )
    if row is None:
        row = Conflict(reviewer_id=reviewer.id, submission_id=submission_id)
        db.session.add(row)
    row.kind = ConflictKind.DECLARED
    row.reason = reason
    row.set_by_id = reviewer.id
    row.set_at = now()
    removed = _drop_unsubmitted_assignment(reviewer, submission_id)
    record(
        AuditAction.CONFLICT_SET,
        organizer=reviewer,
        target=f"submission:{submission_id}",
        details=f"Declared by the reviewer {reviewer.email}"
        + (f": {reason}" if reason else "")
        + ("; their assignment was removed" if removed else ""),
    )
    db.session.flush()
    access.forget_conflicts()


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX:
        raise ReviewError(f"The reason is at most {REASON_MAX} characters.", "reason")
    return reason


def declare_conflict(reviewer: Organizer, submission: Submission, reason: str) -> None:
    """The reviewer declares a conflict with a submission they can see. An assignment without
    a submitted review goes with it; after a submitted review only the chairs can say."""
    reason = _clean_reason(reason)
    if not access.may_see(reviewer, submission):
        raise ReviewError("There is no such submission.", "number")
    own = review_of(reviewer, submission)
    if own is not None and own.is_submitted:
        raise ReviewError(
            f"You have submitted a review of {submission.reference}; ask the chairs to record "
            "the conflict.",
            "number",
        )
    _record_conflict(reviewer, submission.id, reason)


CONFIRMED_SUGGESTION = "Confirmed suggestion: "


def submission_to_declare(reviewer: Organizer, number: int) -> Submission:
    """The submission a reviewer names by number on the conflicts page."""
    submission = db.session.scalar(db.select(Submission).where(Submission.number == number))
    if submission is not None:
        row = access.stated_conflicts(reviewer.id).get(submission.id)
        # Only a conflict the reviewer declared by this number themselves may be named; any
        # other (suggested, set by a chair, a suggestion confirmed unseen) answers as a number
        # that does not exist, or typing 1, 2, 3… would list the hidden papers.
        if (
            row is not None
            and row.kind == ConflictKind.DECLARED
            and row.set_by_id == reviewer.id
            and not row.reason.startswith(CONFIRMED_SUGGESTION)
        ):
            raise ReviewError(
                f"Your conflict with submission {number} is already recorded.", "number"
            )
    try:
        return access.submission_for(reviewer, number)
    except access.NotVisible:
        raise ReviewError(f"There is no submission {number}.", "number") from None


def confirm_suggested_conflicts(reviewer: Organizer) -> int:
    """Every suggested conflict the reviewer has not confirmed yet becomes a declared one;
    how many. All at once: the reviewer may not learn which papers they are (not even
    their numbers), so there is nothing to choose between."""
    suggested = pending_suggestions(reviewer)
    if not suggested:
        raise ReviewError("There are no suggestions to confirm (already confirmed, or cleared).")
    for submission_id, reason in sorted(suggested.items()):
        _record_conflict(reviewer, submission_id, f"{CONFIRMED_SUGGESTION}{reason}")
    return len(suggested)


@dataclass(frozen=True)
class ConflictLine:
    submission_id: int
    number: int
    reason: str
    title: str | None  # None: not shown (the reviewer cannot see the paper)


def pending_suggestions(reviewer: Organizer) -> dict[int, str]:
    """Submission id → reason, for the suggestions in force the reviewer has not confirmed."""
    stated = access.stated_conflicts(reviewer.id)
    return {
        sid: reason
        for sid, reason in access.suggested_conflicts(reviewer).items()
        if sid not in stated
    }


@dataclass(frozen=True)
class ConflictSummary:
    """What the conflicts page may tell a reviewer: the reasons of the suggestions (no
    number, no title), the conflicts they declared themselves (by the number they typed),
    and how many others are in force (set by the chairs, or confirmed suggestions)."""

    suggested_reasons: list[str]
    own: list[ConflictLine]
    others: int


def conflict_summary(reviewer: Organizer) -> ConflictSummary:
    suggested = pending_suggestions(reviewer)
    stated = access.stated_conflicts(reviewer.id)
    own = {
        sid: row.reason
        for sid, row in stated.items()
        if row.kind == ConflictKind.DECLARED
        and row.set_by_id == reviewer.id
        and not row.reason.startswith(CONFIRMED_SUGGESTION)
    }
    numbers = dict(
        db.session.execute(
            db.select(Submission.id, Submission.number).where(Submission.id.in_(set(own)))
        ).all()
    )
    lines = sorted(
        (ConflictLine(sid, numbers[sid], reason, None) for sid, reason in own.items()),
        key=lambda line: line.number,
    )
    in_force = access.conflicted_ids(reviewer)
    return ConflictSummary(
        suggested_reasons=sorted(suggested.values()),
        own=lines,
        others=len(in_force - set(own) - set(suggested)),
    )


# --- The discussion -------------------------------------------------------------------------


def may_discuss(person: Organizer, submission: Submission) -> bool:
    if person.is_chair:
        return True
    return access.may_see(person, submission) and access.is_assigned(person, submission.id)


def post_comment(
    person: Organizer, submission: Submission, body: str, nonce: str | None = None
) -> DiscussionComment:
    """A discussion comment. `nonce`: the form's one-time value; a form posted again (double
    click, replay) raises ReviewError and adds nothing."""
    if not may_discuss(person, submission):
        raise ReviewError("Only the submission's reviewers and the chairs discuss it.")
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ReviewError("Write a comment first.", "body")
    if len(body) > COMMENT_MAX:
        raise ReviewError(
            f"The comment is {len(body):,} characters long; at most {COMMENT_MAX:,} fit.", "body"
        )
    comment = DiscussionComment(
        submission_id=submission.id,
        author_id=person.id,
        body=body,
        created_at=now(),
        form_nonce=nonce,
    )
    try:
        with db.session.begin_nested():
            db.session.add(comment)
    except IntegrityError:
        raise ReviewError(
            "This comment was posted already (the same form was sent twice).", "posted_twice"
        ) from None
    return comment


@dataclass(frozen=True)
class ShownComment:
    author: str
    at: datetime
    body: str
    own: bool


def comments_for(person: Organizer, submission: Submission) -> list[ShownComment]:
    """The discussion of the submission as `person` may read it (empty if they may not)."""
    if not may_discuss(person, submission):
        return []
    rows = db.session.scalars(
        db.select(DiscussionComment)
        .where(DiscussionComment.submission_id == submission.id)
        .order_by(DiscussionComment.created_at, DiscussionComment.id)
    ).all()
    labels = reviewer_labels(submission)
    return [
        ShownComment(
            label_for(person, row.author, labels),
            as_utc(row.created_at),
            row.body,
            row.author_id == person.id,
        )
        for row in rows
    ]


def _committee() -> list[Organizer]:
    return list(db.session.scalars(db.select(Organizer).order_by(Organizer.id)))


def send_digests(*, by: Organizer | None = None) -> int:
    """One mail per committee member with the comments since their last digest on the
    submissions they may discuss (never their own); the cursor moves either way. The number
    of mails queued; the caller commits."""
    latest = db.session.scalar(db.select(db.func.max(DiscussionComment.id))) or 0
    cursors = {
        row.organizer_id: row
        for row in db.session.scalars(db.select(DiscussionDigest).with_for_update())
    }
    workshop = current_workshop()
    moment = now()
    mails = 0
    for person in _committee():
        cursor = cursors.get(person.id)
        if cursor is None:
            cursor = DiscussionDigest(organizer_id=person.id, last_comment_id=0)
            db.session.add(cursor)
        if cursor.last_comment_id >= latest:
            continue
        query = (
            db.select(DiscussionComment)
            .where(DiscussionComment.id > cursor.last_comment_id)
            .where(DiscussionComment.id <= latest)
            .where(
                db.or_(
                    DiscussionComment.author_id.is_(None), DiscussionComment.author_id != person.id
                )
            )
            .order_by(DiscussionComment.submission_id, DiscussionComment.id)
        )
        if not person.is_chair:
            mine = [row.submission_id for row in access.assignments_of(person)]
            query = query.where(DiscussionComment.submission_id.in_(mine))
        comments = db.session.scalars(query).all()
        cursor.last_comment_id = latest
        if not comments:
            continue
        groups: dict[int, dict] = {}
        for comment in comments:
            submission = comment.submission
            if not access.may_see(person, submission):
                continue
            if submission.id not in groups:
                groups[submission.id] = {
                    "submission": submission,
                    "labels": reviewer_labels(submission),
                    "comments": [],
                }
            group = groups[submission.id]
            group["comments"].append(
                {
                    "author": label_for(person, comment.author, group["labels"]),
                    "at": as_utc(comment.created_at),
                    "body": comment.body,
                }
            )
        if not groups:
            continue
        items = sorted(groups.values(), key=lambda g: g["submission"].number)
        count = sum(len(g["comments"]) for g in items)
        queue_mail(
            to=person.email,
            template="reviews_digest",
            subject=f"Committee discussion: {count} new comment{'s' if count != 1 else ''}",
            context={
                "person": person,
                "items": items,
                "count": count,
                "workshop": workshop,
                "base_url": current_app.config["PUBLIC_BASE_URL"],
            },
        )
        cursor.sent_at = moment
        mails += 1
    record(
        AuditAction.DISCUSSION_DIGEST,
        organizer=by,
        details=f"{mails} digest mail{'s' if mails != 1 else ''}, comments up to #{latest}",
    )
    return mails


# --- The reviewer's papers as one ZIP -------------------------------------------------------


class _Sink(io.RawIOBase):
    """Where zipfile writes: kept until drained. Not seekable, so zipfile streams (data
    descriptors after each member) and never goes back."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[no-untyped-def, override]
        self.buffer += data
        return len(data)

    def drain(self) -> bytes:
        data = bytes(self.buffer)
        self.buffer.clear()
        return data


CHUNK = 64 * 1024


@dataclass(frozen=True)
class ZipMember:
    path: Path
    name: str
    moment: datetime


def zip_members(reviewer: Organizer) -> list[ZipMember]:
    """The assigned, visible submissions' PDFs that are on disk, as ZIP member names
    ("FP20-003.pdf": the reference only, never an author's name or file name)."""
    members = []
    for assignment in access.assignments_of(reviewer):
        submission = assignment.submission
        if not access.may_see(reviewer, submission):
            continue
        path = upload_path(submission.pdf_stored_name)
        if not path.is_file():
            current_app.logger.error("the PDF of submission %s is missing: %s", submission.id, path)
            continue
        members.append(
            ZipMember(path, f"{submission.reference}.pdf", as_utc(submission.updated_at))
        )
    return members


def assigned_pdfs_zip(reviewer: Organizer) -> Iterator[bytes]:
    """A ZIP of the reviewer's assigned, visible PDFs, chunk by chunk. Which files is decided
    now (the caller's request); the bytes are read while the response is sent."""
    return _zip_stream(zip_members(reviewer))


def _zip_stream(members: list[ZipMember]) -> Iterator[bytes]:
    sink = _Sink()
    # Stored, not deflated: PDFs are compressed already, so deflating spends CPU per download
    # for a few per cent of size.
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for member in members:
            info = zipfile.ZipInfo(member.name, date_time=member.moment.timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED
            try:
                source = member.path.open("rb")
            except FileNotFoundError:
                continue  # replaced since the list was made
            with source, archive.open(info, "w", force_zip64=True) as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    if len(sink.buffer) >= CHUNK:
                        yield sink.drain()
            yield sink.drain()
    yield sink.drain()
