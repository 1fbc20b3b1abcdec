"""Bids and the reviewer's own conflicts: search, bidding, declaring, confirming."""

from __future__ import annotations

from flask import Flask

from fastpath.core.extensions import db
from fastpath.reviews.models import Assignment, Bid, Conflict
from tests.helpers.organizers import add_submission
from tests.helpers.reviews import add_review, assign
from tests.helpers.reviews_b import review_audit

KTH = [("Bo Yu", "bo@kth.se", "KTH")]


def _bids(app: Flask) -> list[tuple[int, int, str]]:
    with app.app_context():
        rows = db.session.scalars(db.select(Bid).order_by(Bid.id))
        return [(r.reviewer_id, r.submission_id, r.preference.value) for r in rows]


def _conflicts(app: Flask) -> list[tuple[int, int, str, str]]:
    with app.app_context():
        rows = db.session.scalars(db.select(Conflict).order_by(Conflict.id))
        return [(r.reviewer_id, r.submission_id, r.kind.value, r.reason) for r in rows]


def _assignments(app: Flask) -> list[tuple[int, int]]:
    with app.app_context():
        rows = db.session.scalars(db.select(Assignment).order_by(Assignment.id))
        return [(r.reviewer_id, r.submission_id) for r in rows]


def test_bids_search_is_accent_insensitive(app: Flask, reviewer_client):
    add_submission(app, "Café caches for GPUs", authors=KTH)
    add_submission(app, "Roofline models", authors=KTH, abstract="About the CAFE design.")
    add_submission(app, "Something else", authors=KTH)
    page = reviewer_client.get("/organizer/reviews/bids?q=cafe").get_data(as_text=True)
    assert "Café caches for GPUs" in page and "Roofline models" in page
    assert "Something else" not in page
    assert "2 submissions matching" in page


