"""Reminders to reviewers with pending reviews: who is pending, the preview, one mail per
reviewer through a real SMTP server, the audit log, and a replayed send that sends nothing."""

from __future__ import annotations

import re

import pytest

from fastpath.cfp.models import SubmissionStatus
from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.mail.delivery import deliver_pending
from fastpath.mail.models import OutboxMail
from fastpath.reviews import reminders
from tests.helpers.organizers import add_submission, make_organizer, sign_in
from tests.helpers.reviews import add_review, assign, declare_conflict, make_reviewer


def setup_committee(app) -> dict[str, int]:
    """Ada: FP20-001 submitted, FP20-002 draft, FP20-003 not started, FP20-004 withdrawn.
    Bob: FP20-001 submitted (nothing pending). Cy: FP20-002 but in conflict with it."""
    ada = make_reviewer(app, "ada@one.test", name="Ada")
    bob = make_reviewer(app, "bob@two.test", name="Bob")
    cy = make_reviewer(app, "cy@three.test", name="Cy")
    one = add_submission(app, "First paper")
    two = add_submission(app, "Second paper")
    three = add_submission(app, "Third paper")
    gone = add_submission(app, "Gone paper", status=SubmissionStatus.WITHDRAWN)
    for sid in (one, two, three, gone):
        assign(app, ada, sid)
    add_review(app, ada, one)
    add_review(app, ada, two, submitted=False)
    assign(app, bob, one)
    add_review(app, bob, one)
    assign(app, cy, two)
    declare_conflict(app, cy, two)
    return {"ada": ada, "bob": bob, "cy": cy}


@pytest.fixture
def mail_chair(mail_app):
    make_organizer(mail_app)
    client = mail_app.test_client()
    assert sign_in(client).status_code == 302
    return client


def reminder_events(app) -> list[tuple[str | None, str]]:
    with app.app_context():
        rows = db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.action == "review_reminder")
            .order_by(AuditEvent.id)
        )
        return [(e.target, e.details) for e in rows]


def test_pending_reviewers_leave_out_submitted_withdrawn_and_conflicted(app):
    setup_committee(app)
    with app.app_context():
        pending = reminders.pending_reviewers()
        assert [(p.reviewer.email, [s.reference for s in p.submissions]) for p in pending] == [
            ("ada@one.test", ["FP20-002", "FP20-003"])
        ]


def test_reminder_preview_shows_recipients_and_the_mail(app, chair_client):
    setup_committee(app)
    page = chair_client.get("/organizer/reviews/reminders")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert "Send 1 reminder<" in html
    assert "FP20-002 (draft), FP20-003" in html
    assert "The mail to ada@one.test" in html
    assert "FP20-001" not in html and "FP20-004" not in html
    assert "Second paper (draft saved)" in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(OutboxMail.id))) == 0


def test_reminder_mails_each_pending_reviewer_once(mail_app, mail_chair, smtp):
    ids = setup_committee(mail_app)
    page = mail_chair.get("/organizer/reviews/reminders").get_data(as_text=True)
    mark = re.search(r'name="seen" type="hidden" value="(\d+)"', page).group(1)

    response = mail_chair.post("/organizer/reviews/reminders", data={"seen": mark})

    assert response.status_code == 303
    assert response.location == "/organizer/reviews/reminders"
    with mail_app.app_context():
        assert deliver_pending() == 1
        left = reminders.time_left()
    [mail] = smtp.recorder.wait_for(1)
    assert mail.envelope_to == ["ada@one.test"]
    assert mail.subject == "[FastPath 2020] Reviews pending"
    text = mail.text.replace("\r\n", "\n")
    assert "  FP20-002: Second paper (draft saved)\n" in text
    assert "  FP20-003: Third paper\n" in text
    assert "FP20-001" not in text and "FP20-004" not in text
    assert f"({left} left;" in text
    assert "/organizer/reviews/" in text
    assert reminder_events(mail_app) == [
        (f"organizer:{ids['ada']}", "reminded ada@one.test of FP20-002, FP20-003")
    ]

    # The same form again (a replay or a double click): refused, nothing sent.
    replay = mail_chair.post("/organizer/reviews/reminders", data={"seen": mark})
    assert replay.status_code == 409
    assert "nothing was sent again" in replay.get_data(as_text=True)
    with mail_app.app_context():
        assert db.session.scalar(db.select(db.func.count(OutboxMail.id))) == 1
    assert len(reminder_events(mail_app)) == 1


def test_reminder_with_nobody_pending_sends_nothing(app, chair_client):
    reviewer = make_reviewer(app, "done@one.test", name="Done")
    sid = add_submission(app)
    assign(app, reviewer, sid)
    add_review(app, reviewer, sid)

    page = chair_client.get("/organizer/reviews/reminders").get_data(as_text=True)
    response = chair_client.post("/organizer/reviews/reminders", data={"seen": "0"})

    assert "nobody to remind" in page
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(OutboxMail.id))) == 0
    assert reminder_events(app) == []


def test_reminder_form_with_bad_mark_is_refused(app, chair_client):
    setup_committee(app)
    response = chair_client.post("/organizer/reviews/reminders", data={"seen": "x" * 20})
    assert response.status_code == 422
    assert reminder_events(app) == []


def test_reviewer_cannot_see_or_send_reminders(app, reviewer_client):
    assert reviewer_client.get("/organizer/reviews/reminders").status_code == 404
    assert (
        reviewer_client.post("/organizer/reviews/reminders", data={"seen": "0"}).status_code == 404
    )
