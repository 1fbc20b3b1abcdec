"""The text of the decision mails can be edited in the preview before sending; the default
text (from the templates) stays the starting point, and the site's own parts stay."""

from __future__ import annotations

import re

from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail
from tests.helpers.notify import form_data
from tests.helpers.organizers import add_submission

ANNA = ("Anna Müller", "anna@example.de", "ETH Zürich")
BOB = ("Bob Example", "bob@example.org", "Example Corp")

DEFAULT_ACCEPTED = (
    "Dear Anna Müller,\n\n"
    "we are glad to tell you that your submission to FastPath 2020 has been\naccepted:\n\n"
    "  FP20-001: Roofline\n  Authors: Anna Müller, Bob Example\n\n"
    "It will be presented at the workshop on Sunday, April 5, 2020 in Boston, Massachusetts, "
    "USA,\nheld with ISPASS 2020.\n\n"
    "Authors who attend register like everyone else:\nhttp://fastpath.test/register\n\n"
    "Congratulations, and thank you for submitting your work.\n\n"
    "The contact author (Anna Müller) can now hand in the final version, the slides,\n"
    "who presents and a short speaker bio on the submission's private page (the link in the\n"
    'confirmation mail; "Final materials"), until April 5, 2020, 09:00 America/New_York = '
    "April 5, 2020, 13:00 UTC.\n"
    "A lost link can be mailed again: http://fastpath.test/submission/lost\n\n"
    "-- \nThe organizers of FastPath 2020\n"
    "International Workshop on Performance Analysis of Machine Learning Systems\n"
    "Sunday, April 5, 2020, Boston, Massachusetts, USA\nhttp://fastpath.test/"
)


def _mails(app) -> list[OutboxMail]:
    with app.app_context():
        mails = db.session.scalars(db.select(OutboxMail).order_by(OutboxMail.id)).all()
        db.session.expunge_all()
        return list(mails)


def _preview_page(client, submission_id: int, outcome: str = "accepted") -> str:
    return client.get(
        f"/organizer/decisions/preview?outcome={outcome}&ids={submission_id}"
    ).get_data(as_text=True)


def test_unedited_mail_is_the_template_text(app, organizer_client):
    submission_id = add_submission(app, "Roofline", authors=[ANNA, BOB])
    page = _preview_page(organizer_client, submission_id)

    organizer_client.post("/organizer/decisions", data=form_data(page, "/organizer/decisions"))

    first = _mails(app)[0]
    assert first.body_text == DEFAULT_ACCEPTED
    assert first.subject == "[FastPath 2020] Submission FP20-001 accepted"
    assert "<p>Dear <bdi>Anna Müller</bdi>,</p>" in first.body_html
    assert '<a href="http://fastpath.test/register">' in first.body_html


def test_edited_text_is_previewed_and_sent_as_previewed(app, organizer_client):
    submission_id = add_submission(app, "Roofline", authors=[ANNA, BOB])
    editor = form_data(
        _preview_page(organizer_client, submission_id),
        "/organizer/decisions/preview",
        subject="Good news about {submission_number}",
        text="Dear {name},\n\nyes to “{title}”.\n\n- see https://example.org/faq.\n"
        "- bring a poster",
    )

    preview = organizer_client.post("/organizer/decisions/preview", data=editor)
    page = preview.get_data(as_text=True)

    assert preview.status_code == 200
    assert "<strong>Subject:</strong> [FastPath 2020] Good news about FP20-001" in page
    assert "Dear Bob Example,\n\nyes to “Roofline”." in page
    assert _mails(app) == []

    response = organizer_client.post(
        "/organizer/decisions", data=form_data(page, "/organizer/decisions")
    )

    assert response.location == f"/organizer/submissions/{submission_id}"
    mails = _mails(app)
    assert [(m.recipients, m.subject) for m in mails] == [
        ("anna@example.de", "[FastPath 2020] Good news about FP20-001"),
        ("bob@example.org", "[FastPath 2020] Good news about FP20-001"),
    ]
    assert mails[1].body_text.startswith(
        "Dear Bob Example,\n\nyes to “Roofline”.\n\n- see https://example.org/faq.\n"
        "- bring a poster\n\nThe contact author (Anna Müller) can now hand in"
    )
    assert (
        '<p>- see <a href="https://example.org/faq">https://example.org/faq</a>.<br>\n'
        "- bring a poster</p>"
    ) in mails[1].body_html
    with app.app_context():
        details = db.session.scalar(
            db.select(AuditEvent.details).where(AuditEvent.action == "notification")
        )
    assert details == (
        "Submission FP20-001 accepted: mailed to anna@example.de, bob@example.org (edited text)"
    )


def test_a_typo_placeholder_in_the_preview_is_refused_and_nothing_can_be_sent(
    app, organizer_client
):
    submission_id = add_submission(app, "Roofline")
    editor = form_data(
        _preview_page(organizer_client, submission_id),
        "/organizer/decisions/preview",
        text="Dear {nmae},\n\nyes.",
    )

    response = organizer_client.post("/organizer/decisions/preview", data=editor)
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert re.search(r'id="text-error">Check the placeholders: \{nmae\} is not a placeholder', page)
    assert form_data(page, "/organizer/decisions/preview")["text"] == ["Dear {nmae},\n\nyes."]
    assert 'action="/organizer/decisions"' not in page  # no send button on a refused text
    assert "Correct the text below and preview again to send." in page


def test_a_hand_made_send_with_a_typo_is_refused_not_sent(app, organizer_client):
    submission_id = add_submission(app, "Roofline")

    response = organizer_client.post(
        "/organizer/decisions",
        data={"outcome": "accepted", "ids": [submission_id], "text": "Hi {who}"},
    )

    assert response.status_code == 422
    assert _mails(app) == []


def test_an_emptied_text_goes_back_to_the_default(app, organizer_client):
    submission_id = add_submission(app, "Roofline", authors=[ANNA, BOB])
    editor = form_data(
        _preview_page(organizer_client, submission_id),
        "/organizer/decisions/preview",
        subject="",
        text="  \n",
    )

    page = organizer_client.post("/organizer/decisions/preview", data=editor).get_data(as_text=True)
    organizer_client.post("/organizer/decisions", data=form_data(page, "/organizer/decisions"))

    assert _mails(app)[0].body_text == DEFAULT_ACCEPTED


def test_placeholder_values_are_text_not_markup_or_links(app, organizer_client):
    submission_id = add_submission(
        app, "<b>Bold</b> claims at evil.com", authors=[("{name} <i>", "x@example.org", "")]
    )
    editor = form_data(
        _preview_page(organizer_client, submission_id, "rejected"),
        "/organizer/decisions/preview",
        text="Dear {name},\n\nno to {title}.",
    )
    page = organizer_client.post("/organizer/decisions/preview", data=editor).get_data(as_text=True)

    organizer_client.post("/organizer/decisions", data=form_data(page, "/organizer/decisions"))

    [mail] = _mails(app)
    assert mail.body_text.startswith("Dear {name} <i>,\n\nno to <b>Bold</b> claims at evil[.]com.")
    assert (
        "<p>Dear <bdi>{name} &lt;i&gt;</bdi>,</p>\n"
        "<p>no to <bdi>&lt;b&gt;Bold&lt;/b&gt; claims at evil[.]com</bdi>.</p>"
    ) in mail.body_html
