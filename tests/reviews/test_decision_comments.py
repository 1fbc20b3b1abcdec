"""Decision mails with the reviewers' comments for the authors (received by a real SMTP
server): the texts for the authors go in as "Review 1", "Review 2"; committee-only texts,
scores, drafts and reviewer identities never; unticked, nothing of the reviews."""

from __future__ import annotations

import re

import pytest

from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.mail.delivery import deliver_pending
from tests.helpers.organizers import add_submission, make_organizer, sign_in
from tests.helpers.reviews import add_review, assign, make_reviewer

AUTHORS = [("Anna Müller", "anna@uni.test", "ETH Zürich"), ("Bob Example", "bob@corp.test", "Corp")]
SECRET = "Committee only: the evaluation section is thin."
LEAKS = [
    SECRET,
    "Draft thoughts",
    "Grace Hopper",
    "grace@reviewers.test",
    "Alan Turing",
    "alan@reviewers.test",
    "Overall merit",
    "Reviewer expertise",
    "Weak accept",
]


@pytest.fixture
def mail_chair(mail_app):
    make_organizer(mail_app)
    client = mail_app.test_client()
    assert sign_in(client).status_code == 302
    return client


def reviewed_submission(app) -> int:
    sid = add_submission(app, "Roofline models", authors=AUTHORS)
    grace = make_reviewer(app, "grace@reviewers.test", name="Grace Hopper")
    alan = make_reviewer(app, "alan@reviewers.test", name="Alan Turing")
    edsger = make_reviewer(app, "edsger@reviewers.test", name="Edsger Dijkstra")
    for reviewer in (grace, alan, edsger):
        assign(app, reviewer, sid)
    add_review(app, grace, sid, merit=4, for_authors="Clear and useful.", for_committee=SECRET)
    add_review(app, alan, sid, merit=2, for_authors="Please compare with prior work.")
    add_review(app, edsger, sid, for_authors="Draft thoughts", submitted=False)
    return sid


def test_decision_mail_carries_the_comments_for_the_authors(mail_app, mail_chair, smtp):
    sid = reviewed_submission(mail_app)
    preview = mail_chair.get(
        "/organizer/decisions/preview",
        query_string={"outcome": "accepted", "ids": sid, "include_reviews": "y"},
    ).get_data(as_text=True)

    seen = re.search(r'name="reviews_seen" value="([0-9a-f]{64})"', preview).group(1)

    response = mail_chair.post(
        "/organizer/decisions",
        data={"outcome": "accepted", "ids": sid, "include_reviews": "y", "reviews_seen": seen},
    )

    assert response.status_code == 303
    with mail_app.app_context():
        assert deliver_pending() == 2
    received = smtp.recorder.wait_for(2)
    assert sorted(m.envelope_to[0] for m in received) == ["anna@uni.test", "bob@corp.test"]
    for mail in received:
        text = mail.text.replace("\r\n", "\n")
        assert (
            "The reviewers' comments for the authors:\n\n"
            "== Review 1 ==\nComments for the authors:\nClear and useful.\n\n"
            "== Review 2 ==\nComments for the authors:\nPlease compare with prior work.\n\n"
            "-- \n"
        ) in text
        assert '<h3 style="font-size: 1em;">Review 2</h3>' in mail.html
        for leak in LEAKS:
            assert leak not in text and leak not in mail.html, leak
    # The preview showed exactly this text (each mail's body, HTML-escaped in a <pre>).
    assert "== Review 1 ==" in preview and "Please compare with prior work." in preview
    assert 'name="include_reviews" value="y"' in preview
    assert "Never the comments for the committee, the scores, or who reviewed." in preview
    for leak in LEAKS:
        assert leak not in preview, leak
    with mail_app.app_context():
        details = db.session.scalar(
            db.select(AuditEvent.details).where(AuditEvent.action == "notification")
        )
    assert details.endswith("with the comments of 2 review(s)")


def test_decision_mail_without_the_tick_has_no_reviews(mail_app, mail_chair, smtp):
    sid = reviewed_submission(mail_app)

    preview = mail_chair.get(
        "/organizer/decisions/preview", query_string={"outcome": "rejected", "ids": sid}
    ).get_data(as_text=True)
    response = mail_chair.post("/organizer/decisions", data={"outcome": "rejected", "ids": sid})

    assert response.status_code == 303
    assert "Clear and useful." not in preview
    assert "Preview with the reviewers' comments for the authors" in preview
    with mail_app.app_context():
        assert deliver_pending() == 2
    for mail in smtp.recorder.wait_for(2):
        assert mail.subject == "[FastPath 2020] Submission FP20-001 not accepted"
        for absent in ["Review 1", "Clear and useful.", "comments for the authors", *LEAKS]:
            assert absent not in mail.text and absent not in mail.html, absent


def test_decision_with_tick_but_no_submitted_review_adds_nothing(app, chair_client):
    sid = add_submission(app, "Unreviewed", authors=AUTHORS[:1])
    preview = chair_client.get(
        "/organizer/decisions/preview",
        query_string={"outcome": "accepted", "ids": sid, "include_reviews": "y"},
    )
    assert preview.status_code == 200
    assert "The reviewers' comments" not in preview.get_data(as_text=True).split("<pre")[1]
