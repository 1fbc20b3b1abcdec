"""Who reviews what: assignments by hand and automatic, the chairs' conflicts, and the one
mail per reviewer that lists their new assignments.

The automatic assignment (`plan_auto`)
--------------------------------------
Input: every submission with status SUBMITTED, every reviewer account, the conflicts in
force (access.conflicted_ids), the bids, the existing assignments, and N per submission.
An existing assignment counts when its submission is not withdrawn and its reviewer is not
in conflict with it; it counts towards its submission's N and its reviewer's load (the load
is over all submissions, decided ones included). Existing assignments are never moved.

1. Eligible reviewers of a submission: not in conflict, not already assigned. Those who bid
   "not interested" are used only for the slots nobody else can fill (the plan flags them).
   A submission gets min(N − existing, eligible) new reviewers; what is missing is reported
   as its shortfall, not an error.
2. Greedy fill, submissions in a fixed order (fewest eligible reviewers first, then number):
   each slot takes the eligible reviewer with the smallest key
   (not-interested, load, preference rank eager < willing < no bid, −topic overlap,
   reviewer id). A reviewer's topics are the topics of the submissions they bid eager or
   willing on.
3. Balancing: while some reviewer A can pass one new assignment along a chain of reviewers
   (A's to B, B's to C, ...) to a reviewer whose load is at least two lower, do it (the
   first such chain in reviewer-id / submission-number order, by breadth-first search). No
   such chain left means the loads are as even as the conflicts allow (the squared loads
   are minimal: a convex-cost flow with no negative cycle), so max − min ≤ 1 whenever any
   assignment reaches that. A chain never swaps a not-interested reviewer in for another.

The same database gives the same plan. The plan carries a fingerprint of its input; saving
refuses a plan whose input changed since it was shown (`PlanChanged`, with the new plan).
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..cfp.models import Submission, SubmissionStatus
from ..clock import now
from ..content import current_workshop
from ..core.audit import AuditAction, record
from ..core.extensions import db
from ..core.urls import public_url
from ..mail.outbox import queue_mail
from ..organizer.models import Organizer, OrganizerRole
from . import access
from .models import (
    Assignment,
    Bid,
    BidPreference,
    Conflict,
    ConflictKind,
    Review,
    ReviewStatus,
)

MAX_PER_SUBMISSION = 20
_PREFERENCE_RANK = {BidPreference.EAGER: 0, BidPreference.WILLING: 1, None: 2}


class AssignmentError(Exception):
    """An assignment or conflict change cannot be made as asked; the message says why."""


class NeedsConfirmation(AssignmentError):
    """Removing this assignment deletes a submitted review: ask the chair first."""

    def __init__(self, message: str, review: Review) -> None:
        super().__init__(message)
        self.review = review


class PlanChanged(AssignmentError):
    """The assignments, conflicts, bids, reviewers or submissions changed since the preview."""

    def __init__(self, plan: AssignmentPlan) -> None:
        super().__init__(
            "The assignments changed since the preview (a reviewer, conflict, bid, submission "
            "or assignment is different now). Nothing was saved; check the new preview below."
        )
        self.plan = plan


@dataclass(frozen=True)
class PlannedPair:
    reviewer_id: int
    reviewer_email: str
    reviewer_name: str
    submission_id: int
    number: int
    title: str
    preference: BidPreference | None
    overlap: int
    reluctant: bool  # bid "not interested": nobody else was left


@dataclass(frozen=True)
class Load:
    reviewer_id: int
    email: str
    name: str
    before: int
    after: int


@dataclass(frozen=True)
class Shortfall:
    submission_id: int
    number: int
    title: str
    wanted: int
    assigned: int  # existing + new

    @property
    def missing(self) -> int:
        return self.wanted - self.assigned


@dataclass
class AssignmentPlan:
    per_submission: int
    pairs: list[PlannedPair] = field(default_factory=list)
    loads: list[Load] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)
    fingerprint: str = ""

    def pairs_by_submission(self) -> list[tuple[int, str, list[PlannedPair]]]:
        grouped: dict[int, list[PlannedPair]] = {}
        titles: dict[int, str] = {}
        for pair in self.pairs:
            grouped.setdefault(pair.number, []).append(pair)
            titles[pair.number] = pair.title
        return [(number, titles[number], grouped[number]) for number in sorted(grouped)]

    @property
    def reluctant(self) -> list[PlannedPair]:
        return [pair for pair in self.pairs if pair.reluctant]


# --- Reading the state ------------------------------------------------------------------


@dataclass
class _State:
    submissions: list[Submission]  # SUBMITTED, by number
    reviewers: list[Organizer]  # by id
    conflicts: dict[int, set[int]]  # reviewer id → submission ids
    bids: dict[tuple[int, int], BidPreference]
    existing: set[tuple[int, int]]  # (reviewer id, submission id), counted ones
    loads: dict[int, int]


def _state() -> _State:
    submissions = list(
        db.session.scalars(
            db.select(Submission)
            .where(Submission.status == SubmissionStatus.SUBMITTED)
            .options(selectinload(Submission.topics))
            .order_by(Submission.number)
        )
    )
    reviewers = sorted(access.reviewers(), key=lambda r: r.id)
    conflicts = {r.id: set(access.conflicted_ids(r)) for r in reviewers}
    bids = {
        (row.reviewer_id, row.submission_id): row.preference
        for row in db.session.scalars(db.select(Bid))
    }
    known = {r.id for r in reviewers}
    rows = db.session.execute(
        db.select(Assignment.reviewer_id, Assignment.submission_id)
        .join(Submission, Submission.id == Assignment.submission_id)
        .where(Submission.status != SubmissionStatus.WITHDRAWN)
    )
    existing = {
        (rid, sid) for rid, sid in rows if rid in known and sid not in conflicts.get(rid, set())
    }
    loads = {r.id: 0 for r in reviewers}
    for rid, _sid in existing:
        loads[rid] += 1
    return _State(submissions, reviewers, conflicts, bids, existing, loads)


def _fingerprint(state: _State, per_submission: int) -> str:
    data = {
        "n": per_submission,
        "submissions": [
            [s.id, s.number, s.status.value, sorted(s.topic_keys)] for s in state.submissions
        ],
        "reviewers": [r.id for r in state.reviewers],
        "conflicts": {str(rid): sorted(ids) for rid, ids in sorted(state.conflicts.items())},
        "bids": sorted([rid, sid, pref.value] for (rid, sid), pref in state.bids.items()),
        "existing": sorted([rid, sid] for rid, sid in state.existing),
    }
    encoded = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


# --- The automatic plan -------------------------------------------------------------------


def plan_auto(per_submission: int) -> AssignmentPlan:
    """What the automatic assignment would add for N reviewers per submission (the module
    docstring gives the rule). Reads only; nothing is changed."""
    if not 1 <= per_submission <= MAX_PER_SUBMISSION:
        raise AssignmentError(f"Choose from 1 to {MAX_PER_SUBMISSION} reviewers per submission.")
    state = _state()
    reviewer_ids = [r.id for r in state.reviewers]
    topics = {s.id: set(s.topic_keys) for s in state.submissions}
    reviewer_topics: dict[int, set[str]] = {rid: set() for rid in reviewer_ids}
    for (rid, sid), pref in state.bids.items():
        if rid in reviewer_topics and pref != BidPreference.NOT_INTERESTED and sid in topics:
            reviewer_topics[rid] |= topics[sid]

    def reluctant(rid: int, sid: int) -> bool:
        return state.bids.get((rid, sid)) == BidPreference.NOT_INTERESTED

    on: dict[int, set[int]] = {s.id: set() for s in state.submissions}  # all reviewers on it
    for rid, sid in state.existing:
        if sid in on:
            on[sid].add(rid)
    eligible: dict[int, list[int]] = {
        s.id: [
            rid for rid in reviewer_ids if s.id not in state.conflicts[rid] and rid not in on[s.id]
        ]
        for s in state.submissions
    }
    new: dict[int, set[int]] = {s.id: set() for s in state.submissions}
    loads = dict(state.loads)
    shortfalls: list[Shortfall] = []

    order = sorted(state.submissions, key=lambda s: (len(eligible[s.id]), s.number))
    for submission in order:
        sid = submission.id
        need = max(0, per_submission - len(on[sid]))
        candidates = list(eligible[sid])
        for _ in range(min(need, len(candidates))):
            best = min(
                candidates,
                key=lambda rid: (
                    reluctant(rid, sid),
                    loads[rid],
                    _PREFERENCE_RANK.get(state.bids.get((rid, sid)), 2),
                    -len(reviewer_topics[rid] & topics[sid]),
                    rid,
                ),
            )
            candidates.remove(best)
            new[sid].add(best)
            loads[best] += 1
        total = len(on[sid]) + len(new[sid])
        if total < per_submission:
            shortfalls.append(
                Shortfall(sid, submission.number, submission.title, per_submission, total)
            )
        on[sid] |= new[sid]

    _balance(state.submissions, reviewer_ids, state.conflicts, on, new, loads, reluctant)

    by_id = {r.id: r for r in state.reviewers}
    pairs = [
        PlannedPair(
            reviewer_id=rid,
            reviewer_email=by_id[rid].email,
            reviewer_name=by_id[rid].display_name,
            submission_id=s.id,
            number=s.number,
            title=s.title,
            preference=state.bids.get((rid, s.id)),
            overlap=len(reviewer_topics[rid] & topics[s.id]),
            reluctant=reluctant(rid, s.id),
        )
        for s in state.submissions
        for rid in sorted(new[s.id])
    ]
    load_rows = [
        Load(r.id, r.email, r.display_name, state.loads[r.id], loads[r.id])
        for r in sorted(state.reviewers, key=lambda r: (r.email, r.id))
    ]
    return AssignmentPlan(
        per_submission=per_submission,
        pairs=pairs,
        loads=load_rows,
        shortfalls=sorted(shortfalls, key=lambda s: s.number),
        fingerprint=_fingerprint(state, per_submission),
    )


def _balance(submissions, reviewer_ids, conflicts, on, new, loads, reluctant) -> None:
    """Pass new assignments along chains of reviewers from a reviewer to one whose load is
    at least two lower, until there is no such chain (see the module docstring)."""
    numbers = sorted(submissions, key=lambda s: s.number)

    def takers_of(x: int) -> Iterable[tuple[int, int]]:
        """(submission id, reviewer y): x may take y's new assignment on that submission."""
        for s in numbers:
            sid = s.id
            if sid in conflicts[x] or x in on[sid]:
                continue
            x_reluctant = reluctant(x, sid)
            for y in sorted(new[sid]):
                if x_reluctant and not reluctant(y, sid):
                    continue
                yield sid, y

    while True:
        moved = False
        for start in sorted(reviewer_ids, key=lambda rid: (loads[rid], rid)):
            came_from: dict[int, tuple[int, int] | None] = {start: None}
            queue = deque([start])
            target = None
            while queue and target is None:
                x = queue.popleft()
                for sid, y in takers_of(x):
                    if y in came_from:
                        continue
                    came_from[y] = (x, sid)
                    if loads[y] >= loads[start] + 2:
                        target = y
                        break
                    queue.append(y)
            if target is None:
                continue
            # Walk back: each x takes y's assignment on sid.
            y = target
            steps = []
            while came_from[y] is not None:
                x, sid = came_from[y]  # type: ignore[misc]
                steps.append((x, y, sid))
                y = x
            for x, y, sid in steps:
                new[sid].discard(y)
                on[sid].discard(y)
                new[sid].add(x)
                on[sid].add(x)
            loads[start] += 1
            loads[target] -= 1
            moved = True
            break
        if not moved:
            return


