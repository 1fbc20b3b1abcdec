"""Helpers of the reviewer-side tests (helper B): posting the review form, reading rows back,
switching the workshop's review rules."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from flask import Flask

from fastpath.core.extensions import db
from fastpath.reviews.models import Review

GOOD = {
    "overall_merit": "4",
    "expertise": "3",
    "comments_for_authors": "A clear paper.",
    "comments_for_committee": "Accept.",
}


def post_review(client, number: int, *, submit: bool, version: int = 0, **fields: str):
    data = {**GOOD, **fields, "version": str(version)}
    data["submit" if submit else "draft"] = "1"
    return client.post(f"/organizer/reviews/submissions/{number}/review", data=data)


def reviews(app: Flask) -> list[tuple[int, int, str, dict, dict, int]]:
    """(reviewer id, submission id, status, scores, texts, version) of every review."""
    with app.app_context():
        return [
            (r.reviewer_id, r.submission_id, r.status.value, r.scores, r.texts, r.version)
            for r in db.session.scalars(db.select(Review).order_by(Review.id))
        ]


def set_review_rules(app: Flask, **changes: object) -> None:
    """The workshop's [review] rules changed for this app (as a content file would say)."""
    workshop = app.extensions["workshop"]
    app.extensions["workshop"] = dataclasses.replace(
        workshop, review=dataclasses.replace(workshop.review, **changes)
    )


def move_clock(app: Flask, moment: datetime) -> None:
    app.config["NOW"] = moment


REVIEW_ACTIONS = {
    "review_submitted",
    "conflict_set",
    "conflict_cleared",
    "assignment_removed",
    "discussion_digest",
}


def review_audit(app: Flask) -> list[tuple[str, str, str | None, str]]:
    """(action, actor, target, details) of the audit events of the review (sign-ins and
    account creation left out)."""
    from fastpath.core.audit import AuditEvent

    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))
        return [
            (e.action.value, e.actor, e.target, e.details)
            for e in events
            if e.action.value in REVIEW_ACTIONS
        ]
