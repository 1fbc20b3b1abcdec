"""reviews.csv and assignments.csv: parsed back (BOM, RFC 4180, ISO times, the formula
guard), the command line's `export reviews|assignments -o FILE`, and a reviewer's 404."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from fastpath.core.extensions import db
from fastpath.reviews.models import Assignment
from tests.helpers.organizers import BOM, add_submission, audit_actions, download, parse
from tests.helpers.reviews import add_review, assign, make_reviewer

REVIEW_HEADER = [
    "Submission",
    "Title",
    "Reviewer",
    "Reviewer email",
    "Overall merit",
    "Reviewer expertise",
    "Comments for the authors",
    "Comments for the committee only",
    "Status",
    "Submitted at",
    "Updated at",
]
ASSIGNMENT_HEADER = [
    "Submission",
    "Title",
    "Submission status",
    "Reviewer",
    "Reviewer email",
    "Assigned at",
    "Notified at",
    "Review status",
]
TRICKY = 'Line one, with "quotes"\nline two — ünïcödé'


@pytest.fixture
def reviewed(app):
    grace = make_reviewer(app, "grace@reviewers.test", name="Grace Hopper")
    alan = make_reviewer(app, "alan@reviewers.test", name="=Alan")
    first = add_submission(app, "Roofline models")
    second = add_submission(app, "-Negative title")
    assign(app, grace, first)
    assign(app, alan, first)
    assign(app, grace, second)
    add_review(app, grace, first, merit=4, expertise=3, for_authors=TRICKY, for_committee="@sum")
    add_review(app, alan, first, merit=2, expertise=1, for_authors="", submitted=False)
    with app.app_context():
        row = db.session.scalar(db.select(Assignment).where(Assignment.submission_id == second))
        row.notified_at = datetime(2020, 2, 26, 8, 0, tzinfo=UTC)
        db.session.commit()
    return {"grace": grace, "alan": alan}


def test_reviews_export_round_trips(app, chair_client, reviewed):
    header, rows, data = download(chair_client, "/organizer/export/reviews.csv")

    assert data.startswith(BOM)
    assert b"\r\n" in data
    assert header == REVIEW_HEADER
    assert rows == [
        {
            "Submission": "FP20-001",
            "Title": "Roofline models",
            "Reviewer": "Grace Hopper",
            "Reviewer email": "grace@reviewers.test",
            "Overall merit": "4",
            "Reviewer expertise": "3",
            "Comments for the authors": TRICKY,
            "Comments for the committee only": "'@sum",
            "Status": "submitted",
            "Submitted at": "2020-02-25T10:00:00+00:00",
            "Updated at": "2020-02-25T10:00:00+00:00",
        },
        {
            "Submission": "FP20-001",
            "Title": "Roofline models",
            "Reviewer": "'=Alan",
            "Reviewer email": "alan@reviewers.test",
            "Overall merit": "2",
            "Reviewer expertise": "1",
            "Comments for the authors": "",
            "Comments for the committee only": "",
            "Status": "draft",
            "Submitted at": "",
            "Updated at": "2020-02-25T10:00:00+00:00",
        },
    ]


def test_assignments_export_round_trips(app, chair_client, reviewed):
    header, rows, _data = download(chair_client, "/organizer/export/assignments.csv")

    assert header == ASSIGNMENT_HEADER
    assert [list(r.values()) for r in rows] == [
        [
            "FP20-001",
            "Roofline models",
            "submitted",
            "'=Alan",
            "alan@reviewers.test",
            "2020-02-25T10:00:00+00:00",
            "",
            "draft",
        ],
        [
            "FP20-001",
            "Roofline models",
            "submitted",
            "Grace Hopper",
            "grace@reviewers.test",
            "2020-02-25T10:00:00+00:00",
            "",
            "submitted",
        ],
        [
            "FP20-002",
            "'-Negative title",
            "submitted",
            "Grace Hopper",
            "grace@reviewers.test",
            "2020-02-25T10:00:00+00:00",
            "2020-02-26T08:00:00+00:00",
            "not started",
        ],
    ]


def test_review_exports_are_audited_and_named(app, chair_client, reviewed):
    response = chair_client.get("/organizer/export/reviews.csv")
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(
        r'attachment; filename="fastpath-2020-reviews-\d{4}-\d\d-\d\d\.csv"', disposition
    )
    assert ("export", "chair@fastpath.test", "export:reviews") in audit_actions(app)


@pytest.mark.parametrize("kind", ["reviews", "assignments"])
def test_cli_export_writes_the_same_file_as_the_web(
    app, runner, chair_client, reviewed, tmp_path, kind
):
    target = tmp_path / f"{kind}.csv"

    result = runner.invoke(args=["export", kind, "-o", str(target)])

    assert result.exit_code == 0, result.output
    assert target.read_bytes() == chair_client.get(f"/organizer/export/{kind}.csv").data
    assert len(parse(target.read_bytes())) == (3 if kind == "reviews" else 4)


@pytest.mark.parametrize("kind", ["reviews", "assignments"])
def test_reviewer_gets_404_on_review_exports(app, reviewer_client, reviewer_id, kind):
    sid = add_submission(app, "Assigned to the reviewer")
    assign(app, reviewer_id, sid)
    add_review(app, reviewer_id, sid, for_authors="My own words")
    response = reviewer_client.get(f"/organizer/export/{kind}.csv")
    assert response.status_code == 404
    assert b"My own words" not in response.data and b"Assigned to" not in response.data