def save_plan(per_submission: int, fingerprint: str, *, by: Organizer | None) -> int:
    """Save the plan shown with this fingerprint: PlanChanged (carrying the new plan) when
    its input changed since. The number of assignments added; the caller commits."""
    plan = plan_auto(per_submission)
    if plan.fingerprint != fingerprint:
        raise PlanChanged(plan)
    return apply_plan(plan, by=by)


def apply_plan(plan: AssignmentPlan, *, by: Organizer | None) -> int:
    """Insert the plan's assignments (a pair added meanwhile is skipped), audit each, and
    mail the reviewers their new assignments. The number added; the caller commits."""
    moment = now()
    added = 0
    for pair in plan.pairs:
        try:
            with db.session.begin_nested():
                db.session.add(
                    Assignment(
                        reviewer_id=pair.reviewer_id,
                        submission_id=pair.submission_id,
                        assigned_at=moment,
                        assigned_by_id=by.id if by else None,
                    )
                )
        except IntegrityError:
            continue  # assigned meanwhile (another chair, a replayed form)
        added += 1
        flag = " (bid not interested: nobody else was left)" if pair.reluctant else ""
        record(
            AuditAction.ASSIGNMENT_ADDED,
            organizer=by,
            target=f"submission:{pair.submission_id}",
            details=f"{pair.reviewer_email} assigned to {reference_of(pair.number)} "
            f"(automatic, {plan.per_submission} per submission){flag}",
        )
    notify_new_assignments(by=by)
    return added


