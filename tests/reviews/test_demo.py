"""`flask --app app demo setup`'s committee part: two reviewers whose passwords are printed
once, and fictional submissions with real PDFs, made on the first run only."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from fastpath.cfp.models import Submission
from fastpath.cfp.services import inspect_pdf, rules
from fastpath.core.extensions import db
from fastpath.organizer import services
from fastpath.organizer.models import OrganizerRole
from fastpath.reviews import access
from fastpath.reviews.demo import DEMO_SUBMISSIONS
from tests.helpers.organizers import add_submission, sign_in

REVIEWER_ONE = "demo-reviewer-1@northwind.test"
REVIEWER_TWO = "demo-reviewer-2@southgate.test"


def printed_passwords(output: str) -> dict[str, str]:
    """Email → password, as the command prints each new account."""
    return dict(re.findall(r"email:\s+(\S+)\n\s+password: (\S+)", output))


def test_demo_setup_twice_makes_reviewers_once_and_prints_passwords_once(app: Flask, runner):
    first = runner.invoke(args=["demo", "setup"])
    second = runner.invoke(args=["demo", "setup"])

    assert first.exit_code == 0 and second.exit_code == 0
    passwords = printed_passwords(first.output)
    assert sorted(passwords) == sorted(["organizer@fastpath.test", REVIEWER_ONE, REVIEWER_TWO])
    assert printed_passwords(second.output) == {}
    assert "password:" not in second.output
    for password in passwords.values():
        assert password not in second.output
    assert f"Demo reviewer: {REVIEWER_ONE} already there" in second.output
    assert f"Demo reviewer: {REVIEWER_TWO} already there" in second.output
    assert "Demo submissions: already there (7 submissions in the database; none added)" in (
        second.output
    )
    with app.app_context():
        accounts = {o.email: (o.role, o.name, o.affiliation) for o in services.list_organizers()}
    assert accounts == {
        "organizer@fastpath.test": (OrganizerRole.CHAIR, "", ""),
        REVIEWER_ONE: (OrganizerRole.REVIEWER, "Demo Reviewer One", "Northwind University"),
        REVIEWER_TWO: (OrganizerRole.REVIEWER, "Demo Reviewer Two", "Southgate Institute"),
    }


def test_demo_reviewer_signs_in_with_the_printed_password(app: Flask, runner):
    passwords = printed_passwords(runner.invoke(args=["demo", "setup"]).output)

    client = app.test_client()
    response = sign_in(client, REVIEWER_ONE, passwords[REVIEWER_ONE])
    assert response.status_code == 302
    assert response.headers["Location"] == "/organizer/reviews/"


def test_demo_submissions_numbered_with_valid_pdfs_stored(app: Flask, runner):
    runner.invoke(args=["demo", "setup"])
    runner.invoke(args=["demo", "setup"])

    with app.app_context():
        rows = db.session.scalars(db.select(Submission).order_by(Submission.number)).all()
        assert [(s.number, s.title) for s in rows] == [
            (number, demo.title) for number, demo in enumerate(DEMO_SUBMISSIONS, start=1)
        ]
        assert all(s.title.startswith("Demo: ") for s in rows)
        for submission in rows:
            path = Path(app.config["UPLOAD_DIR"]) / submission.pdf_stored_name
            info = inspect_pdf(path.read_bytes(), rules())
            assert (info.size, info.pages, info.sha256) == (
                submission.pdf_size,
                submission.pdf_pages,
                submission.pdf_sha256,
            )
        stored = sorted(p.name for p in Path(app.config["UPLOAD_DIR"]).glob("*.pdf"))
        assert stored == sorted(s.pdf_stored_name for s in rows)
        domains = {a.email.rpartition("@")[2] for s in rows for a in s.authors}
        assert domains == {"example.org", "northwind.test"}


def test_demo_suggests_one_conflict_for_reviewer_one_only(app: Flask, runner):
    runner.invoke(args=["demo", "setup"])

    with app.app_context():
        one = services.find_organizer(REVIEWER_ONE)
        two = services.find_organizer(REVIEWER_TWO)
        conflicted = db.session.get(Submission, next(iter(access.suggested_conflicts(one))))
        assert list(access.suggested_conflicts(one).values()) == [
            "same email domain as an author (northwind.test)"
        ]
        assert conflicted.title == "Demo: Scheduling pretend jobs on a pretend cluster"
        assert access.suggested_conflicts(two) == {}
        assert len(access.visible_ids(one)) == 6
        assert len(access.visible_ids(two)) == 7


def test_demo_adds_no_submissions_to_a_database_that_has_some(app: Flask, runner):
    add_submission(app, "A real submission")

    result = runner.invoke(args=["demo", "setup"])

    assert "Demo submissions: already there (1 submissions in the database; none added)" in (
        result.output
    )
    with app.app_context():
        assert db.session.scalars(db.select(Submission.title)).all() == ["A real submission"]
