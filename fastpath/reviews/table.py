"""The chairs' table of every submission with its reviews, and each reviewer's progress.

A fixed number of queries whatever the number of submissions (submissions, assignments with
their reviewers, reviews), grouped in Python: 500 submissions with 3 reviews each stay well
under 200 ms of server time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..cfp.models import Submission, SubmissionStatus
from ..content import current_workshop
from ..core.extensions import db
from ..organizer.models import Organizer, OrganizerRole
from .models import Assignment, Review, ReviewStatus

# A spread of the merit scores this large (max - min) flags the submission for discussion.
DISAGREEMENT_SPREAD = 2

SORTS = ("number", "title", "mean", "weighted", "spread", "done")


@dataclass
class ReviewCell:
    reviewer_name: str
    reviewer_email: str
    status: ReviewStatus | None  # None: assigned, not started
    scores: dict[str, Any]
    summary: str = ""  # as the table shows it: "4 / 3", "draft", "not started"

    @property
    def submitted(self) -> bool:
        return self.status == ReviewStatus.SUBMITTED


@dataclass
class Row:
    submission_id: int
    number: int
    reference: str
    title: str
    status: SubmissionStatus
    reviews: list[ReviewCell] = field(default_factory=list)
    assigned: int = 0
    done: int = 0
    mean: float | None = None
    spread: int | None = None
    weighted_mean: float | None = None

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT_SPREAD

    @property
    def decision(self) -> str:
        return self.status.value


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def stats(reviews: list[Review | ReviewCell]) -> tuple[float | None, int | None, float | None]:
    """(mean, spread, confidence-weighted mean) of the merit scores of the submitted reviews.
    The weights are the expertise scores; a review without one does not count in the
    weighted mean."""
    rules = current_workshop().review
    merit_key = rules.merit_field.key if rules.merit_field else None
    expertise_key = rules.expertise_field.key if rules.expertise_field else None
    if merit_key is None:
        return None, None, None
    merits: list[int] = []
    weighted: list[tuple[int, int]] = []
    for review in reviews:
        if review.status != ReviewStatus.SUBMITTED:
            continue
        merit = _int((review.scores or {}).get(merit_key))
        if merit is None:
            continue
        merits.append(merit)
        weight = _int((review.scores or {}).get(expertise_key)) if expertise_key else None
        if weight is not None and weight > 0:
            weighted.append((merit, weight))
    if not merits:
        return None, None, None
    mean = sum(merits) / len(merits)
    spread = max(merits) - min(merits)
    total = sum(w for _, w in weighted)
    weighted_mean = sum(m * w for m, w in weighted) / total if total else None
    return mean, spread, weighted_mean


def _sort_key(sort: str):
    def key(row: Row):
        if sort == "title":
            return (0, row.title.casefold(), row.number)
        value = {
            "mean": row.mean,
            "weighted": row.weighted_mean,
            "spread": row.spread,
            "done": row.done,
        }.get(sort, row.number)
        return (0, value, row.number)

    return key


def review_table(
    sort: str = "number", descending: bool = False, *, include_withdrawn: bool = False
) -> list[Row]:
    """Every submission (withdrawn ones only when asked) with its reviews and statistics,
    sorted by `sort` (one of SORTS; anything else is by number). Rows without a value to
    sort by (no submitted review yet) come last in either direction."""
    query = db.select(
        Submission.id, Submission.number, Submission.title, Submission.status
    ).order_by(Submission.number)
    if not include_withdrawn:
        query = query.where(Submission.status != SubmissionStatus.WITHDRAWN)
    prefix = current_workshop().submission.number_prefix
    rows: dict[int, Row] = {}
    for sid, number, title, status in db.session.execute(query):
        rows[sid] = Row(sid, number, f"{prefix}-{number:03d}", title, status)
    if rows:
        _fill(rows)
    found = list(rows.values())
    sort = sort if sort in SORTS else "number"
    key = _sort_key(sort)
    if sort in ("mean", "weighted", "spread"):
        attr = {"mean": "mean", "weighted": "weighted_mean", "spread": "spread"}[sort]
        valued = [r for r in found if getattr(r, attr) is not None]
        empty = [r for r in found if getattr(r, attr) is None]
        valued.sort(key=key, reverse=descending)
        empty.sort(key=lambda r: r.number)
        return valued + empty
    found.sort(key=key, reverse=descending)
    return found


def _fill(rows: dict[int, Row]) -> None:
    """Assignments and reviews of these submissions, in two queries."""
    names: dict[tuple[int, int], tuple[str, str]] = {}
    assignments = db.session.execute(
        db.select(Assignment.submission_id, Assignment.reviewer_id, Organizer.name, Organizer.email)
        .join(Organizer, Organizer.id == Assignment.reviewer_id)
        .order_by(Assignment.submission_id, Organizer.name, Organizer.email)
    )
    assigned: dict[int, list[int]] = defaultdict(list)
    for sid, rid, name, email in assignments:
        if sid in rows:
            assigned[sid].append(rid)
            names[(sid, rid)] = (name, email)
    reviews = db.session.execute(
        db.select(
            Review.submission_id,
            Review.reviewer_id,
            Review.status,
            Review.scores,
            Organizer.name,
            Organizer.email,
        ).join(Organizer, Organizer.id == Review.reviewer_id)
    )
    by_pair: dict[tuple[int, int], ReviewCell] = {}
    for sid, rid, status, scores, name, email in reviews:
        if sid in rows:
            by_pair[(sid, rid)] = ReviewCell(name or email, email, status, dict(scores or {}))
    for sid, row in rows.items():
        cells: list[ReviewCell] = []
        for rid in assigned.get(sid, []):
            cell = by_pair.pop((sid, rid), None)
            if cell is None:
                name, email = names[(sid, rid)]
                cell = ReviewCell(name or email, email, None, {})
            cells.append(cell)
        row.assigned = len(cells)
        row.reviews = cells
    # Reviews whose assignment was removed still count: they were written.
    for (sid, _rid), cell in sorted(by_pair.items()):
        rows[sid].reviews.append(cell)
    score_keys = [f.key for f in current_workshop().review.score_fields]
    for row in rows.values():
        for cell in row.reviews:
            cell.summary = _summary(cell, score_keys)
        row.done = sum(1 for cell in row.reviews if cell.submitted)
        row.mean, row.spread, row.weighted_mean = stats(row.reviews)  # type: ignore[arg-type]


def _summary(cell: ReviewCell, score_keys: list[str]) -> str:
    if cell.status is None:
        return "not started"
    if not cell.submitted:
        return "draft"
    return " / ".join(str(cell.scores.get(key, "—")) for key in score_keys)


@dataclass
class Progress:
    reviewer: Organizer
    assigned: int = 0
    submitted: int = 0
    drafts: int = 0

    @property
    def not_started(self) -> int:
        return self.assigned - self.submitted - self.drafts


def reviewer_progress() -> list[Progress]:
    """Per reviewer (by name): their assignments on submissions not withdrawn, and how many
    of those are submitted, drafts, not started. Three queries."""
    reviewers = list(
        db.session.scalars(
            db.select(Organizer)
            .where(Organizer.role == OrganizerRole.REVIEWER)
            .order_by(Organizer.name, Organizer.email)
        )
    )
    progress = {r.id: Progress(r) for r in reviewers}
    live = (
        db.select(Assignment.reviewer_id, Assignment.submission_id)
        .join(Submission, Submission.id == Assignment.submission_id)
        .where(Submission.status != SubmissionStatus.WITHDRAWN)
    )
    pairs = {(rid, sid) for rid, sid in db.session.execute(live)}
    statuses = {
        (rid, sid): status
        for rid, sid, status in db.session.execute(
            db.select(Review.reviewer_id, Review.submission_id, Review.status)
        )
    }
    for rid, sid in pairs:
        item = progress.get(rid)
        if item is None:
            continue
        item.assigned += 1
        status = statuses.get((rid, sid))
        if status == ReviewStatus.SUBMITTED:
            item.submitted += 1
        elif status == ReviewStatus.DRAFT:
            item.drafts += 1
    return list(progress.values())
