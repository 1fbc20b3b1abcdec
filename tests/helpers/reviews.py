"""Committee-review helpers: reviewer accounts, assignments, conflicts and reviews made
directly in the database as the reviews feature stores them (tests of a feature's own pages
post its forms instead)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from fastpath.core.extensions import db
from fastpath.organizer import services
from fastpath.organizer.models import OrganizerRole
from fastpath.reviews.models import (
    Assignment,
    Bid,
    BidPreference,
    Conflict,
    ConflictKind,
    Review,
    ReviewStatus,
)

REVIEWER_PASSWORD = "a reviewer's long passphrase"
MOMENT = datetime(2020, 2, 25, 10, 0, tzinfo=UTC)


def make_reviewer(
    app: Flask,
    email: str,
    *,
    name: str = "",
    affiliation: str = "",
    password: str = REVIEWER_PASSWORD,
) -> int:
    """A reviewer account (role reviewer); its id."""
    with app.app_context():
        reviewer = services.create_organizer(
            email, password, role=OrganizerRole.REVIEWER, name=name, affiliation=affiliation
        )
        db.session.commit()
        return reviewer.id


def assign(app: Flask, reviewer_id: int, submission_id: int) -> int:
    with app.app_context():
        row = Assignment(reviewer_id=reviewer_id, submission_id=submission_id, assigned_at=MOMENT)
        db.session.add(row)
        db.session.commit()
        return row.id


def declare_conflict(app: Flask, reviewer_id: int, submission_id: int, reason: str = "") -> None:
    with app.app_context():
        db.session.add(
            Conflict(
                reviewer_id=reviewer_id,
                submission_id=submission_id,
                kind=ConflictKind.DECLARED,
                reason=reason,
                set_at=MOMENT,
            )
        )
        db.session.commit()


def bid(app: Flask, reviewer_id: int, submission_id: int, preference: BidPreference) -> None:
    with app.app_context():
        db.session.add(
            Bid(
                reviewer_id=reviewer_id,
                submission_id=submission_id,
                preference=preference,
                updated_at=MOMENT,
            )
        )
        db.session.commit()


def add_review(
    app: Flask,
    reviewer_id: int,
    submission_id: int,
    *,
    merit: int = 4,
    expertise: int = 3,
    for_authors: str = "Clear and useful.",
    for_committee: str = "",
    submitted: bool = True,
) -> int:
    """A review with the default form's fields (overall_merit, expertise and the two texts)."""
    with app.app_context():
        row = Review(
            reviewer_id=reviewer_id,
            submission_id=submission_id,
            status=ReviewStatus.SUBMITTED if submitted else ReviewStatus.DRAFT,
            scores={"overall_merit": merit, "expertise": expertise},
            texts={"comments_for_authors": for_authors, "comments_for_committee": for_committee},
            created_at=MOMENT,
            updated_at=MOMENT,
            submitted_at=MOMENT if submitted else None,
        )
        db.session.add(row)
        db.session.commit()
        return row.id
