"""Double-blind review: no author name, email or affiliation anywhere a reviewer looks."""

from __future__ import annotations

import io
import zipfile

from flask import Flask

from tests.helpers.organizers import add_submission
from tests.helpers.reviews import assign
from tests.helpers.reviews_b import set_review_rules

AUTHORS = [("Zoë Quasimodo", "zoe@quasimodo-lab.test", "Quasimodo Institute")]
SECRETS = ("Zoë Quasimodo", "Zo&#235; Quasimodo", "zoe@quasimodo-lab.test", "Quasimodo Institute")


def _pages(client) -> dict[str, str]:
    urls = [
        "/organizer/reviews/",
        "/organizer/reviews/bids",
        "/organizer/reviews/bids?q=roofline",
        "/organizer/reviews/submissions/1",
        "/organizer/reviews/conflicts",
    ]
    return {url: client.get(url).get_data(as_text=True) for url in urls}


def test_double_blind_hides_authors_from_reviewers(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Roofline models", authors=AUTHORS)
    assign(app, reviewer_id, paper)
    set_review_rules(app, double_blind=True)
    pages = _pages(reviewer_client)
    leaks = {url: s for url, page in pages.items() for s in SECRETS if s in page}
    assert leaks == {}
    assert "Roofline models" in pages["/organizer/reviews/submissions/1"]
    response = reviewer_client.get("/organizer/reviews/papers.zip")
    names = zipfile.ZipFile(io.BytesIO(response.get_data())).namelist()
    assert names == ["FP20-001.pdf"]


def test_without_double_blind_reviewers_see_authors(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Roofline models", authors=AUTHORS)
    assign(app, reviewer_id, paper)
    page = reviewer_client.get("/organizer/reviews/submissions/1").get_data(as_text=True)
    assert "Quasimodo Institute" in page
    bids = reviewer_client.get("/organizer/reviews/bids").get_data(as_text=True)
    assert "Quasimodo Institute" in bids


def test_double_blind_chairs_still_see_authors(app: Flask, chair_client):
    add_submission(app, "Roofline models", authors=AUTHORS)
    set_review_rules(app, double_blind=True)
    page = chair_client.get("/organizer/reviews/submissions/1").get_data(as_text=True)
    assert "Quasimodo Institute" in page
