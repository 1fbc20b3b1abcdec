"""Who may see what: the reviewer fence on chair pages and the automatic conflict rules."""

from __future__ import annotations

from flask import Flask

from fastpath.core.extensions import db
from fastpath.organizer.models import Organizer
from fastpath.reviews import access
from tests.helpers.organizers import add_submission, sign_in
from tests.helpers.reviews import REVIEWER_PASSWORD, declare_conflict, make_reviewer

CHAIR_PAGES = [
    "/organizer/",
    "/organizer/submissions",
    "/organizer/registrations",
    "/organizer/activity",
    "/organizer/mail",
    "/organizer/export/submissions.csv",
    "/organizer/export/registrations.csv",
    "/organizer/decisions/preview",
    "/organizer/reviews/table",
    "/organizer/reviews/reviewers",
]


def test_reviewer_sign_in_lands_on_own_page(app: Flask, reviewer_id: int):
    client = app.test_client()
    response = sign_in(client, "grace@reviewers.test", REVIEWER_PASSWORD)
    assert response.headers["Location"] == "/organizer/reviews/"


def test_reviewer_on_chair_pages_gets_404(reviewer_client):
    statuses = {url: reviewer_client.get(url).status_code for url in CHAIR_PAGES}
    expected = {url: 404 for url in CHAIR_PAGES} | {"/organizer/": 302}
    assert statuses == expected
    assert reviewer_client.get("/organizer/").headers["Location"] == "/organizer/reviews/"


def test_reviewer_keeps_own_account_pages(reviewer_client):
    assert reviewer_client.get("/organizer/password").status_code == 200
    assert reviewer_client.get("/organizer/reviews/").status_code == 200


def test_chair_sees_chair_pages(chair_client):
    assert chair_client.get("/organizer/reviews/table").status_code == 200


def test_organisation_domain_ignores_public_providers():
    assert access.organisation_domain("a@cs.mcgill.ca") == "mcgill.ca"
    assert access.organisation_domain("a@cs.ox.ac.uk") == "ox.ac.uk"
    assert access.organisation_domain("a@gmail.com") is None
    assert access.organisation_domain("a@example.org") is None


def test_conflicts_suggested_by_domain_affiliation_and_name(app: Flask):
    by_domain = add_submission(app, "A", authors=[("Xu Li", "xu@eng.mcgill.ca", "Elsewhere")])
    by_affiliation = add_submission(
        app, "B", authors=[("Ann Ek", "ann@gmail.com", "Université de Montréal")]
    )
    by_name = add_submission(app, "C", authors=[("Jöhn Smith", "j@gmail.com", "Nowhere")])
    unrelated = add_submission(app, "D", authors=[("Bo Yu", "bo@kth.se", "KTH")])
    reviewer = make_reviewer(
        app, "r@mcgill.ca", name="John Smith", affiliation="universite de montreal"
    )
    with app.app_context():
        person = db.session.get(Organizer, reviewer)
        suggested = access.suggested_conflicts(person)
        assert sorted(suggested) == sorted([by_domain, by_affiliation, by_name])
        assert access.visible_ids(person) == {unrelated}


def test_declared_conflict_hides_the_submission(app: Flask):
    first = add_submission(app, "A", authors=[("Bo Yu", "bo@kth.se", "KTH")])
    second = add_submission(app, "B", authors=[("Bo Yu", "bo@kth.se", "KTH")])
    reviewer = make_reviewer(app, "r@reviewers.test", name="R", affiliation="Elsewhere")
    declare_conflict(app, reviewer, first)
    with app.app_context():
        person = db.session.get(Organizer, reviewer)
        assert access.visible_ids(person) == {second}
