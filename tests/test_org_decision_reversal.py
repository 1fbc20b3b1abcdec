"""Taking back a decision the authors were already told: the preview says so, and what
they were told."""

from __future__ import annotations

import re

from fastpath.extensions import db
from fastpath.mail.models import OutboxMail
from tests.test_organizer import add_submission, make_organizer, sign_in

BOB = ("Bob Example", "bob@example.org", "Example Corp")


def _signed_in(app, client):
    make_organizer(app)
    assert sign_in(client).status_code == 302
    return client


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_reversal_preview_says_what_the_authors_were_told(app, client):
    _signed_in(app, client)
    add_submission(app, "First")
    second = add_submission(app, "Second", authors=[BOB])
    client.post("/organizer/decisions", data={"outcome": "accepted", "ids": [second]})
    with app.app_context():
        [told] = db.session.scalars(db.select(OutboxMail)).all()
        mail_id, told_subject = told.id, told.subject

    page = client.get(f"/organizer/decisions/preview?outcome=rejected&ids={second}")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert re.search(
        r"This reverses a decision already mailed on \d{4}-\d\d-\d\d \d\d:\d\d UTC: "
        r"the authors were told it was accepted: “\[FastPath 2020\] Submission FP20-002 "
        r"accepted” to bob@example.org \(queued\) The mail below tells them the opposite\.",
        _text(html),
    ), _text(html)
    assert f'href="/organizer/mail/{mail_id}">“{told_subject}”</a>' in html
    assert "Submission FP20-002 not accepted" in html  # the new mail is still shown


def test_reversal_warning_only_for_a_decision_that_was_mailed(app, client):
    _signed_in(app, client)
    first = add_submission(app, "First")

    fresh = client.get(f"/organizer/decisions/preview?outcome=rejected&ids={first}")
    client.post("/organizer/decisions", data={"outcome": "rejected", "ids": [first]})
    again = client.get(f"/organizer/decisions/preview?outcome=rejected&ids={first}")
    client.post("/organizer/decisions", data={"outcome": "accepted", "ids": [first]})
    back = client.get(f"/organizer/decisions/preview?outcome=rejected&ids={first}")

    assert "This reverses" not in fresh.get_data(as_text=True)
    assert "This reverses" not in again.get_data(as_text=True)  # skipped: already told
    text = _text(back.get_data(as_text=True))
    # Only the latest decision's mail is what the authors were last told.
    assert (
        "the authors were told it was accepted: “[FastPath 2020] Submission FP20-001 accepted”"
        in text
    )
    assert text.count("not accepted”") == 0
