"""Other reviews: hidden from a reviewer until theirs is submitted, names hidden when the
content file says so, chairs see every review with names."""

from __future__ import annotations

from flask import Flask

from tests.helpers.organizers import add_submission
from tests.helpers.reviews import add_review, assign, make_reviewer
from tests.helpers.reviews_b import post_review, set_review_rules

AUTHORS = [("Bo Yu", "bo@kth.se", "KTH")]


def _paper_with_two_reviews(app: Flask, reviewer_id: int) -> int:
    paper = add_submission(app, "Paper", authors=AUTHORS)
    alan = make_reviewer(app, "alan@turing.test", name="Alan Turing", affiliation="Manchester")
    edsger = make_reviewer(app, "edsger@ewd.test", name="Edsger Dijkstra", affiliation="UT")
    for who in (alan, reviewer_id, edsger):
        assign(app, who, paper)
    add_review(app, alan, paper, merit=2, for_authors="Words of Alan.")
    add_review(app, edsger, paper, merit=5, for_authors="Draft of Edsger.", submitted=False)
    return paper


def test_other_reviews_hidden_until_own_submitted(app: Flask, reviewer_client, reviewer_id):
    _paper_with_two_reviews(app, reviewer_id)
    before = reviewer_client.get("/organizer/reviews/submissions/1").get_data(as_text=True)
    assert "Words of Alan." not in before
    assert "You see the other reviews once you have submitted yours." in before
    post_review(reviewer_client, 1, submit=False)
    draft = reviewer_client.get("/organizer/reviews/submissions/1").get_data(as_text=True)
    assert "Words of Alan." not in draft
    post_review(reviewer_client, 1, submit=True, version=1)
    after = reviewer_client.get("/organizer/reviews/submissions/1").get_data(as_text=True)
    assert "Words of Alan." in after and "Alan Turing" in after
    assert "Draft of Edsger." not in after  # a draft is nobody else's to read


def test_reviewer_names_hidden_when_content_says(app: Flask, reviewer_client, reviewer_id):
    _paper_with_two_reviews(app, reviewer_id)
    set_review_rules(app, hide_reviewer_names=True)
    post_review(reviewer_client, 1, submit=True)
    page = reviewer_client.get("/organizer/reviews/submissions/1").get_data(as_text=True)
    assert "Words of Alan." in page
    assert "Alan Turing" not in page and "alan@turing.test" not in page
    assert "<h3>Reviewer A</h3>" in page  # Alan was assigned first


def test_chair_sees_all_submitted_reviews_with_names(app: Flask, chair_client, reviewer_id):
    paper = _paper_with_two_reviews(app, reviewer_id)
    add_review(app, reviewer_id, paper, merit=3, for_authors="Words of Grace.")
    set_review_rules(app, hide_reviewer_names=True)
    page = chair_client.get("/organizer/reviews/submissions/1").get_data(as_text=True)
    assert "Alan Turing" in page and "Grace Hopper" in page
    assert "Words of Alan." in page and "Words of Grace." in page
    assert "Draft of Edsger." not in page
    assert "Bo Yu" in page  # chairs always see the authors


def test_unassigned_reviewer_sees_no_reviews(app: Flask, reviewer_id):
    from tests.helpers.organizers import sign_in
    from tests.helpers.reviews import REVIEWER_PASSWORD

    _paper_with_two_reviews(app, reviewer_id)
    make_reviewer(app, "ada@lovelace.test", name="Ada", affiliation="London")
    client = app.test_client()
    sign_in(client, "ada@lovelace.test", REVIEWER_PASSWORD)
    page = client.get("/organizer/reviews/submissions/1").get_data(as_text=True)
    assert "Words of Alan." not in page
    assert "Committee discussion" not in page
