"""Taking back a decision the authors were already told: the preview says so, and what
they were told."""

from __future__ import annotations

import re

from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail
from tests.helpers.organizers import add_submission, make_organizer, sign_in

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


def test_reversed_decision_mail_says_which_mail_it_replaces(app, client):
    _signed_in(app, client)
    submission = add_submission(app, "Only", authors=[BOB])
    client.post("/organizer/decisions", data={"outcome": "accepted", "ids": [submission]})
    preview = _text(
        client.get(f"/organizer/decisions/preview?outcome=rejected&ids={submission}").get_data(
            as_text=True
        )
    )
    client.post("/organizer/decisions", data={"outcome": "rejected", "ids": [submission]})
    with app.app_context():
        first, second = db.session.scalars(db.select(OutboxMail).order_by(OutboxMail.id)).all()
        texts = (first.body_text, second.body_text, second.body_html)

    replaces = "this mail replaces our mail of January 20, 2020, which told you that this"
    assert "replaces our mail" not in texts[0]  # the first decision replaces nothing
    assert replaces in " ".join(texts[1].split())
    assert "submission was accepted" in " ".join(texts[1].split())
    assert "This mail replaces our mail of January 20, 2020" in texts[2]
    assert "replaces our mail of January 20, 2020" in preview  # the preview shows it too
