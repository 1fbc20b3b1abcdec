"""The committee discussion: who may comment and read, and the digest mails (real SMTP)."""

from __future__ import annotations

from flask import Flask

from fastpath.core.extensions import db
from fastpath.mail.delivery import deliver_pending
from fastpath.reviews.models import DiscussionComment
from tests.helpers.organizers import add_submission, make_organizer, sign_in
from tests.helpers.reviews import REVIEWER_PASSWORD, assign, declare_conflict, make_reviewer
from tests.helpers.reviews_b import review_audit

KTH = [("Bo Yu", "bo@kth.se", "KTH")]


def _client(app: Flask, email: str, password: str = REVIEWER_PASSWORD):
    client = app.test_client()
    assert sign_in(client, email, password).status_code == 302
    return client


def _comment(client, number: int, body: str):
    return client.post(f"/organizer/reviews/submissions/{number}/comments", data={"body": body})


def _comments(app: Flask) -> list[tuple[int, int | None, str]]:
    with app.app_context():
        rows = db.session.scalars(db.select(DiscussionComment).order_by(DiscussionComment.id))
        return [(r.submission_id, r.author_id, r.body) for r in rows]


def test_assigned_reviewer_comments_others_refused(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Paper", authors=KTH)
    add_submission(app, "Other", authors=KTH)
    assign(app, reviewer_id, paper)
    response = _comment(reviewer_client, 1, "Is the baseline fair?")
    assert response.status_code == 303
    assert response.headers["Location"] == "/organizer/reviews/submissions/1#discussion"
    assert _comments(app) == [(paper, reviewer_id, "Is the baseline fair?")]
    refused = _comment(reviewer_client, 2, "Not mine")
    assert refused.status_code == 403
    empty = _comment(reviewer_client, 1, "   ")
    assert empty.status_code == 422
    too_long = _comment(reviewer_client, 1, "x" * 5001)
    assert too_long.status_code == 422
    assert len(_comments(app)) == 1
    page = reviewer_client.get("/organizer/reviews/submissions/1").get_data(as_text=True)
    assert "Is the baseline fair?" in page and "Grace Hopper</strong> (you)" in page


def test_conflicted_reviewer_cannot_comment(app: Flask, reviewer_client, reviewer_id):
    paper = add_submission(app, "Paper", authors=KTH)
    assign(app, reviewer_id, paper)
    declare_conflict(app, reviewer_id, paper)
    assert _comment(reviewer_client, 1, "Sneaky").status_code == 404
    assert _comments(app) == []


def test_digest_one_mail_per_member_through_smtp(mail_app: Flask, smtp):
    app = mail_app
    first = add_submission(app, "Roofline models", authors=KTH)
    second = add_submission(app, "Second paper", authors=KTH)
    chair_id = make_organizer(app)
    alan = make_reviewer(app, "alan@turing.test", name="Alan Turing", affiliation="Manchester")
    edsger = make_reviewer(app, "edsger@ewd.test", name="Edsger Dijkstra", affiliation="UT")
    barbara = make_reviewer(app, "barbara@liskov.test", name="Barbara Liskov", affiliation="MIT")
    for who in (alan, edsger, barbara):
        assign(app, who, first)
    assign(app, barbara, second)
    declare_conflict(app, barbara, first)  # after the assignment: she must hear nothing of it
    alan_client = _client(app, "alan@turing.test")
    assert _comment(alan_client, 1, "The baseline is weak.").status_code == 303
    assert _comment(_client(app, "edsger@ewd.test"), 1, "Agreed.").status_code == 303
    chair = _client(app, "chair@fastpath.test", "a long enough passphrase")
    assert _comment(chair, 2, "Anyone on the second?").status_code == 303

    result = app.test_cli_runner().invoke(args=["review", "digest"])
    assert result.exit_code == 0, result.output
    assert result.output == "4 digest mails queued.\n"
    with app.app_context():
        assert deliver_pending() == 4
    received = smtp.recorder.wait_for(4)
    assert sorted(to for m in received for to in m.envelope_to) == [
        "alan@turing.test",
        "barbara@liskov.test",
        "chair@fastpath.test",
        "edsger@ewd.test",
    ]
    [to_alan] = smtp.recorder.to("alan@turing.test")
    assert "Agreed." in to_alan.text and "The baseline is weak." not in to_alan.text
    assert "Anyone on the second?" not in to_alan.text
    assert to_alan.subject == "[FastPath 2020] Committee discussion: 1 new comment"
    [to_chair] = smtp.recorder.to("chair@fastpath.test")
    assert "The baseline is weak." in to_chair.text and "Agreed." in to_chair.text
    assert "Anyone on the second?" not in to_chair.text  # never their own
    [to_barbara] = smtp.recorder.to("barbara@liskov.test")
    assert "Anyone on the second?" in to_barbara.text and "FP20-002" in to_barbara.text
    assert "FP20-001" not in to_barbara.text and "Roofline" not in to_barbara.text
    assert "baseline" not in to_barbara.text and "baseline" not in to_barbara.html
    assert all(max(map(len, m.text.splitlines())) < 998 for m in received)

    # Nothing new: no mail, the cursor stays at the latest comment.
    again = app.test_cli_runner().invoke(args=["review", "digest"])
    assert again.output == "0 digest mails queued.\n"
    assert [a[0] for a in review_audit(app)] == ["discussion_digest", "discussion_digest"]
    assert chair_id and second


def test_digest_hides_reviewer_names_when_content_says(app: Flask, reviewer_client, reviewer_id):
    from fastpath.mail.models import OutboxMail
    from fastpath.reviews import services
    from tests.helpers.reviews_b import set_review_rules

    paper = add_submission(app, "Paper", authors=KTH)
    alan = make_reviewer(app, "alan@turing.test", name="Alan Turing", affiliation="Manchester")
    assign(app, alan, paper)
    assign(app, reviewer_id, paper)
    set_review_rules(app, hide_reviewer_names=True)
    _comment(reviewer_client, 1, "From Grace.")
    with app.app_context():
        assert services.send_digests() == 1
        db.session.commit()
        [mail] = db.session.scalars(db.select(OutboxMail)).all()
        assert "Reviewer B" in mail.body_text and "Grace" not in mail.body_text.split("From")[0]
        assert "Hopper" not in mail.body_text