def reference_of(number: int) -> str:
    return f"{current_workshop().submission.number_prefix}-{number:03d}"


# --- By hand -----------------------------------------------------------------------------


def _reviewer(reviewer_id: int) -> Organizer:
    reviewer = db.session.get(Organizer, reviewer_id)
    if reviewer is None or reviewer.role != OrganizerRole.REVIEWER:
        raise AssignmentError("There is no such reviewer.")
    return reviewer


def _submission(submission_id: int) -> Submission:
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        raise AssignmentError("There is no such submission.")
    return submission


def _assignment(reviewer_id: int, submission_id: int) -> Assignment | None:
    return db.session.scalar(
        db.select(Assignment)
        .where(Assignment.reviewer_id == reviewer_id)
        .where(Assignment.submission_id == submission_id)
    )


def _review(reviewer_id: int, submission_id: int) -> Review | None:
    return db.session.scalar(
        db.select(Review)
        .where(Review.reviewer_id == reviewer_id)
        .where(Review.submission_id == submission_id)
    )


def assign(reviewer_id: int, submission_id: int, *, by: Organizer | None) -> Assignment:
    """Assign one reviewer to one submission; AssignmentError for an unknown reviewer or
    submission, a withdrawn submission, a conflict or an existing assignment. The caller
    commits (and may mail with notify_new_assignments)."""
    reviewer = _reviewer(reviewer_id)
    submission = _submission(submission_id)
    if submission.status == SubmissionStatus.WITHDRAWN:
        raise AssignmentError(f"{submission.reference} was withdrawn by its authors.")
    if submission.id in access.conflicted_ids(reviewer):
        raise AssignmentError(
            f"{reviewer.display_name} is in conflict with {submission.reference}; clear the "
            "conflict first if it is wrong."
        )
    already = f"{reviewer.display_name} is already assigned to {submission.reference}."
    if _assignment(reviewer.id, submission.id) is not None:
        raise AssignmentError(already)
    row = Assignment(
        reviewer_id=reviewer.id,
        submission_id=submission.id,
        assigned_at=now(),
        assigned_by_id=by.id if by else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise AssignmentError(already) from None
    record(
        AuditAction.ASSIGNMENT_ADDED,
        organizer=by,
        target=f"submission:{submission.id}",
        details=f"{reviewer.email} assigned to {submission.reference} (by hand)",
    )
    return row


def _review_details(review: Review) -> str:
    scores = json.dumps(review.scores or {}, ensure_ascii=False, sort_keys=True)
    texts = json.dumps(review.texts or {}, ensure_ascii=False, sort_keys=True)
    return f"submitted review deleted, it was: scores {scores}; texts {texts}"


def _remove(reviewer: Organizer, submission: Submission, *, by: Organizer | None, why: str) -> str:
    """Delete the assignment and the reviewer's review of it; audit ASSIGNMENT_REMOVED."""
    row = _assignment(reviewer.id, submission.id)
    review = _review(reviewer.id, submission.id)
    parts = [f"{reviewer.email} removed from {submission.reference} ({why})"]
    if review is not None:
        if review.status == ReviewStatus.SUBMITTED:
            parts.append(_review_details(review))
        else:
            parts.append("their draft review was deleted with it")
        db.session.delete(review)
    if row is not None:
        db.session.delete(row)
    details = "; ".join(parts)
    record(
        AuditAction.ASSIGNMENT_REMOVED,
        organizer=by,
        target=f"submission:{submission.id}",
        details=details,
    )
    return details


def unassign(reviewer_id: int, submission_id: int, *, by: Organizer | None, confirmed: bool) -> str:
    """Remove an assignment (and the reviewer's draft or submitted review of it). A submitted
    review needs confirmed=True (else NeedsConfirmation); its scores and texts are kept in
    the audit details. What was done, in words; the caller commits."""
    reviewer = _reviewer(reviewer_id)
    submission = _submission(submission_id)
    if _assignment(reviewer.id, submission.id) is None:
        raise AssignmentError(f"{reviewer.display_name} is not assigned to {submission.reference}.")
    review = _review(reviewer.id, submission.id)
    if review is not None and review.status == ReviewStatus.SUBMITTED and not confirmed:
        raise NeedsConfirmation(
            f"{reviewer.display_name} has submitted a review of {submission.reference}. "
            "Removing the assignment deletes the review (the audit log keeps a copy).",
            review,
        )
    return _remove(reviewer, submission, by=by, why="by hand")


# --- The chairs' conflicts ---------------------------------------------------------------


def set_conflict(reviewer_id: int, submission_id: int, *, by: Organizer | None, reason: str) -> str:
    """A chair declares a conflict. Refused when the reviewer has submitted a review of it
    (remove the assignment first); an assignment without one is removed. What was done, in
    words; the caller commits."""
    reviewer = _reviewer(reviewer_id)
    submission = _submission(submission_id)
    reason = reason.strip()
    review = _review(reviewer.id, submission.id)
    if review is not None and review.status == ReviewStatus.SUBMITTED:
        raise AssignmentError(
            f"{reviewer.display_name} has submitted a review of {submission.reference}: "
            "remove the assignment first (the audit log keeps the review), then set the "
            "conflict."
        )
    row = access.stated_conflicts(reviewer.id).get(submission.id)
    if row is not None and row.kind == ConflictKind.DECLARED:
        raise AssignmentError(
            f"{reviewer.display_name} is already in a declared conflict with "
            f"{submission.reference}."
        )
    if row is None:
        row = Conflict(reviewer_id=reviewer.id, submission_id=submission.id)
        db.session.add(row)
    row.kind = ConflictKind.DECLARED
    row.reason = reason
    row.set_by_id = by.id if by else None
    row.set_at = now()
    done = f"conflict of {reviewer.email} with {submission.reference} set"
    if reason:
        done += f" ({reason})"
    removed = _assignment(reviewer.id, submission.id) is not None or review is not None
    record(
        AuditAction.CONFLICT_SET,
        organizer=by,
        target=f"submission:{submission.id}",
        details=done + ("; the assignment was removed" if removed else ""),
    )
    if removed:
        _remove(reviewer, submission, by=by, why="a conflict was set")
    db.session.flush()
    access.forget_conflicts()
    return done + ("; the assignment was removed" if removed else "")


def clear_conflict(reviewer_id: int, submission_id: int, *, by: Organizer | None) -> str:
    """A chair clears a conflict: a declared one is deleted, and a suggested one (also under a
    declared one) is marked cleared. What was done, in words; the caller commits."""
    reviewer = _reviewer(reviewer_id)
    submission = _submission(submission_id)
    row = access.stated_conflicts(reviewer.id).get(submission.id)
    suggested = access.suggested_conflicts(reviewer, [submission.id]).get(submission.id)
    declared = row is not None and row.kind == ConflictKind.DECLARED
    if not declared and (suggested is None or row is not None):
        raise AssignmentError(
            f"{reviewer.display_name} has no conflict in force with {submission.reference}."
        )
    if suggested is None:
        db.session.delete(row)
        done = f"declared conflict of {reviewer.email} with {submission.reference} deleted"
    else:
        if row is None:
            row = Conflict(reviewer_id=reviewer.id, submission_id=submission.id)
            db.session.add(row)
        row.kind = ConflictKind.CLEARED
        row.reason = f"cleared by a chair (suggested: {suggested})"
        row.set_by_id = by.id if by else None
        row.set_at = now()
        done = (
            f"suggested conflict of {reviewer.email} with {submission.reference} cleared "
            f"({suggested})"
        )
    record(
        AuditAction.CONFLICT_CLEARED,
        organizer=by,
        target=f"submission:{submission.id}",
        details=done,
    )
    db.session.flush()
    access.forget_conflicts()
    return done


# --- One submission's reviewers (the by-hand page) ----------------------------------------


@dataclass(frozen=True)
class ReviewerRow:
    reviewer: Organizer
    conflict: str  # "suggested", "declared", "cleared" or ""
    conflict_reason: str
    in_force: bool
    bid: BidPreference | None
    load: int
    assigned: bool
    review_status: ReviewStatus | None


def submission_reviewers(submission: Submission) -> list[ReviewerRow]:
    """Every reviewer, as seen from this submission: conflict, bid, load, assignment, review."""
    people = access.reviewers()
    counted = db.session.execute(
        db.select(Assignment.reviewer_id, Assignment.submission_id)
        .join(Submission, Submission.id == Assignment.submission_id)
        .where(Submission.status != SubmissionStatus.WITHDRAWN)
    ).all()
    bids = {
        row.reviewer_id: row.preference
        for row in db.session.scalars(db.select(Bid).where(Bid.submission_id == submission.id))
    }
    reviews = {
        row.reviewer_id: row.status
        for row in db.session.scalars(
            db.select(Review).where(Review.submission_id == submission.id)
        )
    }
    assigned = {
        rid
        for rid in db.session.scalars(
            db.select(Assignment.reviewer_id).where(Assignment.submission_id == submission.id)
        )
    }
    rows = []
    for person in people:
        conflicted = access.conflicted_ids(person)
        load = sum(1 for rid, sid in counted if rid == person.id and sid not in conflicted)
        stated = access.stated_conflicts(person.id).get(submission.id)
        suggested = access.suggested_conflicts(person, [submission.id]).get(submission.id)
        if stated is not None and stated.kind == ConflictKind.DECLARED:
            kind, reason = "declared", stated.reason
        elif stated is not None:
            kind, reason = "cleared", stated.reason
        elif suggested:
            kind, reason = "suggested", suggested
        else:
            kind, reason = "", ""
        rows.append(
            ReviewerRow(
                reviewer=person,
                conflict=kind,
                conflict_reason=reason,
                in_force=submission.id in conflicted,
                bid=bids.get(person.id),
                load=load,
                assigned=person.id in assigned,
                review_status=reviews.get(person.id),
            )
        )
    return rows


# --- The assignment mail -----------------------------------------------------------------


def _submission_link(number: int) -> str:
    """The reviewer's page of the submission, on the public address (as every mail's links;
    built without a request, so the command line can mail too)."""
    return public_url("reviews.submission", number=number)


def _unmailed() -> dict[int, list[Assignment]]:
    """Reviewer id → their assignments not yet mailed that they may act on (not withdrawn,
    not in conflict), by number."""
    rows = db.session.scalars(
        db.select(Assignment)
        .join(Submission, Submission.id == Assignment.submission_id)
        .join(Organizer, Organizer.id == Assignment.reviewer_id)
        .where(Assignment.notified_at.is_(None))
        .where(Submission.status != SubmissionStatus.WITHDRAWN)
        .where(Organizer.role == OrganizerRole.REVIEWER)
        .options(selectinload(Assignment.submission), selectinload(Assignment.reviewer))
        .order_by(Assignment.reviewer_id, Submission.number)
    )
    found: dict[int, list[Assignment]] = {}
    for row in rows:
        if row.submission_id in access.conflicted_ids(row.reviewer):
            continue
        found.setdefault(row.reviewer_id, []).append(row)
    return found


def pending_notifications() -> tuple[int, int]:
    """(assignments, reviewers) not yet mailed."""
    found = _unmailed()
    return sum(len(rows) for rows in found.values()), len(found)


def notify_new_assignments(*, by: Organizer | None) -> int:
    """One mail per reviewer listing all their assignments not yet mailed; marks them mailed.
    The number of mails queued; the caller commits (delivery follows the commit)."""
    rules = current_workshop().review
    moment = now()
    mails = 0
    for rows in _unmailed().values():
        reviewer = rows[0].reviewer
        papers = [
            {
                "reference": row.submission.reference,
                "number": row.submission.number,
                "title": row.submission.title,
                "url": _submission_link(row.submission.number),
            }
            for row in rows
        ]
        count = len(papers)
        queue_mail(
            to=reviewer.email,
            template="reviews_assignments",
            subject=f"{count} new submission{'s' if count != 1 else ''} to review",
            context={
                "reviewer": reviewer,
                "papers": papers,
                "deadline": rules.deadline,
                "home_url": public_url("reviews.home"),
            },
        )
        for row in rows:
            row.notified_at = moment
        record(
            AuditAction.ASSIGNMENTS_MAILED,
            organizer=by,
            target=f"organizer:{reviewer.id}",
            details=f"{reviewer.email}: " + ", ".join(p["reference"] for p in papers),
        )
        mails += 1
    return mails