def test_bid_saved_changed_and_taken_back(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Paper", authors=KTH)
    response = reviewer_client.post(
        "/organizer/reviews/bids", data={"number": "1", "preference": "eager"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/organizer/reviews/bids#s1"
    assert _bids(app) == [(reviewer_id, paper, "eager")]
    reviewer_client.post("/organizer/reviews/bids", data={"number": "1", "preference": "willing"})
    assert _bids(app) == [(reviewer_id, paper, "willing")]
    page = reviewer_client.get("/organizer/reviews/bids").get_data(as_text=True)
    assert 'value="willing" checked' in page
    reviewer_client.post("/organizer/reviews/bids", data={"number": "1", "preference": ""})
    assert _bids(app) == []


def test_bid_bad_input_refused(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Paper", authors=KTH)
    bad = reviewer_client.post("/organizer/reviews/bids", data={"number": "1", "preference": "x"})
    assert bad.status_code == 422
    missing = reviewer_client.post("/organizer/reviews/bids", data={"number": "7"})
    assert missing.status_code == 404
    huge = reviewer_client.post("/organizer/reviews/bids", data={"number": "9" * 30})
    assert huge.status_code == 404
    assert _bids(app) == []
    assert paper


def test_bid_on_conflicted_submission_answers_404(app: Flask, reviewer_client, reviewer_id):
    # The reviewer's domain is reviewers.test: an author there is a suggested conflict.
    add_submission(app, "Colleague's paper", authors=[("Al", "al@reviewers.test", "Elsewhere")])
    page = reviewer_client.get("/organizer/reviews/bids").get_data(as_text=True)
    assert "Colleague" not in page
    response = reviewer_client.post(
        "/organizer/reviews/bids", data={"number": "1", "preference": "eager"}
    )
    assert response.status_code == 404
    assert _bids(app) == []


def test_declare_conflict_removes_unsubmitted_assignment(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Paper", authors=KTH)
    assign(app, reviewer_id, paper)
    add_review(app, reviewer_id, paper, submitted=False)
    response = reviewer_client.post(
        "/organizer/reviews/conflicts", data={"number": "FP20-001", "reason": "My student"}
    )
    assert response.status_code == 303
    assert _conflicts(app) == [(reviewer_id, paper, "declared", "My student")]
    assert _assignments(app) == []
    assert review_audit(app) == [
        (
            "conflict_set",
            "grace@reviewers.test",
            f"submission:{paper}",
            "Declared by the reviewer grace@reviewers.test: My student; "
            "their assignment was removed",
        )
    ]
    assert reviewer_client.get("/organizer/reviews/submissions/1").status_code == 404
    page = reviewer_client.get("/organizer/reviews/conflicts").get_data(as_text=True)
    assert "My student" in page and "Paper" not in page.split("<h1>")[1]


def test_declare_conflict_after_submitted_review_refused(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Paper", authors=KTH)
    assign(app, reviewer_id, paper)
    add_review(app, reviewer_id, paper)
    response = reviewer_client.post("/organizer/reviews/conflicts", data={"number": "1"})
    assert response.status_code == 422
    assert "ask the chairs to record the conflict" in response.get_data(as_text=True)
    assert _conflicts(app) == [] and _assignments(app) == [(reviewer_id, paper)]


def test_declare_conflict_from_bids_page(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Paper", authors=KTH)
    page = reviewer_client.get("/organizer/reviews/bids").get_data(as_text=True)
    assert "I have a conflict" in page
    reviewer_client.post(
        "/organizer/reviews/conflicts",
        data={"number": "1", "reason": "Declared from the bids page"},
    )
    assert _conflicts(app) == [(reviewer_id, paper, "declared", "Declared from the bids page")]
    assert "Paper" not in reviewer_client.get("/organizer/reviews/bids").get_data(as_text=True)


def test_declare_conflict_bad_numbers(app: Flask, reviewer_client, reviewer_id):
    add_submission(app, "Paper", authors=KTH)
    cases = {"": "This field is required.", "abc": "Give the submission", "42": "no submission 42"}
    for number, text in cases.items():
        response = reviewer_client.post("/organizer/reviews/conflicts", data={"number": number})
        assert response.status_code == 422, number
        assert text in response.get_data(as_text=True), number
    reviewer_client.post("/organizer/reviews/conflicts", data={"number": "1"})
    again = reviewer_client.post("/organizer/reviews/conflicts", data={"number": "1"})
    assert "already recorded" in again.get_data(as_text=True)
    assert len(_conflicts(app)) == 1


def test_suggested_conflicts_listed_by_reason_only_and_confirmed(
    app: Flask, reviewer_client, reviewer_id
):
    paper = add_submission(
        app, "Secret colleague paper", authors=[("Quintus Zebulon", "qz@cs.reviewers.test", "Else")]
    )
    page = reviewer_client.get("/organizer/reviews/conflicts").get_data(as_text=True)
    assert "same email domain as an author (reviewers.test)" in page
    assert "Secret colleague paper" not in page and "Quintus" not in page
    listed = page.split("<h1>")[1].split("<h2>Declare")[0]
    assert "FP20-001" not in listed and '<th scope="row">1<' not in listed
    response = reviewer_client.post("/organizer/reviews/conflicts/confirm")
    assert response.status_code == 303
    assert _conflicts(app) == [
        (
            reviewer_id,
            paper,
            "declared",
            "Confirmed suggestion: same email domain as an author (reviewers.test)",
        )
    ]
    after = reviewer_client.get("/organizer/reviews/conflicts").get_data(as_text=True)
    assert "1 other conflict is in force" in after
    replay = reviewer_client.post("/organizer/reviews/conflicts/confirm")
    assert replay.status_code == 409
    assert len(_conflicts(app)) == 1


def test_confirm_refuses_when_nothing_is_suggested(app: Flask, reviewer_client, reviewer_id):
    add_submission(app, "Paper", authors=KTH)
    response = reviewer_client.post("/organizer/reviews/conflicts/confirm")
    assert response.status_code == 409
    assert "no suggestions to confirm" in response.get_data(as_text=True)
    assert _conflicts(app) == []
