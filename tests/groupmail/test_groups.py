"""Who is in each group: exact sets, each person once, erased people and withdrawn
submissions left out, decisions only as the authors were told."""

from __future__ import annotations

import pytest
from flask import Flask

from fastpath.cfp.models import SubmissionStatus
from fastpath.core.erasure import placeholder_address
from fastpath.core.extensions import db
from fastpath.groupmail.groups import GROUPS
from fastpath.registration.models import Registration, RegistrationStatus
from tests.helpers.accepted import AFTER_NOTIFICATION, add_accepted
from tests.helpers.organizers import add_registration, add_submission, make_organizer
from tests.helpers.reviews import add_review, assign, make_reviewer


def members(app: Flask, key: str) -> list[tuple[str, str]]:
    with app.app_context():
        return [(r.email, r.about) for r in GROUPS[key].find()]


def addresses(app: Flask, key: str) -> list[str]:
    return [email for email, _ in members(app, key)]


def test_registration_groups_hold_exactly_their_status(app: Flask) -> None:
    add_registration(app, "Ada Lovelace", email="ada@example.org")
    add_registration(app, "Wait One", email="wait1@example.org", status=RegistrationStatus.WAITING)
    add_registration(app, "Wait Two", email="wait2@example.org", status=RegistrationStatus.WAITING)
    add_registration(app, "Gone", email="gone@example.org", status=RegistrationStatus.CANCELLED)
    add_registration(app, "New", email="new@example.org", status=RegistrationStatus.UNCONFIRMED)
    assert members(app, "registered") == [("ada@example.org", "Registered")]
    assert members(app, "waiting") == [
        ("wait1@example.org", "Waiting list, number 1"),
        ("wait2@example.org", "Waiting list, number 2"),
    ]
    assert members(app, "cancelled") == [("gone@example.org", "Cancelled")]


def test_waiting_group_follows_the_moved_order(app: Flask) -> None:
    first = add_registration(app, "A", email="a@example.org", status=RegistrationStatus.WAITING)
    add_registration(app, "B", email="b@example.org", status=RegistrationStatus.WAITING)
    with app.app_context():
        db.session.get(Registration, first).waiting_order = 10_000
        db.session.commit()
    assert addresses(app, "waiting") == ["b@example.org", "a@example.org"]


def test_cancelled_group_has_each_person_once_and_not_those_registered_again(app: Flask) -> None:
    cancelled = RegistrationStatus.CANCELLED
    add_registration(app, "Twice", email="twice@example.org", status=cancelled)
    add_registration(app, "Twice", email="twice@example.org", status=cancelled)
    add_registration(app, "Back", email="back@example.org", status=cancelled)
    add_registration(app, "Back", email="back@example.org")
    assert addresses(app, "cancelled") == ["twice@example.org"]
    assert addresses(app, "registered") == ["back@example.org"]


def test_erased_people_are_in_no_group(app: Flask) -> None:
    erased = add_registration(app, "Someone", email="someone@example.org")
    with app.app_context():
        row = db.session.get(Registration, erased)
        row.email = placeholder_address("registration", erased)
        db.session.commit()
    add_registration(app, "Ada", email="ada@example.org")
    add_submission(
        app,
        authors=[
            ("Ada", "ada@example.org", "X"),
            ("Gone", placeholder_address("author", 99), "Y"),
        ],
    )
    assert addresses(app, "registered") == ["ada@example.org"]
    assert addresses(app, "all_authors") == ["ada@example.org"]


AUTHORS_ONE = [("Ada", "ada@example.org", "X"), ("Grace", "grace@example.org", "Y")]
AUTHORS_TWO = [("Linus", "linus@example.org", "Z"), ("Ada", "ADA@example.org", "X")]


def test_author_groups_are_per_submission_and_leave_out_withdrawn(app: Flask) -> None:
    add_submission(app, "One", authors=AUTHORS_ONE)
    add_submission(app, "Two", authors=AUTHORS_TWO)
    add_submission(
        app, "Gone", authors=[("W", "w@example.org", "X")], status=SubmissionStatus.WITHDRAWN
    )
    assert members(app, "contact_authors") == [
        ("ada@example.org", "FP20-001 One"),
        ("linus@example.org", "FP20-002 Two"),
    ]
    # Ada is an author of both: two mails, one about each submission.
    assert members(app, "all_authors") == [
        ("ada@example.org", "FP20-001 One"),
        ("grace@example.org", "FP20-001 One"),
        ("linus@example.org", "FP20-002 Two"),
        ("ADA@example.org", "FP20-002 Two"),
    ]


def test_decision_groups_hold_only_what_the_authors_were_told(app: Flask) -> None:
    add_accepted(
        app, "Told yes", authors=[("A", "a@example.org", "X"), ("B", "b@example.org", "X")]
    )
    add_accepted(app, "Not told yet", authors=[("C", "c@example.org", "X")], notified=False)
    add_accepted(
        app, "Told no", authors=[("D", "d@example.org", "X")], status=SubmissionStatus.REJECTED
    )
    add_accepted(
        app,
        "No, not told",
        authors=[("E", "e@example.org", "X")],
        status=SubmissionStatus.REJECTED,
        notified=False,
    )
    assert addresses(app, "accepted_authors") == ["a@example.org", "b@example.org"]
    assert addresses(app, "rejected_authors") == ["d@example.org"]


@pytest.mark.app_config(NOW=AFTER_NOTIFICATION)
def test_missing_materials_group_is_the_reminders_contact_authors(app: Flask) -> None:
    add_accepted(app, "Missing all", authors=[("A", "a@example.org", "X"), ("B", "b@e.org", "X")])
    add_accepted(app, "Not told", authors=[("C", "c@example.org", "X")], notified=False)
    assert members(app, "missing_materials") == [
        (
            "a@example.org",
            "FP20-001 Missing all (missing: final version, slides, presenter, speaker bio)",
        )
    ]


def test_reviewer_groups(app: Flask) -> None:
    make_organizer(app)  # a chair is no reviewer
    grace = make_reviewer(app, "grace@reviewers.test", name="Grace Hopper")
    alan = make_reviewer(app, "alan@reviewers.test", name="Alan Turing")
    make_reviewer(app, "idle@reviewers.test", name="Idle Reviewer")
    one = add_submission(app, "One")
    two = add_submission(app, "Two")
    assign(app, grace, one)
    assign(app, grace, two)
    add_review(app, grace, one)
    assign(app, alan, one)
    add_review(app, alan, one)
    assert addresses(app, "reviewers") == [
        "alan@reviewers.test",
        "grace@reviewers.test",
        "idle@reviewers.test",
    ]
    assert members(app, "pending_reviews") == [("grace@reviewers.test", "1 review pending")]
