"""The reviewer's review form: drafts, submitting, the scale, required fields, the deadline,
unassigned and conflicted submissions, stale and replayed forms."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from tests.helpers.organizers import add_submission
from tests.helpers.reviews import assign, declare_conflict
from tests.helpers.reviews_b import move_clock, post_review, review_audit, reviews

AUTHORS = [("Bo Yu", "bo@kth.se", "KTH")]
AFTER_DEADLINE = datetime(2020, 3, 2, 12, 0, tzinfo=UTC)  # reviews closed 11:59:59 UTC


def test_draft_saves_partial_review(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Paper", authors=AUTHORS)
    assign(app, reviewer_id, paper)
    response = post_review(reviewer_client, 1, submit=False, expertise="", comments_for_authors="")
    assert response.status_code == 303
    assert response.headers["Location"] == "/organizer/reviews/submissions/1"
    assert reviews(app) == [
        (
            reviewer_id,
            paper,
            "draft",
            {"overall_merit": 4},
            {"comments_for_committee": "Accept."},
            1,
        )
    ]
    assert review_audit(app) == []
    page = reviewer_client.get("/organizer/reviews/").get_data(as_text=True)
    assert "draft" in page


def test_submit_records_review_and_audit(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Paper", authors=AUTHORS)
    assign(app, reviewer_id, paper)
    assert post_review(reviewer_client, 1, submit=True).status_code == 303
    [row] = reviews(app)
    assert row[2:] == (
        "submitted",
        {"overall_merit": 4, "expertise": 3},
        {"comments_for_authors": "A clear paper.", "comments_for_committee": "Accept."},
        1,
    )
    assert review_audit(app) == [
        (
            "review_submitted",
            "grace@reviewers.test",
            f"submission:{paper}",
            "Submitted. Overall merit: 4; Reviewer expertise: 3; "
            "Comments for the authors: A clear paper.; Comments for the committee only: Accept.",
        )
    ]


def test_submitted_review_edited_stays_submitted(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Paper", authors=AUTHORS)
    assign(app, reviewer_id, paper)
    post_review(reviewer_client, 1, submit=True)
    # "Save draft" on a submitted review still checks and keeps it submitted.
    response = post_review(reviewer_client, 1, submit=False, version=1, overall_merit="2")
    assert response.status_code == 303
    [row] = reviews(app)
    assert row[2] == "submitted" and row[3]["overall_merit"] == 2 and row[5] == 2
    assert [a[3].split(".")[0] for a in review_audit(app)] == [
        "Submitted",
        "Edited after submitting",
    ]
    refused = post_review(reviewer_client, 1, submit=False, version=2, comments_for_authors="")
    assert refused.status_code == 422
    assert reviews(app)[0][5] == 2


def test_score_out_of_scale_refused(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Paper", authors=AUTHORS)
    assign(app, reviewer_id, paper)
    response = post_review(reviewer_client, 1, submit=True, overall_merit="9")
    assert response.status_code == 422
    assert "“Overall merit” goes from 1 to 5." in response.get_data(as_text=True)
    nonsense = post_review(reviewer_client, 1, submit=False, expertise="x' or 1=1")
    assert nonsense.status_code == 422
    huge = post_review(reviewer_client, 1, submit=False, expertise="9" * 40)
    assert huge.status_code == 422
    assert reviews(app) == []


def test_missing_required_refused_on_submit(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Paper", authors=AUTHORS)
    assign(app, reviewer_id, paper)
    response = post_review(reviewer_client, 1, submit=True, expertise="", comments_for_authors="  ")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose a value for “Reviewer expertise”." in page
    assert "Write the “Comments for the authors”." in page
    assert 'href="#expertise-0"' in page  # the summary links to the radio group
    assert reviews(app) == []


def test_text_too_long_refused(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Paper", authors=AUTHORS)
    assign(app, reviewer_id, paper)
    response = post_review(reviewer_client, 1, submit=False, comments_for_authors="x" * 20_001)
    assert response.status_code == 422
    assert reviews(app) == []


def test_after_deadline_read_only_and_refused(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Paper", authors=AUTHORS)
    assign(app, reviewer_id, paper)
    post_review(reviewer_client, 1, submit=True)
    move_clock(app, AFTER_DEADLINE)
    page = reviewer_client.get("/organizer/reviews/submissions/1").get_data(as_text=True)
    assert "Reviews are closed; your review can no longer be changed." in page
    assert "Submit review" not in page and "Update review" not in page
    response = post_review(reviewer_client, 1, submit=True, version=1, overall_merit="1")
    assert response.status_code == 403
    assert "your review can no longer be changed" in response.get_data(as_text=True)
    assert reviews(app)[0][3] == {"overall_merit": 4, "expertise": 3}
    home = reviewer_client.get("/organizer/reviews/").get_data(as_text=True)
    assert "<strong>closed</strong>" in home


def test_home_shows_time_left(app: Flask, reviewer_client, reviewer_id):
    move_clock(app, datetime(2020, 2, 27, 7, 30, tzinfo=UTC))
    page = reviewer_client.get("/organizer/reviews/").get_data(as_text=True)
    assert "4 days 4 hours left" in page


def test_unassigned_submission_refused(app: Flask, reviewer_client, reviewer_id):
    add_submission(app, "Paper", authors=AUTHORS)
    page = reviewer_client.get("/organizer/reviews/submissions/1")
    assert page.status_code == 200
    assert "Submit review" not in page.get_data(as_text=True)
    response = post_review(reviewer_client, 1, submit=True)
    assert response.status_code == 403
    assert "This submission is not assigned to you" in response.get_data(as_text=True)
    assert reviews(app) == []


def test_conflicted_submission_answers_404(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Paper", authors=AUTHORS)
    assign(app, reviewer_id, paper)
    declare_conflict(app, reviewer_id, paper)
    urls = [
        "/organizer/reviews/submissions/1",
        "/organizer/reviews/submissions/1/paper.pdf",
        "/organizer/reviews/submissions/99",
    ]
    assert [reviewer_client.get(url).status_code for url in urls] == [404, 404, 404]
    assert post_review(reviewer_client, 1, submit=True).status_code == 404
    assert reviews(app) == []


def test_stale_version_refused_and_input_kept(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Paper", authors=AUTHORS)
    assign(app, reviewer_id, paper)
    assert post_review(reviewer_client, 1, submit=False).status_code == 303
    # The same form again (a replay, or a second tab opened before the first save).
    response = post_review(reviewer_client, 1, submit=True, comments_for_authors="Second tab")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This review was saved since this form was opened" in page
    assert "Second tab" in page
    assert 'name="version" type="hidden" value="1"' in page
    assert reviews(app)[0][2] == "draft" and reviews(app)[0][5] == 1


def test_pdf_of_assigned_submission(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Paper", authors=AUTHORS)
    assign(app, reviewer_id, paper)
    response = reviewer_client.get("/organizer/reviews/submissions/1/paper.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=FP20-001.pdf"
    assert response.data.startswith(b"%PDF-1.4")
    response.close()
