"""The chairs' table: exact statistics (mean, spread, confidence-weighted mean, disagreement),
drafts not counted, sorting, a fixed number of queries, progress per reviewer, and deciding
from the table through the existing decision preview."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from fastpath.cfp.models import SubmissionStatus
from fastpath.core.extensions import db
from fastpath.reviews.table import review_table, reviewer_progress
from tests.helpers.organizers import add_submission
from tests.helpers.reviews import add_review, assign, make_reviewer


@pytest.fixture
def committee(app):
    """Three reviewers and four submissions (the last withdrawn) with reviews:
    FP20-001: merits 2 (expertise 4), 4 (2), 5 (1); FP20-002: 3 (3), 3 (1) and a draft 1 (4);
    FP20-003: one assignment, not started; FP20-004: withdrawn, one review 5 (4)."""
    ada = make_reviewer(app, "ada@one.test", name="Ada")
    bob = make_reviewer(app, "bob@two.test", name="Bob")
    cy = make_reviewer(app, "cy@three.test", name="Cy")
    first = add_submission(app, "Zebra caches")
    second = add_submission(app, "Apple pipelines")
    third = add_submission(app, "Mango kernels")
    gone = add_submission(app, "Withdrawn work", status=SubmissionStatus.WITHDRAWN)
    for reviewer, sid, merit, expertise, submitted in [
        (ada, first, 2, 4, True),
        (bob, first, 4, 2, True),
        (cy, first, 5, 1, True),
        (ada, second, 3, 3, True),
        (bob, second, 3, 1, True),
        (cy, second, 1, 4, False),
        (ada, gone, 5, 4, True),
    ]:
        assign(app, reviewer, sid)
        add_review(app, reviewer, sid, merit=merit, expertise=expertise, submitted=submitted)
    assign(app, cy, third)
    return {"ada": ada, "bob": bob, "cy": cy, "ids": (first, second, third, gone)}


def summary(rows):
    return [
        (
            r.reference,
            None if r.mean is None else round(r.mean, 4),
            r.spread,
            None if r.weighted_mean is None else round(r.weighted_mean, 4),
            r.done,
            r.assigned,
            r.disagreement,
        )
        for r in rows
    ]


def test_table_statistics_are_exact_and_drafts_do_not_count(app, committee):
    with app.app_context():
        rows = review_table("number", False)

    assert summary(rows) == [
        # (2+4+5)/3; 5-2; (2*4 + 4*2 + 5*1) / (4+2+1) = 21/7
        ("FP20-001", 3.6667, 3, 3.0, 3, 3, True),
        # the draft's 1 is left out of every figure
        ("FP20-002", 3.0, 0, 3.0, 2, 3, False),
        ("FP20-003", None, None, None, 0, 1, False),
    ]
    assert [(c.reviewer_name, c.status and c.status.value) for c in rows[1].reviews] == [
        ("Ada", "submitted"),
        ("Bob", "submitted"),
        ("Cy", "draft"),
    ]
    assert rows[2].reviews[0].status is None  # assigned, not started


def test_table_includes_withdrawn_only_when_asked(app, committee):
    with app.app_context():
        rows = review_table("number", False, include_withdrawn=True)
    assert [r.reference for r in rows] == ["FP20-001", "FP20-002", "FP20-003", "FP20-004"]
    assert summary(rows)[3] == ("FP20-004", 5.0, 0, 5.0, 1, 1, False)


@pytest.mark.parametrize(
    ("sort", "descending", "order"),
    [
        ("number", False, ["FP20-001", "FP20-002", "FP20-003"]),
        ("number", True, ["FP20-003", "FP20-002", "FP20-001"]),
        ("title", False, ["FP20-002", "FP20-003", "FP20-001"]),
        ("mean", True, ["FP20-001", "FP20-002", "FP20-003"]),
        ("mean", False, ["FP20-002", "FP20-001", "FP20-003"]),  # no value: last either way
        ("spread", True, ["FP20-001", "FP20-002", "FP20-003"]),
        ("weighted", False, ["FP20-001", "FP20-002", "FP20-003"]),  # tie 3.0: by number
        ("done", False, ["FP20-003", "FP20-002", "FP20-001"]),
        ("nonsense", False, ["FP20-001", "FP20-002", "FP20-003"]),
    ],
)
def test_table_sort_order(app, committee, sort, descending, order):
    with app.app_context():
        assert [r.reference for r in review_table(sort, descending)] == order


@contextmanager
def counted_queries(app):
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", count)


def test_table_uses_a_fixed_number_of_queries(app, committee):
    with counted_queries(app) as few:
        review_table("mean", True)
    for n in range(6):
        sid = add_submission(app, f"More {n}")
        assign(app, committee["ada"], sid)
        add_review(app, committee["bob"], sid, merit=2)
    with counted_queries(app) as more:
        rows = review_table("mean", True)
        assert len(rows) == 9
    assert len(few) == len(more) <= 4


def test_reviewer_progress_counts(app, committee):
    with app.app_context():
        progress = [
            (p.reviewer.name, p.assigned, p.submitted, p.drafts, p.not_started)
            for p in reviewer_progress()
        ]
    # Ada's review of the withdrawn submission is not counted.
    assert progress == [("Ada", 2, 2, 0, 0), ("Bob", 2, 2, 0, 0), ("Cy", 3, 1, 1, 1)]


def test_table_page_sorts_links_and_decides_through_the_preview(app, chair_client, committee):
    page = chair_client.get("/organizer/reviews/table?sort=mean&dir=desc")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert re.findall(r"<th scope=\"row\"><a [^>]*>(FP20-\d+)</a>", html) == [
        "FP20-001",
        "FP20-002",
        "FP20-003",
    ]
    assert 'href="/organizer/reviews/table?sort=mean&amp;dir=asc"' in html  # toggles
    assert 'href="/organizer/reviews/table?sort=title&amp;dir=asc"' in html
    assert "<td>3.67</td>" in html and "disagreement</strong>" in html
    assert 'action="/organizer/decisions/preview"' in html
    first, second, _third, _gone = committee["ids"]
    assert f'name="ids" value="{first}"' in html

    preview = chair_client.get(
        "/organizer/decisions/preview",
        query_string={
            "outcome": "accepted",
            "ids": [first, second],
            "back": "/organizer/reviews/table",
        },
    )
    assert preview.status_code == 200
    assert "Accept 2 submissions?" in preview.get_data(as_text=True)


def test_reviewer_gets_404_on_the_table(reviewer_client):
    assert reviewer_client.get("/organizer/reviews/table").status_code == 404
